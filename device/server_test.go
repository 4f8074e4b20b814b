package device_test

import (
	"sync"
	"testing"

	"github.com/tabletapi/tabletapi/device"
	"github.com/tabletapi/tabletapi/internal/dbtest"
)

func TestStore_ServerID(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		db := dbtest.New(t)
		s := device.NewStore(db, nil)
		want, err := s.IDByName(t.Context(), device.ServerName)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := s.ServerID(t.Context()); err != nil || got != want {
			t.Fatalf("ServerID() = %d, %v; want the migration's row %d", got, err, want)
		}
	})
	t.Run("RecreatedOnceUnderRace", func(t *testing.T) {
		t.Parallel()
		db := dbtest.New(t)
		if _, err := db.ExecContext(t.Context(), "DELETE FROM devices WHERE name = ?", device.ServerName); err != nil {
			t.Fatal(err)
		}
		s := device.NewStore(db, nil)
		ids := make([]int64, 8)
		errs := make([]error, 8)
		var wg sync.WaitGroup
		for i := range ids {
			wg.Go(func() { ids[i], errs[i] = s.ServerID(t.Context()) })
		}
		wg.Wait()
		for i := range ids {
			if errs[i] != nil || ids[i] != ids[0] || ids[i] <= 0 {
				t.Fatalf("ServerID() #%d = %d, %v; #0 = %d", i, ids[i], errs[i], ids[0])
			}
		}
		var n int
		if err := db.NewRaw("SELECT count(*) FROM devices WHERE name = ?", device.ServerName).Scan(t.Context(), &n); err != nil || n != 1 {
			t.Fatalf("%d server rows (%v), want 1", n, err)
		}
	})
}
