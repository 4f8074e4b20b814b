package websession_test

import (
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/tabletapi/tabletapi/websession"
)

// TestStore_SessionKinds: a tablet's id and token do not open the console,
// and a console cookie does not open the tablet API.
func TestStore_SessionKinds(t *testing.T) {
	t.Parallel()
	e := newEnv(t, websession.DefaultConfig())
	uid := MustCreateUser(t, e.db, "alice")
	api, apiTok := MustLogin(t, e.store, uid, "192.0.2.7", true)
	human, humanTok := MustLogin(t, e.store, uid, "192.0.2.7", false)

	if _, err := e.store.LookupHuman(t.Context(), api.ID, apiTok, "192.0.2.7"); !errors.Is(err, websession.ErrNotFound) {
		t.Errorf("LookupHuman(API session): err = %v, want ErrNotFound", err)
	}
	if _, err := e.store.Lookup(t.Context(), human.ID, humanTok, "192.0.2.7"); !errors.Is(err, websession.ErrNotFound) {
		t.Errorf("Lookup(human session): err = %v, want ErrNotFound", err)
	}
	got, err := e.store.LookupHuman(t.Context(), human.ID, humanTok, "192.0.2.7")
	if err != nil || got.IsAPI || got.Username != "alice" {
		t.Fatalf("LookupHuman = %+v, %v; want alice's human session", got, err)
	}
	// The kind is checked after the token: a wrong token says nothing
	// about which kind the session is.
	if _, err := e.store.LookupHuman(t.Context(), api.ID, humanTok, "192.0.2.7"); !errors.Is(err, websession.ErrBadToken) {
		t.Errorf("LookupHuman(API session, wrong token): err = %v, want ErrBadToken", err)
	}
}

// TestStore_LookupHumanRules: the idle timeout, the access resolution and
// IP binding hold for human sessions as for tablets (PROTOCOL 3.3, 3.5).
func TestStore_LookupHumanRules(t *testing.T) {
	t.Parallel()
	cfg := websession.Config{IdleTimeout: 10 * time.Minute, Lifetime: time.Hour, AccessResolution: time.Minute, CheckIP: true}
	e := newEnv(t, cfg)
	uid := MustCreateUser(t, e.db, "alice")
	sess, tok := MustLogin(t, e.store, uid, "192.0.2.7", false)
	created := storedLastActivity(t, e.db, sess.ID)

	e.clock.Advance(30 * time.Second)
	if _, err := e.store.LookupHuman(t.Context(), sess.ID, tok, "192.0.2.7"); err != nil {
		t.Fatal(err)
	}
	if got := storedLastActivity(t, e.db, sess.ID); !got.Equal(created) {
		t.Errorf("last activity written within the resolution: %v, want %v", got, created)
	}
	e.clock.Advance(31 * time.Second)
	if _, err := e.store.LookupHuman(t.Context(), sess.ID, tok, "192.0.2.7"); err != nil {
		t.Fatal(err)
	}
	if got := storedLastActivity(t, e.db, sess.ID); !got.Equal(e.clock.stamp()) {
		t.Errorf("last activity after the resolution = %v, want %v", got, e.clock.stamp())
	}
	if _, err := e.store.LookupHuman(t.Context(), sess.ID, tok, "192.0.2.8"); !errors.Is(err, websession.ErrIPMismatch) {
		t.Errorf("other IP: err = %v, want ErrIPMismatch", err)
	}
	e.clock.Advance(10*time.Minute + time.Second)
	if _, err := e.store.LookupHuman(t.Context(), sess.ID, tok, "192.0.2.7"); !errors.Is(err, websession.ErrExpired) {
		t.Errorf("after the idle timeout: err = %v, want ErrExpired", err)
	}
}

// TestStore_DisabledUser: a disabled user's sessions are not found, even if
// a row is left (disabling deletes them; this is the second guard).
func TestStore_DisabledUser(t *testing.T) {
	t.Parallel()
	e := newEnv(t, websession.DefaultConfig())
	uid := MustCreateUser(t, e.db, "alice")
	api, apiTok := MustLogin(t, e.store, uid, "192.0.2.7", true)
	human, humanTok := MustLogin(t, e.store, uid, "192.0.2.7", false)
	if _, err := e.db.ExecContext(t.Context(), "UPDATE users SET disabled = ? WHERE id = ?", true, uid); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.Lookup(t.Context(), api.ID, apiTok, "192.0.2.7"); !errors.Is(err, websession.ErrNotFound) {
		t.Errorf("tablet session of a disabled user: err = %v, want ErrNotFound", err)
	}
	if _, err := e.store.LookupHuman(t.Context(), human.ID, humanTok, "192.0.2.7"); !errors.Is(err, websession.ErrNotFound) {
		t.Errorf("human session of a disabled user: err = %v, want ErrNotFound", err)
	}
}

