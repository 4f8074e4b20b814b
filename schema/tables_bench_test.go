package schema_test

import (
	"strings"
	"testing"

	"github.com/tabletapi/tabletapi/internal/dbtest"
	"github.com/tabletapi/tabletapi/internal/registry"
	"github.com/tabletapi/tabletapi/internal/registry/registrytest"
	"github.com/tabletapi/tabletapi/schema"
)

// BenchmarkSyncTables measures SyncTables with a registry the size of the
// full CamCOPS one (150 tables, 5,250 fields of every type), on a migrated
// database without client tables (Empty: every table is created) and on one
// that already has them all (Unchanged: the cost of every later start).
// SQLite, or PostgreSQL when TABLETAPI_TEST_DATABASE_URL is set.
func BenchmarkSyncTables(b *testing.B) {
	reg, err := registry.Parse(strings.NewReader(registrytest.Synthetic(150, 35)), "synthetic")
	if err != nil {
		b.Fatal(err)
	}
	b.Run("Empty", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			db := dbtest.New(b)
			b.StartTimer()
			if err := schema.SyncTables(b.Context(), db, reg); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Unchanged", func(b *testing.B) {
		db := dbtest.New(b)
		if err := schema.SyncTables(b.Context(), db, reg); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if err := schema.SyncTables(b.Context(), db, reg); err != nil {
				b.Fatal(err)
			}
		}
	})
}
