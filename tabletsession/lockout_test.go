package tabletsession_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/uptrace/bun"

	"github.com/tabletapi/tabletapi/internal/dbtest"
	"github.com/tabletapi/tabletapi/tabletsession"
)

// utc is a time of the test clock's day (2026-11-22) in UTC.
func utc(hour, min, sec, nsec int) time.Time {
	return time.Date(2026, 11, 22, hour, min, sec, nsec, time.UTC)
}

func TestLockouts_RecordFailure(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, 0)
		// The clock reads 12:00:00.123456789 UTC: each lock's end keeps
		// the microseconds, and LockedUntil rounds it up to the second.
		steps := []struct {
			lockedFor time.Duration
			until     time.Time // LockedUntil afterwards; zero for none
		}{
			{0, time.Time{}},
			{0, time.Time{}},
			{10 * time.Minute, utc(12, 10, 1, 0)},
			{0, utc(12, 10, 1, 0)},
			{0, utc(12, 10, 1, 0)},
			{20 * time.Minute, utc(12, 20, 1, 0)},
			{0, utc(12, 20, 1, 0)},
		}
		for i, s := range steps {
			if got := e.mustRecordFailure(t, "bob"); got != s.lockedFor {
				t.Errorf("failure %d: RecordFailure = %v, want %v", i+1, got, s.lockedFor)
			}
			if got := mustLocked(t, e.lockouts, "bob"); !got.Equal(s.until) {
				t.Errorf("failure %d: LockedUntil = %v, want %v", i+1, got, s.until)
			}
		}
		if diff := cmp.Diff(map[string]int{"bob": 7}, failureCounts(t, e.db)); diff != "" {
			t.Errorf("failures (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(map[string]time.Time{"bob": utc(12, 20, 0, 123456000)}, lockoutEnds(t, e.db)); diff != "" {
			t.Errorf("stored lockouts (-want +got):\n%s", diff)
		}
	})

	t.Run("WholeSecondIsNotRoundedUp", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, 0)
		e.clock.Advance(time.Second - 123456789) // 12:00:01 UTC exactly
		for range 3 {
			e.mustRecordFailure(t, "bob")
		}
		if got, want := mustLocked(t, e.lockouts, "bob"), utc(12, 10, 1, 0); !got.Equal(want) {
			t.Errorf("LockedUntil = %v, want %v", got, want)
		}
	})

	t.Run("NoThresholdNeverLocks", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, 0)
		e.lockouts = tabletsession.NewLockouts(e.db, tabletsession.Config{LockoutIncrement: time.Minute}, e.clock.Now)
		for i := range 4 {
			if got := e.mustRecordFailure(t, "bob"); got != 0 {
				t.Errorf("failure %d: RecordFailure = %v, want 0", i+1, got)
			}
		}
		if got := lockoutEnds(t, e.db); len(got) != 0 {
			t.Errorf("lockouts = %v, want none", got)
		}
	})
}

func TestLockouts_LockedUntil(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	for range 3 {
		e.mustRecordFailure(t, "bob") // locked until 12:10:00.123456 UTC
	}
	if got := mustLocked(t, e.lockouts, "alice"); !got.IsZero() {
		t.Errorf("alice: LockedUntil = %v, want not locked", got)
	}
	// The clock stands at .123456789; the lock ends at .123456000.
	e.clock.Advance(10*time.Minute - 790)
	if got, want := mustLocked(t, e.lockouts, "bob"), utc(12, 10, 1, 0); !got.Equal(want) {
		t.Errorf("1ns before the end: LockedUntil = %v, want %v", got, want)
	}
	e.clock.Advance(1)
	if got := mustLocked(t, e.lockouts, "bob"); !got.IsZero() {
		t.Errorf("at the end: LockedUntil = %v, want not locked", got)
	}
}

func TestLockouts_Active(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	if got, err := e.lockouts.Active(t.Context()); err != nil || len(got) != 0 {
		t.Fatalf("Active on none = %v, %v; want empty", got, err)
	}
	for range 3 {
		e.mustRecordFailure(t, "carol") // locked until 12:10:00.123456 UTC
	}
	e.clock.Advance(time.Minute)
	for range 3 {
		e.mustRecordFailure(t, "bob") // locked until 12:11:00.123456 UTC
	}
	e.mustRecordFailure(t, "alice") // failed, not locked
	want := []tabletsession.Lockout{
		{Username: "bob", Until: utc(12, 11, 1, 0)},
		{Username: "carol", Until: utc(12, 10, 1, 0)},
	}
	got, err := e.lockouts.Active(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Active (-want +got):\n%s", diff)
	}
	// carol's lockout has ended; its row stays until housekeeping.
	e.clock.Advance(9 * time.Minute)
	got, err = e.lockouts.Active(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want[:1], got); diff != "" {
		t.Errorf("Active after carol's end (-want +got):\n%s", diff)
	}
}

