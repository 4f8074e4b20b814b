package sqldb_test

import (
	"testing"

	"github.com/tabletapi/tabletapi/internal/dbtest"
	"github.com/tabletapi/tabletapi/internal/sqldb"
)

func TestStmt(t *testing.T) {
	db := dbtest.New(t)
	st := sqldb.NewStmt(db, "SELECT count(*) FROM devices WHERE name = ? AND name <> '?'")
	defer st.Close()
	for range 3 { // prepared once, reused
		var n int
		if err := st.QueryRowContext(t.Context(), db, "server").Scan(&n); err != nil || n != 1 {
			t.Fatalf("n, err = %d, %v; want 1, nil", n, err)
		}
	}
	tx, err := db.BeginTx(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(t.Context(), "INSERT INTO devices (name) VALUES ('in-tx')"); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := st.QueryRowContext(t.Context(), tx, "in-tx").Scan(&n); err != nil || n != 1 {
		t.Fatalf("inside the transaction: n, err = %d, %v; want 1, nil", n, err)
	}
}