func TestStore_FormTokens(t *testing.T) {
	t.Run("SingleUse", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, websession.DefaultConfig())
		sess, _ := MustLogin(t, e.store, MustCreateUser(t, e.db, "alice"), "192.0.2.7", false)
		tok := mustIssue(t, e.store, sess.ID)
		if len(tok) != 24 {
			t.Errorf("token %q has %d characters, want 24", tok, len(tok))
		}
		if err := e.store.UseFormToken(t.Context(), sess.ID, tok); err != nil {
			t.Fatalf("first use: %v", err)
		}
		if err := e.store.UseFormToken(t.Context(), sess.ID, tok); !errors.Is(err, websession.ErrBadFormToken) {
			t.Fatalf("replay: err = %v, want ErrBadFormToken", err)
		}
	})

	t.Run("Refused", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, websession.DefaultConfig())
		uid := MustCreateUser(t, e.db, "alice")
		sess, _ := MustLogin(t, e.store, uid, "192.0.2.7", false)
		other, _ := MustLogin(t, e.store, MustCreateUser(t, e.db, "bob"), "192.0.2.7", false)
		tok := mustIssue(t, e.store, sess.ID)
		for name, try := range map[string]struct {
			id    int64
			token string
		}{
			"empty":         {sess.ID, ""},
			"unknown":       {sess.ID, "Qm9vZ2llV29vZ2llMTIzNA=="},
			"other session": {other.ID, tok},
			"digest itself": {sess.ID, storedQueue(t, e, sess.ID)[0]},
		} {
			if err := e.store.UseFormToken(t.Context(), try.id, try.token); !errors.Is(err, websession.ErrBadFormToken) {
				t.Errorf("%s: err = %v, want ErrBadFormToken", name, err)
			}
		}
		// The refusals consumed nothing: the real token still works once.
		if err := e.store.UseFormToken(t.Context(), sess.ID, tok); err != nil {
			t.Fatalf("real token after refusals: %v", err)
		}
		api, _ := MustLogin(t, e.store, uid, "192.0.2.7", true)
		if _, err := e.store.IssueFormToken(t.Context(), api.ID); !errors.Is(err, websession.ErrNotFound) {
			t.Errorf("IssueFormToken on a tablet session: err = %v, want ErrNotFound", err)
		}
		if err := e.store.Logout(t.Context(), sess.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.store.IssueFormToken(t.Context(), sess.ID); !errors.Is(err, websession.ErrNotFound) {
			t.Errorf("IssueFormToken after logout: err = %v, want ErrNotFound", err)
		}
	})

	// QueueOf16: the 16 newest tokens work in any order; the 17th-newest
	// has fallen off.
	t.Run("QueueOf16", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, websession.DefaultConfig())
		sess, _ := MustLogin(t, e.store, MustCreateUser(t, e.db, "alice"), "192.0.2.7", false)
		var toks []string
		for range websession.FormTokenQueue + 1 {
			toks = append(toks, mustIssue(t, e.store, sess.ID))
		}
		if n := len(storedQueue(t, e, sess.ID)); n != websession.FormTokenQueue {
			t.Fatalf("queue holds %d digests, want %d", n, websession.FormTokenQueue)
		}
		if err := e.store.UseFormToken(t.Context(), sess.ID, toks[0]); !errors.Is(err, websession.ErrBadFormToken) {
			t.Errorf("oldest token: err = %v, want ErrBadFormToken", err)
		}
		newest := toks[1:]
		slices.Reverse(newest)
		for i, tok := range newest {
			if err := e.store.UseFormToken(t.Context(), sess.ID, tok); err != nil {
				t.Errorf("token %d: %v", i, err)
			}
		}
		if q := storedQueue(t, e, sess.ID); len(q) != 0 {
			t.Errorf("queue after using every token = %v, want empty", q)
		}
	})

	// Concurrent: many requests of one session race to issue and use
	// tokens; every token issued is used exactly once.
	t.Run("Concurrent", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, websession.DefaultConfig())
		sess, _ := MustLogin(t, e.store, MustCreateUser(t, e.db, "alice"), "192.0.2.7", false)
		var toks []string
		for range 8 {
			toks = append(toks, mustIssue(t, e.store, sess.ID))
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		ok := map[string]int{}
		for range 3 {
			for _, tok := range toks {
				wg.Go(func() {
					err := e.store.UseFormToken(t.Context(), sess.ID, tok)
					if err != nil && !errors.Is(err, websession.ErrBadFormToken) {
						t.Errorf("UseFormToken: %v", err)
					}
					if err == nil {
						mu.Lock()
						ok[tok]++
						mu.Unlock()
					}
				})
			}
		}
		wg.Wait()
		for _, tok := range toks {
			if ok[tok] != 1 {
				t.Errorf("token used %d times, want exactly once", ok[tok])
			}
		}
	})
}

func TestStore_Active(t *testing.T) {
	t.Parallel()
	cfg := websession.Config{IdleTimeout: 10 * time.Minute, Lifetime: time.Hour, AccessResolution: 0, CheckIP: true}
	e := newEnv(t, cfg)
	alice := MustCreateUser(t, e.db, "alice")
	bob := MustCreateUser(t, e.db, "bob")
	MustLogin(t, e.store, bob, "192.0.2.9", true) // idle-expired below
	e.clock.Advance(11 * time.Minute)
	a1, _ := MustLogin(t, e.store, alice, "192.0.2.7", false)
	e.clock.Advance(time.Minute)
	b1, _ := MustLogin(t, e.store, bob, "192.0.2.8", true)

	all, err := e.store.Active(t.Context(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := sessionSummary(all); !slices.Equal(got, []string{
		summaryOf(b1.ID, "bob", true), summaryOf(a1.ID, "alice", false),
	}) {
		t.Errorf("Active(all) = %v", got)
	}
	mine, err := e.store.Active(t.Context(), alice)
	if err != nil {
		t.Fatal(err)
	}
	if got := sessionSummary(mine); !slices.Equal(got, []string{summaryOf(a1.ID, "alice", false)}) {
		t.Errorf("Active(alice) = %v", got)
	}
}
