package schema_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/uptrace/bun"

	"github.com/tabletapi/tabletapi/internal/dbtest"
	"github.com/tabletapi/tabletapi/internal/registry"
	"github.com/tabletapi/tabletapi/internal/registry/registrytest"
	"github.com/tabletapi/tabletapi/internal/sqldb"
	"github.com/tabletapi/tabletapi/schema"
)

// bookkeepingColumns is _pk plus the columns of PROTOCOL 8.1.
const bookkeepingColumns = 21

func mustParse(tb testing.TB, text string) *registry.Registry {
	tb.Helper()
	reg, err := registry.Parse(strings.NewReader(text), "test")
	if err != nil {
		tb.Fatal(err)
	}
	return reg
}

func mustSync(tb testing.TB, db *bun.DB, reg *registry.Registry) {
	tb.Helper()
	if err := schema.SyncTables(tb.Context(), db, reg); err != nil {
		tb.Fatalf("SyncTables: %v", err)
	}
}

// shape returns, for every table of reg, its column and index counts as
// the database reports them, as "table:columns:indexes" (the primary key's
// own index on PostgreSQL not counted).
func shape(tb testing.TB, db *bun.DB, reg *registry.Registry) []string {
	tb.Helper()
	qCols := "SELECT m.name, count(*) FROM sqlite_schema AS m, pragma_table_info(m.name) WHERE m.type = 'table' GROUP BY m.name"
	qIdx := "SELECT tbl_name, count(*) FROM sqlite_schema WHERE type = 'index' GROUP BY tbl_name"
	if dbtest.Postgres() {
		qCols = "SELECT table_name, count(*) FROM information_schema.columns WHERE table_schema = current_schema() GROUP BY table_name"
		qIdx = "SELECT tablename, count(*) FROM pg_indexes WHERE schemaname = current_schema() AND indexname <> tablename || '_pkey' GROUP BY tablename"
	}
	counts := func(q string) map[string]int {
		rows, err := db.QueryContext(tb.Context(), q)
		if err != nil {
			tb.Fatal(err)
		}
		defer rows.Close()
		m := map[string]int{}
		for rows.Next() {
			var name string
			var n int
			if err := rows.Scan(&name, &n); err != nil {
				tb.Fatal(err)
			}
			m[name] = n
		}
		if err := rows.Err(); err != nil {
			tb.Fatal(err)
		}
		return m
	}
	cols, idx := counts(qCols), counts(qIdx)
	var out []string
	for _, t := range reg.Tables() {
		out = append(out, fmt.Sprintf("%s:%d:%d", t.Name, cols[t.Name], idx[t.Name]))
	}
	return out
}

// wantShape is shape for a database that holds reg exactly.
func wantShape(reg *registry.Registry) []string {
	var out []string
	for _, t := range reg.Tables() {
		out = append(out, fmt.Sprintf("%s:%d:%d", t.Name, len(t.Fields)+bookkeepingColumns, wantIndexes(t)))
	}
	return out
}

// wantIndexes is the number of indexes of t: six on every table, one more
// on a table with a patient_id (the patient's rows) and on the ID number
// table (rows by number).
func wantIndexes(t *registry.Table) int {
	n := 6
	if _, ok := t.Field("patient_id"); ok && t.Kind != registry.KindPatient {
		n++
	}
	if t.Kind == registry.KindPatientIDNum {
		n++
	}
	return n
}

func TestSyncTables(t *testing.T) {
	// More tables than one creating transaction takes.
	big := mustParse(t, registrytest.Synthetic(120, 12))

	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		db := dbtest.New(t)
		mustSync(t, db, big)
		if got, want := shape(t, db, big), wantShape(big); !slices.Equal(got, want) {
			t.Fatalf("after SyncTables:\n%v\nwant\n%v", got, want)
		}
		mustSync(t, db, big) // unchanged: nothing to do, no error
		if got, want := shape(t, db, big), wantShape(big); !slices.Equal(got, want) {
			t.Fatalf("after a second SyncTables:\n%v\nwant\n%v", got, want)
		}
	})

	t.Run("Grows", func(t *testing.T) {
		// A new field and a new table; an index that went missing comes
		// back; the stored row and the dropped field's column stay.
		t.Parallel()
		db := dbtest.New(t)
		ctx := t.Context()
		first := mustParse(t, "table a kind=task pk=id min_version=2.0.0\n    id integer\n"+
			"    when_last_modified datetime\n    _move_off_tablet boolean\n    gone text\n")
		mustSync(t, db, first)
		if _, err := db.ExecContext(ctx, "INSERT INTO a (id, gone, _device_id, _era, _current) VALUES (7, 'kept', 1, 'NOW', TRUE)"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, "DROP INDEX a_now_idx"); err != nil {
			t.Fatal(err)
		}
		second := mustParse(t, "table a kind=task pk=id min_version=2.0.0\n    id integer\n"+
			"    when_last_modified datetime\n    _move_off_tablet boolean\n    at time\n    Score integer\n"+
			"table b kind=task pk=id min_version=2.0.0\n    id integer\n    when_last_modified datetime\n    _move_off_tablet boolean\n")
		mustSync(t, db, second)
		want := []string{fmt.Sprintf("a:%d:6", 6+bookkeepingColumns), fmt.Sprintf("b:%d:6", 3+bookkeepingColumns)}
		if got := shape(t, db, second); !slices.Equal(got, want) {
			t.Fatalf("after growing: %v, want %v", got, want)
		}
		var gone string
		if err := db.QueryRowContext(ctx, `SELECT gone FROM a WHERE id = 7 AND "Score" IS NULL AND at IS NULL`).Scan(&gone); err != nil || gone != "kept" {
			t.Fatalf("stored row: %q, %v; want kept", gone, err)
		}
	})

	t.Run("ErrAddColumn", func(t *testing.T) {
		// A view with a registry table's name cannot be widened; the error
		// names the table and the column.
		t.Parallel()
		db := dbtest.New(t)
		if _, err := db.ExecContext(t.Context(), "CREATE VIEW v AS SELECT 1 AS id"); err != nil {
			t.Fatal(err)
		}
		reg := mustParse(t, "table v kind=task pk=id min_version=2.0.0\n    id integer\n"+
			"    when_last_modified datetime\n    _move_off_tablet boolean\n")
		err := schema.SyncTables(t.Context(), db, reg)
		if err == nil || !strings.HasPrefix(err.Error(), "schema: table v: add column when_last_modified: ") {
			t.Fatalf("err = %v, want schema: table v: add column when_last_modified: …", err)
		}
	})

	t.Run("Concurrent", func(t *testing.T) {
		// Servers starting together on an empty database take turns: all
		// succeed and the tables are whole.
		t.Parallel()
		u := dbtest.NewURL(t)
		const n = 3
		errs := make(chan error, n)
		for range n {
			go func() {
				db := mustOpen(t, u)
				defer db.Close()
				errs <- schema.SyncTables(context.Background(), db, big)
			}()
		}
		for range n {
			if err := <-errs; err != nil {
				t.Fatalf("concurrent SyncTables: %v", err)
			}
		}
		db := mustOpen(t, u)
		defer db.Close()
		if got, want := shape(t, db, big), wantShape(big); !slices.Equal(got, want) {
			t.Fatalf("after concurrent SyncTables:\n%v\nwant\n%v", got, want)
		}
	})
}

func mustOpen(tb testing.TB, u string) *bun.DB {
	tb.Helper()
	db, err := sqldb.Open(u)
	if err != nil {
		tb.Fatal(err)
	}
	return db
}