func TestLockouts_Unlock(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, 0)
		for range 4 {
			e.mustRecordFailure(t, "bob")
		}
		e.mustRecordFailure(t, "alice")
		locks, failures, err := e.lockouts.Unlock(t.Context(), "bob")
		if locks != 1 || failures != 4 || err != nil {
			t.Fatalf("Unlock(bob) = %d, %d, %v; want 1, 4, nil", locks, failures, err)
		}
		if got := mustLocked(t, e.lockouts, "bob"); !got.IsZero() {
			t.Errorf("LockedUntil = %v after Unlock, want not locked", got)
		}
		if diff := cmp.Diff(map[string]int{"alice": 1}, failureCounts(t, e.db)); diff != "" {
			t.Errorf("failures (-want +got):\n%s", diff)
		}
		locks, failures, err = e.lockouts.Unlock(t.Context(), "bob")
		if locks != 0 || failures != 0 || err != nil {
			t.Fatalf("second Unlock(bob) = %d, %d, %v; want 0, 0, nil", locks, failures, err)
		}
	})

	t.Run("InCallersTransaction", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, 0)
		for range 3 {
			e.mustRecordFailure(t, "bob")
		}
		rollback := errors.New("roll back")
		err := e.db.RunInTx(t.Context(), nil, func(ctx context.Context, tx bun.Tx) error {
			if locks, failures, err := e.lockouts.WithTx(tx).Unlock(ctx, "bob"); locks != 1 || failures != 3 || err != nil {
				t.Errorf("Unlock(bob) in tx = %d, %d, %v; want 1, 3, nil", locks, failures, err)
			}
			return rollback
		})
		if !errors.Is(err, rollback) {
			t.Fatalf("RunInTx = %v", err)
		}
		// The caller's rollback undoes the unlock.
		if diff := cmp.Diff(map[string]int{"bob": 3}, failureCounts(t, e.db)); diff != "" {
			t.Errorf("failures (-want +got):\n%s", diff)
		}
		if got := lockoutEnds(t, e.db); len(got) != 1 {
			t.Errorf("lockouts = %v, want bob's", got)
		}
	})
}

func TestLockouts_Housekeep(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	e.MustAddUser(t, "bob", "correct horse", rights{})
	now := e.clock.stamp()
	week := 7 * 24 * time.Hour
	for _, l := range []struct {
		user  string
		until time.Time
	}{{"expired", now.Add(-time.Second)}, {"live", now.Add(time.Minute)}} {
		mustExec(t, e.db, "INSERT INTO lockouts (username, locked_until_utc) VALUES (?, ?)", l.user, l.until)
	}
	for _, f := range []struct {
		user string
		when time.Time
	}{
		{"ghost", now.Add(-week - time.Second)}, // unknown user, over a week old: deleted
		{"ghost", now.Add(-week + time.Second)}, // unknown user, under a week old: kept
		{"bob", now.Add(-4 * week)},             // an existing user's: kept, it counts towards the next lockout
	} {
		mustExec(t, e.db, "INSERT INTO login_failures (username, when_utc) VALUES (?, ?)", f.user, f.when)
	}

	n, err := e.lockouts.Housekeep(t.Context())
	if n != 2 || err != nil {
		t.Fatalf("Housekeep = %d, %v; want 2, nil", n, err)
	}
	if diff := cmp.Diff(map[string]time.Time{"live": now.Add(time.Minute)}, lockoutEnds(t, e.db)); diff != "" {
		t.Errorf("lockouts (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]int{"ghost": 1, "bob": 1}, failureCounts(t, e.db)); diff != "" {
		t.Errorf("failures (-want +got):\n%s", diff)
	}
	if n, err := e.lockouts.Housekeep(t.Context()); n != 0 || err != nil {
		t.Fatalf("second Housekeep = %d, %v; want 0, nil", n, err)
	}
}

func TestLockouts_TxOptions(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	got := e.lockouts.TxOptions()
	if dbtest.Postgres() {
		if got == nil || got.Isolation.String() != "Read Committed" {
			t.Errorf("TxOptions = %+v, want READ COMMITTED", got)
		}
	} else if got != nil {
		t.Errorf("TxOptions = %+v, want nil on SQLite", got)
	}
}

// mustLocked returns the end of username's lockout, or zero.
func mustLocked(tb testing.TB, l *tabletsession.Lockouts, username string) time.Time {
	tb.Helper()
	until, err := l.LockedUntil(tb.Context(), username)
	if err != nil {
		tb.Fatalf("LockedUntil(%q): %v", username, err)
	}
	if !until.IsZero() && until.Location() != time.UTC {
		tb.Errorf("LockedUntil(%q) = %v, not in UTC", username, until)
	}
	return until
}

func mustExec(tb testing.TB, db bun.IDB, query string, args ...any) {
	tb.Helper()
	if _, err := db.ExecContext(tb.Context(), query, args...); err != nil {
		tb.Fatalf("%s: %v", query, err)
	}
}
