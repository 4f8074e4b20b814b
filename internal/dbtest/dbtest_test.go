package dbtest_test

import (
	"testing"

	"github.com/uptrace/bun"

	"github.com/tabletapi/tabletapi/internal/dbtest"
	"github.com/tabletapi/tabletapi/internal/registry"
	"github.com/tabletapi/tabletapi/internal/sqldb"
)

// tables counts the default registry's tables that db has.
func tables(tb testing.TB, db *bun.DB) int {
	tb.Helper()
	q := "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?"
	if dbtest.Postgres() {
		q = "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() AND tablename = ?"
	}
	n := 0
	for _, name := range registry.Default().Names() {
		var one int
		if err := db.QueryRowContext(tb.Context(), q, name).Scan(&one); err != nil {
			tb.Fatal(err)
		}
		n += one
	}
	return n
}

func TestNewURL(t *testing.T) {
	// Two databases from the one template: each has every table of the
	// default registry, and a row written in one is not in the other.
	var dbs []*bun.DB
	for range 2 {
		db, err := sqldb.Open(dbtest.NewURL(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		dbs = append(dbs, db)
	}
	want := len(registry.Default().Names())
	for i, db := range dbs {
		if got := tables(t, db); got != want {
			t.Fatalf("database %d has %d of the default registry's %d tables", i, got, want)
		}
	}
	if _, err := dbs[0].ExecContext(t.Context(), "INSERT INTO devices (name, friendly_name) VALUES ('only-here', 'x')"); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := dbs[1].QueryRowContext(t.Context(), "SELECT count(*) FROM devices WHERE name = 'only-here'").Scan(&n); err != nil || n != 0 {
		t.Fatalf("the other database has %d such devices, %v; want 0", n, err)
	}
}

func TestNew(t *testing.T) {
	// Migrated, without client tables.
	db := dbtest.New(t)
	if got := tables(t, db); got != 0 {
		t.Fatalf("%d client tables, want none", got)
	}
	var n int
	if err := db.QueryRowContext(t.Context(), "SELECT count(*) FROM devices WHERE name = 'server'").Scan(&n); err != nil || n != 1 {
		t.Fatalf("server devices %d, %v; want 1", n, err)
	}
}
