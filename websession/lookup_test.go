package websession_test

import (
	"errors"
	"testing"
	"time"

	"github.com/tabletapi/tabletapi/websession"
)

func TestStore_Lookup(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, websession.DefaultConfig())
		uid := MustCreateUser(t, e.db, "alice")
		want, token := MustLogin(t, e.store, uid, "192.0.2.7", true)
		got := MustLookup(t, e.store, want.ID, token, "192.0.2.7")
		if got.Username != "alice" || got.ID != want.ID || got.UserID != uid || !got.IsAPI ||
			!got.CreatedAt.Equal(want.CreatedAt) || !got.LastActivity.Equal(want.LastActivity) {
			t.Fatalf("Lookup = %+v, want %+v with username alice", got, want)
		}
		if got.CreatedAt.Location() != time.UTC || got.LastActivity.Location() != time.UTC {
			t.Fatalf("times not in UTC: %v, %v", got.CreatedAt, got.LastActivity)
		}
	})

	t.Run("ErrBadToken", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, websession.DefaultConfig())
		uid := MustCreateUser(t, e.db, "alice")
		sess, _ := MustLogin(t, e.store, uid, "192.0.2.7", true)
		_, other := MustLogin(t, e.store, uid, "192.0.2.7", true)
		for _, token := range []string{other, "", "Qm9vZ2llV29vZ2llMTIzNA=="} {
			_, err := e.store.Lookup(t.Context(), sess.ID, token, "192.0.2.7")
			if !errors.Is(err, websession.ErrBadToken) || !websession.IsNoSession(err) {
				t.Fatalf("token %q: err = %v, want ErrBadToken", token, err)
			}
		}
	})

	t.Run("ErrNotFound", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, websession.DefaultConfig())
		_, err := e.store.Lookup(t.Context(), 12345, "Qm9vZ2llV29vZ2llMTIzNA==", "192.0.2.7")
		if !errors.Is(err, websession.ErrNotFound) || !websession.IsNoSession(err) {
			t.Fatalf("err = %v, want ErrNotFound", err)
		}
	})

	t.Run("ErrNotFound/UserDeleted", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, websession.DefaultConfig())
		uid := MustCreateUser(t, e.db, "alice")
		sess, token := MustLogin(t, e.store, uid, "192.0.2.7", true)
		if _, err := e.db.ExecContext(t.Context(), "DELETE FROM users WHERE id = ?", uid); err != nil {
			t.Fatal(err)
		}
		if _, err := e.store.Lookup(t.Context(), sess.ID, token, "192.0.2.7"); !errors.Is(err, websession.ErrNotFound) {
			t.Fatalf("err = %v, want ErrNotFound", err)
		}
		if ids := sessionIDs(t, e.db); len(ids) != 0 {
			t.Fatalf("sessions after deleting the user = %v, want none (cascade)", ids)
		}
	})

	t.Run("OK/IdleAtTimeout", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, websession.DefaultConfig())
		sess, token := MustLogin(t, e.store, MustCreateUser(t, e.db, "alice"), "192.0.2.7", true)
		e.clock.Advance(websession.DefaultIdleTimeout)
		MustLookup(t, e.store, sess.ID, token, "192.0.2.7")
	})

	t.Run("ErrExpired/Idle", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, websession.DefaultConfig())
		sess, token := MustLogin(t, e.store, MustCreateUser(t, e.db, "alice"), "192.0.2.7", true)
		e.clock.Advance(websession.DefaultIdleTimeout + time.Microsecond)
		_, err := e.store.Lookup(t.Context(), sess.ID, token, "192.0.2.7")
		if !errors.Is(err, websession.ErrExpired) || !websession.IsNoSession(err) {
			t.Fatalf("err = %v, want ErrExpired", err)
		}
	})

	// Lifetime keeps a session busy (never idle) until its absolute
	// lifetime runs out.
	t.Run("ErrExpired/Lifetime", func(t *testing.T) {
		t.Parallel()
		cfg := websession.DefaultConfig()
		cfg.Lifetime = time.Hour
		e := newEnv(t, cfg)
		sess, token := MustLogin(t, e.store, MustCreateUser(t, e.db, "alice"), "192.0.2.7", true)
		for range 3 { // the last lookup is at exactly the lifetime: still valid
			e.clock.Advance(20 * time.Minute)
			MustLookup(t, e.store, sess.ID, token, "192.0.2.7")
		}
		e.clock.Advance(time.Microsecond)
		if _, err := e.store.Lookup(t.Context(), sess.ID, token, "192.0.2.7"); !errors.Is(err, websession.ErrExpired) {
			t.Fatalf("err = %v, want ErrExpired", err)
		}
	})

	t.Run("ErrIPMismatch", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, websession.DefaultConfig())
		sess, token := MustLogin(t, e.store, MustCreateUser(t, e.db, "alice"), "192.0.2.7", true)
		_, err := e.store.Lookup(t.Context(), sess.ID, token, "2001:db8::7")
		if !errors.Is(err, websession.ErrIPMismatch) || !websession.IsNoSession(err) {
			t.Fatalf("err = %v, want ErrIPMismatch", err)
		}
		MustLookup(t, e.store, sess.ID, token, "192.0.2.7")
	})

	t.Run("OK/CheckIPOff", func(t *testing.T) {
		t.Parallel()
		cfg := websession.DefaultConfig()
		cfg.CheckIP = false
		e := newEnv(t, cfg)
		sess, token := MustLogin(t, e.store, MustCreateUser(t, e.db, "alice"), "192.0.2.7", true)
		if got := MustLookup(t, e.store, sess.ID, token, "2001:db8::7"); got.IPAddress != "192.0.2.7" {
			t.Fatalf("IPAddress = %q, want the address at login", got.IPAddress)
		}
	})

	t.Run("OK/AccessResolution", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, websession.DefaultConfig())
		sess, token := MustLogin(t, e.store, MustCreateUser(t, e.db, "alice"), "192.0.2.7", true)
		created := sess.LastActivity

		e.clock.Advance(30 * time.Second)
		got := MustLookup(t, e.store, sess.ID, token, "192.0.2.7")
		if stored := storedLastActivity(t, e.db, sess.ID); !stored.Equal(created) || !got.LastActivity.Equal(created) {
			t.Fatalf("at +30s: stored %v, returned %v; want unchanged %v", stored, got.LastActivity, created)
		}

		e.clock.Advance(31 * time.Second)
		want := e.clock.stamp()
		got = MustLookup(t, e.store, sess.ID, token, "192.0.2.7")
		if stored := storedLastActivity(t, e.db, sess.ID); !stored.Equal(want) || !got.LastActivity.Equal(want) {
			t.Fatalf("at +61s: stored %v, returned %v; want %v", stored, got.LastActivity, want)
		}
	})

	t.Run("OK/ZeroConfigTakesDefaults", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, websession.Config{})
		sess, token := MustLogin(t, e.store, MustCreateUser(t, e.db, "alice"), "192.0.2.7", true)
		e.clock.Advance(websession.DefaultIdleTimeout)
		MustLookup(t, e.store, sess.ID, token, "192.0.2.7")
	})
}

// BenchmarkLookup measures the common case: a valid session used again
// within the access resolution, so the lookup only reads.
func BenchmarkLookup(b *testing.B) {
	e := newEnv(b, websession.DefaultConfig())
	sess, token := MustLogin(b, e.store, MustCreateUser(b, e.db, "alice"), "192.0.2.7", true)
	ctx := b.Context()
	for b.Loop() {
		if _, err := e.store.Lookup(ctx, sess.ID, token, "192.0.2.7"); err != nil {
			b.Fatal(err)
		}
	}
}
