package upload

import (
	"context"
	"database/sql"
	"time"

	"github.com/uptrace/bun"

	"github.com/tabletapi/tabletapi/internal/fault"
	"github.com/tabletapi/tabletapi/internal/sqldb"
)

// Tx is the transaction a request's phase B runs in (PROTOCOL 1.6, 8.9):
// one pooled connection on which the transaction is begun and ended with
// plain BEGIN, COMMIT and ROLLBACK statements, not as a database/sql Tx.
// The engine loads rows with COPY through the connection (copy.go), and a
// database/sql Tx holds a lock on its connection that Raw needs to discard
// the connection when it breaks: a connection lost in the middle of a COPY
// would then hang the request until the tablet gave up
// (TestInTransaction_DiscardedConnection).
//
// Tx is a bun.IDB, so the stores of other packages work inside it. Its
// RunInTx and BeginTx refuse with ErrNestedTransaction: bun.Conn's would
// begin a transaction on this connection, and so commit the request's work
// early (TestEngine_NoNestedTransaction, TestTx_RefusesNestedTransaction).
type Tx struct {
	bun.Conn
	afterCommit []func()
}

// AfterCommit arranges for f to run once the transaction has committed,
// and never if it rolls back: what counts the work done (metrics) must
// not count work that was undone.
func (tx *Tx) AfterCommit(f func()) { tx.afterCommit = append(tx.afterCommit, f) }

// ErrNestedTransaction is the failure of a transaction begun inside a
// request's Tx: phase B is one transaction (PROTOCOL 8.9), and code that
// runs in it must not begin another, nor a savepoint. A server fault.
var ErrNestedTransaction = &fault.Error{Kind: fault.Internal,
	Message: "upload: a transaction was begun inside the request's transaction"}

// RunInTx refuses with ErrNestedTransaction and does not call fn. It hides
// bun.Conn's RunInTx, which would send BEGIN on the request's connection.
func (tx *Tx) RunInTx(context.Context, *sql.TxOptions, func(context.Context, bun.Tx) error) error {
	return ErrNestedTransaction
}

// BeginTx refuses with ErrNestedTransaction, as RunInTx does.
func (tx *Tx) BeginTx(context.Context, *sql.TxOptions) (bun.Tx, error) {
	return bun.Tx{}, ErrNestedTransaction
}

// A *Tx is still a bun.IDB with its own RunInTx and BeginTx.
var _ bun.IDB = (*Tx)(nil)

// rollbackTimeout bounds the ROLLBACK of a failed phase B, which runs even
// after the request's context is done.
const rollbackTimeout = 10 * time.Second

// InTransaction runs fn in one Tx on a connection of its own, and commits
// only if fn succeeds and ctx is not done: an error, a panic or a request
// whose tablet has hung up rolls it back. It returns fn's error, or the
// database's.
func InTransaction(ctx context.Context, db *bun.DB, fn func(ctx context.Context, tx *Tx) error) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	begin := "BEGIN"
	if !sqldb.IsPostgres(db) {
		// Take the write lock at once, as every phase B writes: a deferred
		// transaction that reads first can fail to upgrade (SQLITE_BUSY).
		// This is also the device lock on SQLite (PROTOCOL 8.3.1).
		begin = "BEGIN IMMEDIATE"
	}
	if _, err := conn.ExecContext(ctx, begin); err != nil {
		return err
	}
	tx := &Tx{Conn: conn}
	committed := false
	defer func() {
		if !committed {
			tx.rollback(ctx)
		}
	}()
	if err := fn(ctx, tx); err != nil {
		return err
	}
	// As database/sql's Tx does: a request whose tablet has hung up is
	// rolled back, not committed (the driver would send COMMIT anyway).
	if err := ctx.Err(); err != nil {
		return err
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		return err
	}
	committed = true
	for _, f := range tx.afterCommit {
		f()
	}
	return nil
}

// rollback ends the transaction without its work, also after a panic and
// when the request's context is done. If ROLLBACK fails too, the
// connection's state is unknown, so it is discarded.
func (tx *Tx) rollback(ctx context.Context) {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), rollbackTimeout)
	defer cancel()
	if _, err := tx.Conn.ExecContext(rctx, "ROLLBACK"); err != nil {
		sqldb.Discard(tx.Conn)
	}
}

// postgres reports whether the transaction runs on PostgreSQL.
func (tx *Tx) postgres() bool { return sqldb.IsPostgres(tx) }

// execLiteral runs a statement of literals as written: bun's formatter
// would take a ? inside a string literal for a placeholder.
func (tx *Tx) execLiteral(ctx context.Context, q *literalSQL) (sql.Result, error) {
	return tx.Conn.Conn.ExecContext(ctx, q.String())
}

// queryLiteral is execLiteral for a statement that returns rows.
func (tx *Tx) queryLiteral(ctx context.Context, q *literalSQL) (*sql.Rows, error) {
	return tx.Conn.Conn.QueryContext(ctx, q.String())
}
