package schema_test

import (
	"testing"

	"github.com/tabletapi/tabletapi/internal/dbtest"
	"github.com/tabletapi/tabletapi/internal/sqldb"
	"github.com/tabletapi/tabletapi/schema"
)

func TestMigrate(t *testing.T) {
	t.Run("TwiceIsHarmless", func(t *testing.T) {
		db := dbtest.New(t)
		names, err := schema.Migrate(t.Context(), db)
		if err != nil {
			t.Fatalf("second Migrate: %v", err)
		}
		if len(names) != 0 {
			t.Fatalf("second Migrate applied %v, want nothing", names)
		}
	})
	t.Run("ServerDeviceExists", func(t *testing.T) {
		db := dbtest.New(t)
		var n int
		if err := db.NewSelect().Table("devices").Where("name = 'server'").ColumnExpr("count(*)").Scan(t.Context(), &n); err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Fatalf("server devices = %d, want 1", n)
		}
	})
	t.Run("ConcurrentMigrators", func(t *testing.T) {
		// Several migrators on one fresh database, as when two servers
		// start at once: all succeed and each migration is applied once.
		u := dbtest.NewEmptyURL(t)
		const n = 4
		errs := make(chan error, n)
		applied := make(chan int, n)
		for range n {
			go func() {
				db, err := sqldb.Open(u)
				if err != nil {
					errs <- err
					return
				}
				defer db.Close()
				names, err := schema.Migrate(t.Context(), db)
				applied <- len(names)
				errs <- err
			}()
		}
		total := 0
		for range n {
			if err := <-errs; err != nil {
				t.Errorf("Migrate: %v", err)
			}
		}
		close(applied)
		for k := range applied {
			total += k
		}
		db, err := sqldb.Open(u)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var rows int
		if err := db.NewSelect().Table("schema_migrations").ColumnExpr("count(*)").Scan(t.Context(), &rows); err != nil {
			t.Fatal(err)
		}
		if total != rows || rows == 0 {
			t.Fatalf("migrations applied %d in all, %d recorded; want equal and > 0", total, rows)
		}
	})
}
