package websession_test

import (
	"slices"
	"testing"
	"time"

	"github.com/tabletapi/tabletapi/internal/sqldb"
	"github.com/tabletapi/tabletapi/websession"
)

func TestStore_Purge(t *testing.T) {
	// OK runs on whichever dialect the suite uses, so the SQL time
	// comparisons are checked on both SQLite (text) and PostgreSQL.
	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		cfg := websession.DefaultConfig()
		cfg.Lifetime = time.Hour
		e := newEnv(t, cfg)
		uid := MustCreateUser(t, e.db, "alice")
		ip := "192.0.2.7"

		old, oldTok := MustLogin(t, e.store, uid, ip, true) // kept busy; outlives its lifetime
		idle, _ := MustLogin(t, e.store, uid, ip, true)     // never used again
		e.clock.Advance(20 * time.Minute)
		MustLookup(t, e.store, old.ID, oldTok, ip)
		e.clock.Advance(11 * time.Minute)
		edge, _ := MustLogin(t, e.store, uid, ip, true) // at +31m: exactly the idle timeout at purge time
		e.clock.Advance(9 * time.Minute)
		MustLookup(t, e.store, old.ID, oldTok, ip)
		e.clock.Advance(10 * time.Minute)
		fresh, _ := MustLogin(t, e.store, uid, ip, true) // at +50m
		e.clock.Advance(10 * time.Minute)
		MustLookup(t, e.store, old.ID, oldTok, ip) // at +60m: exactly the lifetime, still valid
		e.clock.Advance(time.Minute)

		n, err := e.store.Purge(t.Context())
		if err != nil || n != 2 {
			t.Fatalf("Purge = %d, %v; want 2, nil", n, err)
		}
		if got, want := sessionIDs(t, e.db), []int64{edge.ID, fresh.ID}; !slices.Equal(got, want) {
			t.Fatalf("sessions left = %v, want %v (purged old %d and idle %d)", got, want, old.ID, idle.ID)
		}
		if n, err := e.store.Purge(t.Context()); err != nil || n != 0 {
			t.Fatalf("second Purge = %d, %v; want 0, nil", n, err)
		}
	})

	// OK/FractionLengths matters on SQLite, where times are text compared as
	// strings and bun drops trailing zeros of the fraction: "12:00:00+00:00",
	// "12:00:00.1+00:00" and "12:00:00.500001+00:00" must sort in time order.
	t.Run("OK/FractionLengths", func(t *testing.T) {
		t.Parallel()
		e := newEnvAt(t, websession.DefaultConfig(), newClockAt(time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)))
		uid := MustCreateUser(t, e.db, "alice")
		MustLogin(t, e.store, uid, "192.0.2.7", true) // 12:00:00
		e.clock.Advance(500 * time.Millisecond)
		half, _ := MustLogin(t, e.store, uid, "192.0.2.7", true) // 12:00:00.5
		if !sqldb.IsPostgres(e.db) {
			var text string
			if err := e.db.NewSelect().TableExpr("sessions").ColumnExpr("CAST(last_activity_utc AS TEXT)").
				Where("id = ?", half.ID).Scan(t.Context(), &text); err != nil {
				t.Fatal(err)
			}
			if want := "2026-11-22 12:00:00.5+00:00"; text != want {
				t.Fatalf("stored text = %q, want %q", text, want)
			}
		}

		purge := func(at time.Duration, want int64, left ...int64) {
			t.Helper()
			e.clock.Advance(at)
			if n, err := e.store.Purge(t.Context()); err != nil || n != want {
				t.Fatalf("Purge = %d, %v; want %d, nil", n, err, want)
			}
			if got := sessionIDs(t, e.db); !slices.Equal(got, left) {
				t.Fatalf("sessions left = %v, want %v", got, left)
			}
		}
		purge(websession.DefaultIdleTimeout-400*time.Millisecond, 1, half.ID) // cutoff 12:00:00.1
		purge(400*time.Millisecond, 0, half.ID)                               // cutoff 12:00:00.5
		purge(time.Microsecond, 1)                                            // cutoff 12:00:00.500001
	})
}

func TestStore_CountActiveSince(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, websession.DefaultConfig())
		uid := MustCreateUser(t, e.db, "alice")
		t0 := e.clock.stamp()
		MustLogin(t, e.store, uid, "192.0.2.7", true)
		e.clock.Advance(10 * time.Minute)
		MustLogin(t, e.store, uid, "192.0.2.7", true)
		t1 := e.clock.stamp()

		for _, tc := range []struct {
			since time.Time
			want  int64
		}{
			{t0.Add(-time.Second), 2},
			{t0, 2},
			{t0.Add(time.Microsecond), 1},
			{t1.In(time.FixedZone("EST", -5*3600)), 1}, // any zone is compared as UTC
			{t1.Add(time.Microsecond), 0},
		} {
			if got, err := e.store.CountActiveSince(t.Context(), tc.since); err != nil || got != tc.want {
				t.Errorf("CountActiveSince(%v) = %d, %v; want %d", tc.since, got, err, tc.want)
			}
		}
	})
}
