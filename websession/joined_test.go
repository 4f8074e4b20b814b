package websession_test

import (
	"errors"
	"testing"
	"time"

	"github.com/tabletapi/tabletapi/websession"
)

func TestJoinedLookup(t *testing.T) {
	// extra reads the user's name again, through a join with a
	// placeholder, so the test sees the extra columns and the argument
	// order (extra placeholders first, the session id last).
	const columns, joins = `v.username, ?`, `JOIN users AS v ON v.id = u.id AND v.username <> ?`

	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, websession.DefaultConfig())
		uid := MustCreateUser(t, e.db, "alice")
		want, token := MustLogin(t, e.store, uid, "192.0.2.7", true)
		j := e.store.NewJoinedLookup(columns, joins)
		t.Cleanup(func() { j.Close() })
		var name, echo string
		got, err := j.Lookup(t.Context(), want.ID, token, "192.0.2.7", []any{"echoed", "nobody"}, &name, &echo)
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != want.ID || got.Username != "alice" || got.UserID != uid || name != "alice" || echo != "echoed" {
			t.Fatalf("Lookup = %+v, extra %q %q; want session %d of alice, extra alice echoed", got, name, echo, want.ID)
		}
		if got.CreatedAt.Location() != time.UTC {
			t.Fatalf("created at %v, want UTC", got.CreatedAt)
		}
	})

	// The rules are Lookup's: a sample of each refusal.
	t.Run("Refusals", func(t *testing.T) {
		t.Parallel()
		cfg := websession.DefaultConfig()
		cfg.CheckIP = true
		e := newEnv(t, cfg)
		uid := MustCreateUser(t, e.db, "alice")
		sess, token := MustLogin(t, e.store, uid, "192.0.2.7", true)
		human, htoken := MustLogin(t, e.store, uid, "192.0.2.7", false)
		j := e.store.NewJoinedLookup(columns, joins)
		t.Cleanup(func() { j.Close() })
		var name, echo string
		for _, c := range []struct {
			name      string
			id        int64
			token, ip string
			want      error
		}{
			{"BadToken", sess.ID, htoken, "192.0.2.7", websession.ErrBadToken},
			{"Human", human.ID, htoken, "192.0.2.7", websession.ErrNotFound},
			{"NoSuchSession", 12345, token, "192.0.2.7", websession.ErrNotFound},
			{"IPMismatch", sess.ID, token, "192.0.2.8", websession.ErrIPMismatch},
		} {
			_, err := j.Lookup(t.Context(), c.id, c.token, c.ip, []any{"x", "nobody"}, &name, &echo)
			if !errors.Is(err, c.want) || !websession.IsNoSession(err) {
				t.Errorf("%s: err = %v, want %v", c.name, err, c.want)
			}
		}
		e.clock.Advance(websession.DefaultConfig().IdleTimeout + time.Second)
		if _, err := j.Lookup(t.Context(), sess.ID, token, "192.0.2.7", []any{"x", "nobody"}, &name, &echo); !errors.Is(err, websession.ErrExpired) {
			t.Errorf("idle: err = %v, want ErrExpired", err)
		}
	})

	// The activity write is Lookup's too: once the resolution has passed.
	t.Run("Touch", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, websession.DefaultConfig())
		uid := MustCreateUser(t, e.db, "alice")
		sess, token := MustLogin(t, e.store, uid, "192.0.2.7", true)
		j := e.store.NewJoinedLookup(columns, joins)
		t.Cleanup(func() { j.Close() })
		var name, echo string
		e.clock.Advance(websession.DefaultAccessResolution)
		got, err := j.Lookup(t.Context(), sess.ID, token, "192.0.2.7", []any{"x", "nobody"}, &name, &echo)
		if err != nil {
			t.Fatal(err)
		}
		if stored := storedLastActivity(t, e.db, sess.ID); !stored.Equal(e.clock.stamp()) || !got.LastActivity.Equal(stored) {
			t.Fatalf("last activity stored %v, returned %v; want %v", stored, got.LastActivity, e.clock.stamp())
		}
	})
}
