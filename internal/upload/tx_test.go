package upload_test

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/tabletapi/tabletapi/internal/dbtest"
	"github.com/tabletapi/tabletapi/internal/upload"
)

// InTransaction on a real database (SQLite, or PostgreSQL when
// TABLETAPI_TEST_DATABASE_URL is set): what fn writes is committed only
// when fn succeeds; an error, a panic or a cancelled context rolls it back;
// and the connection pool works afterwards.
func TestInTransaction(t *testing.T) {
	db := dbtest.New(t)
	db.SetMaxOpenConns(1) // the next statement reuses the connection, if it was kept
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, "CREATE TABLE txprobe (n INTEGER)"); err != nil {
		t.Fatal(err)
	}
	insert := func(ctx context.Context, tx *upload.Tx, n int) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO txprobe (n) VALUES (?)", n)
		return err
	}
	// want checks txprobe through the pool: with one connection, that is
	// the one the transaction used, so rows of a transaction left open
	// would show.
	want := func(what string, rows ...int) {
		t.Helper()
		var got []int
		if err := db.NewSelect().Table("txprobe").Column("n").Order("n").Scan(ctx, &got); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if fmt.Sprint(got) != fmt.Sprint(rows) {
			t.Fatalf("%s: txprobe holds %v, want %v", what, got, rows)
		}
	}
	boom := errors.New("boom")
	if err := upload.InTransaction(ctx, db, func(ctx context.Context, tx *upload.Tx) error { return insert(ctx, tx, 1) }); err != nil {
		t.Fatal(err)
	}
	want("committed", 1)
	if err := upload.InTransaction(ctx, db, func(ctx context.Context, tx *upload.Tx) error {
		if err := insert(ctx, tx, 2); err != nil {
			return err
		}
		return boom
	}); !errors.Is(err, boom) {
		t.Fatalf("failing fn: err %v, want boom", err)
	}
	want("after an error", 1)
	func() {
		defer func() {
			if recover() == nil {
				t.Fatal("the panic did not propagate")
			}
		}()
		_ = upload.InTransaction(ctx, db, func(ctx context.Context, tx *upload.Tx) error {
			if err := insert(ctx, tx, 3); err != nil {
				return err
			}
			panic("bug")
		})
	}()
	want("after a panic", 1)
	cctx, cancel := context.WithCancel(ctx)
	err := upload.InTransaction(cctx, db, func(ctx context.Context, tx *upload.Tx) error {
		if err := insert(ctx, tx, 4); err != nil {
			return err
		}
		cancel() // the tablet hangs up before the commit
		return nil
	})
	if err == nil {
		t.Fatal("a transaction whose context was cancelled committed")
	}
	want("after a cancelled request", 1)
}

// TestInTransaction_DiscardedConnection: when the driver reports a broken connection
// from Raw in the middle of a transaction (what pgdriver does when a COPY's
// write fails), the request fails at once instead of hanging, and the pool
// hands out a working connection next. Inside a database/sql Tx, Raw would
// block until the Tx's context ended. The fault is simulated: a connection
// that breaks between two of COPY's writes cannot be produced on demand.
func TestInTransaction_DiscardedConnection(t *testing.T) {
	db := dbtest.New(t)
	db.SetMaxOpenConns(1)
	done := make(chan error, 1)
	go func() {
		done <- upload.InTransaction(context.Background(), db, func(ctx context.Context, tx *upload.Tx) error {
			if _, err := tx.ExecContext(ctx, "SELECT 1"); err != nil {
				return err
			}
			return tx.Raw(func(any) error { return driver.ErrBadConn })
		})
	}()
	select {
	case err := <-done:
		if !errors.Is(err, driver.ErrBadConn) {
			t.Fatalf("err %v, want driver.ErrBadConn", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("InTransaction hung after the connection was discarded")
	}
	var one int
	if err := db.QueryRowContext(context.Background(), "SELECT 1").Scan(&one); err != nil || one != 1 {
		t.Fatalf("the pool after a discarded connection: %v, %d", err, one)
	}
}

// TestTx_RefusesNestedTransaction: the RunInTx and BeginTx of a request's
// Tx refuse with ErrNestedTransaction without sending a statement, and the
// request's transaction goes on and commits what it wrote before and after
// (PROTOCOL 8.9: phase B is one transaction). bun.Conn's own methods, which
// a Tx would otherwise promote, would begin a transaction on the connection.
func TestTx_RefusesNestedTransaction(t *testing.T) {
	db := dbtest.New(t)
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, "CREATE TABLE txprobe (n INTEGER)"); err != nil {
		t.Fatal(err)
	}
	log := &txLog{}
	db = db.WithQueryHook(log)
	err := upload.InTransaction(ctx, db, func(ctx context.Context, tx *upload.Tx) error {
		if _, err := tx.ExecContext(ctx, "INSERT INTO txprobe (n) VALUES (1)"); err != nil {
			return err
		}
		if got := log.take(); got != "BEGIN" {
			t.Errorf("the transaction began with %q, want BEGIN", got)
		}
		// The Tx as the stores of other packages see it.
		var idb bun.IDB = tx
		called := false
		if err := idb.RunInTx(ctx, nil, func(context.Context, bun.Tx) error { called = true; return nil }); !errors.Is(err, upload.ErrNestedTransaction) {
			t.Errorf("RunInTx: err %v, want ErrNestedTransaction", err)
		}
		if called {
			t.Error("RunInTx called its function")
		}
		if _, err := idb.BeginTx(ctx, nil); !errors.Is(err, upload.ErrNestedTransaction) {
			t.Errorf("BeginTx: err %v, want ErrNestedTransaction", err)
		}
		if got := log.take(); got != "" {
			t.Errorf("the refusals sent %q", got)
		}
		_, err := tx.ExecContext(ctx, "INSERT INTO txprobe (n) VALUES (2)")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := log.take(); got != "COMMIT" {
		t.Fatalf("the transaction ended with %q, want COMMIT", got)
	}
	var got []int
	if err := db.NewSelect().Table("txprobe").Column("n").Order("n").Scan(ctx, &got); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != "[1 2]" {
		t.Fatalf("txprobe holds %v after the commit, want [1 2]", got)
	}
}
