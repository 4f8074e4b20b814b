package schema_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/uptrace/bun"

	"github.com/tabletapi/tabletapi/internal/dbtest"
	"github.com/tabletapi/tabletapi/internal/registry"
	"github.com/tabletapi/tabletapi/internal/sqldb"
	"github.com/tabletapi/tabletapi/schema"
)

func TestNowTablesFunction(t *testing.T) {
	def := registry.Default()
	grown, err := registry.Parse(strings.NewReader(def.Format()+
		"\ntable extra kind=task pk=id min_version=2.0.0\n    id integer\n    when_last_modified datetime\n    _move_off_tablet boolean\n"),
		"grown.tables")
	if err != nil {
		t.Fatal(err)
	}
	t.Run("Name", func(t *testing.T) {
		name := schema.NowTablesFunction(def)
		if !regexp.MustCompile(`\Atabletapi_now_tables_[0-9a-f]{12}\z`).MatchString(name) {
			t.Fatalf("name %q", name)
		}
		if again := schema.NowTablesFunction(registry.Default()); again != name {
			t.Fatalf("the same registry gave %q, then %q", name, again)
		}
		if other := schema.NowTablesFunction(grown); other == name {
			t.Fatalf("a registry with another table has the same name %q", name)
		}
	})
	// On PostgreSQL the function lists the tables with rows of era NOW of
	// the device, in commit order; syncing again, and syncing another
	// registry beside it, keeps both working.
	t.Run("Lists", func(t *testing.T) {
		db := dbtest.New(t)
		ctx := t.Context()
		for _, reg := range []*registry.Registry{def, def, grown} {
			if err := schema.SyncTables(ctx, db, reg); err != nil {
				t.Fatalf("SyncTables: %v", err)
			}
		}
		if !sqldb.IsPostgres(db) {
			return // the function is PostgreSQL's; the engine probes SQLite with a query
		}
		insert := func(table, era string, device int64) {
			t.Helper()
			if _, err := db.ExecContext(ctx, "INSERT INTO ? (id, _device_id, _era, _current) VALUES (1, ?, ?, FALSE)",
				bun.Ident(table), device, era); err != nil {
				t.Fatal(err)
			}
		}
		insert("phq9", "NOW", 7)
		insert("blobs", "NOW", 7)
		insert("patient", "2024-01-01T00:00:00Z", 7) // preserved: not of era NOW
		insert("bmi", "NOW", 8)                      // another device
		insert("extra", "NOW", 7)                    // not in def
		for _, tc := range []struct {
			reg  *registry.Registry
			want []string
		}{{def, []string{"blobs", "phq9"}}, {grown, []string{"blobs", "extra", "phq9"}}} {
			var got []string
			if err := db.NewRaw("SELECT * FROM "+schema.NowTablesFunction(tc.reg)+"(7)").Scan(ctx, &got); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("tables of device 7: %q, want %q", got, tc.want)
			}
		}
	})
	// The probes use the index from the first call on, however the rows of
	// a table are spread: here 20,000 rows of 2 devices, for which a generic
	// plan of PostgreSQL's own choosing scans the whole table, and did so
	// at every call from a connection's sixth on.
	t.Run("UsesTheIndex", func(t *testing.T) {
		db := dbtest.New(t)
		ctx := t.Context()
		if !sqldb.IsPostgres(db) {
			t.Skip("the function is PostgreSQL's")
		}
		if err := schema.SyncTables(ctx, db, def); err != nil {
			t.Fatalf("SyncTables: %v", err)
		}
		if _, err := db.ExecContext(ctx, "INSERT INTO phq9 (id, _device_id, _era, _current) "+
			"SELECT g, 1 + g % 2, 'NOW', TRUE FROM generate_series(1, 20000) AS g"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, "ANALYZE phq9"); err != nil {
			t.Fatal(err)
		}
		// One connection, so that every call shares its plans; one
		// transaction, whose own statistics count the scans at once.
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback() //nolint:errcheck
		for device := range 10 {
			var got []string
			if err := tx.NewRaw("SELECT * FROM "+schema.NowTablesFunction(def)+"(?)", 100+device).Scan(ctx, &got); err != nil {
				t.Fatal(err)
			}
			if len(got) != 0 {
				t.Fatalf("tables of device %d: %q, want none", 100+device, got)
			}
		}
		var seq, idx int64
		if err := tx.QueryRowContext(ctx, "SELECT seq_scan, idx_scan FROM pg_stat_xact_user_tables WHERE relname = 'phq9'").
			Scan(&seq, &idx); err != nil {
			t.Fatal(err)
		}
		if seq != 0 || idx != 10 {
			t.Errorf("10 probes of phq9: %d sequential scans and %d index scans, want 0 and 10", seq, idx)
		}
	})
}
