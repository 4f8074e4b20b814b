package tabletsession_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tabletapi/tabletapi/internal/account"
	"github.com/tabletapi/tabletapi/tabletsession"
)

// consoleLogin logs in to the console and fails the test on an error.
func (e *env) consoleLogin(tb testing.TB, user, pw, ip string) *tabletsession.Identity {
	tb.Helper()
	id, err := e.auth.ConsoleLogin(tb.Context(), user, pw, ip)
	if err != nil {
		tb.Fatalf("ConsoleLogin(%q): %v", user, err)
	}
	return id
}

// allowConsole gives u may_use_webviewer in group "ward".
func (e *env) allowConsole(tb testing.TB, u *account.User) {
	tb.Helper()
	if _, err := e.db.ExecContext(tb.Context(), "UPDATE memberships SET may_use_webviewer = ? WHERE user_id = ?", true, u.ID); err != nil {
		tb.Fatal(err)
	}
}

func TestAuthenticator_ConsoleLogin(t *testing.T) {
	t.Run("WhoMayLogIn", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, 20)
		root := e.MustAddUser(t, "root", goodPW, rights{superuser: true})
		viewer := e.MustAddUser(t, "viewer", goodPW, rights{upload: true})
		e.allowConsole(t, viewer)
		e.MustAddUser(t, "uploader", goodPW, rights{upload: true, register: true})

		for _, u := range []*account.User{root, viewer} {
			before := e.hasher.Work()
			id := e.consoleLogin(t, u.Username, goodPW, ip)
			// A console login costs one bcrypt (issue 12, Performance).
			if work := e.hasher.Work() - before; work != bcryptCheck {
				t.Errorf("%s: bcrypt work %d, want one check (%d)", u.Username, work, bcryptCheck)
			}
			if id.Refusal != nil || id.UserID != u.ID || id.SessionID == 0 || len(id.Token) != 24 {
				t.Errorf("%s: identity %+v, want a session", u.Username, id)
			}
			s, err := e.sessions.LookupHuman(t.Context(), id.SessionID, id.Token, ip)
			if err != nil || s.IsAPI {
				t.Errorf("%s: LookupHuman = %+v, %v; want a human session", u.Username, s, err)
			}
		}
		// Right password, but no console permission: refused as a bad
		// login, and no failure counted.
		id := e.consoleLogin(t, "uploader", goodPW, ip)
		if id.Refusal != tabletsession.ErrBadLogin || id.UserID != 0 || id.SessionID != 0 {
			t.Errorf("uploader: identity %+v, want ErrBadLogin", id)
		}
		if got := failureCounts(t, e.db); len(got) != 0 {
			t.Errorf("failures = %v, want none", got)
		}
		if id := e.consoleLogin(t, "", goodPW, ip); id.Refusal != tabletsession.ErrBadLogin {
			t.Errorf("no user: refusal %v, want ErrBadLogin", id.Refusal)
		}
	})

	// Disabled users log in nowhere, whatever their rights.
	t.Run("Disabled", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, 20)
		e.MustAddUser(t, "root", goodPW, rights{superuser: true, upload: true})
		if _, err := e.db.ExecContext(t.Context(), "UPDATE users SET disabled = ? WHERE username = 'root'", true); err != nil {
			t.Fatal(err)
		}
		if id := e.consoleLogin(t, "root", goodPW, ip); id.Refusal != tabletsession.ErrBadLogin {
			t.Errorf("console: refusal %v, want ErrBadLogin", id.Refusal)
		}
		e.mustResolve(t, login("root", goodPW, ip), outcome{username: "root", refusal: tabletsession.ErrBadLogin, passwordLogin: true, work: bcryptCheck})
	})

	// SharedCounters: failures on a tablet and on the console count
	// towards one lockout (threshold 3 here), and the lockout refuses both.
	t.Run("SharedCounters", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, 20)
		root := e.MustAddUser(t, "root", goodPW, rights{superuser: true})
		e.mustResolve(t, login("root", badPW, ip), outcome{username: "root", refusal: tabletsession.ErrBadLogin, passwordLogin: true, work: bcryptCheck})
		e.consoleLogin(t, "root", badPW, ip)
		e.consoleLogin(t, "root", badPW, ip)
		locked := lockedRefusal(utc(12, 10, 1, 0))
		before := e.hasher.Work()
		if id := e.consoleLogin(t, "root", goodPW, ip); !sameError(id.Refusal, locked) {
			t.Errorf("console after 3 failures: refusal %v, want %v", id.Refusal, locked)
		}
		if work := e.hasher.Work() - before; work != 0 {
			t.Errorf("a locked console login spent bcrypt work %d, want none", work)
		}
		e.mustResolve(t, login("root", goodPW, ip), outcome{username: "root", refusal: locked})
		want := []string{
			"tablet login_failed Failed login as user: root",
			"console login_failed Failed login as user: root",
			"console login_failed Failed login as user: root",
			"console lockout Account root locked out for 10 minutes",
		}
		if diff := cmp.Diff(want, auditSourceOps(t, e)); diff != "" {
			t.Errorf("audit (-want +got):\n%s", diff)
		}
		e.clock.Advance(10 * time.Minute)
		if id := e.consoleLogin(t, "root", goodPW, ip); id.UserID != root.ID {
			t.Errorf("after the lockout: identity %+v, want root", id)
		}
	})

	t.Run("Throttled", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, 1)
		e.MustAddUser(t, "root", goodPW, rights{superuser: true})
		e.consoleLogin(t, "root", badPW, ip)
		if id := e.consoleLogin(t, "root", goodPW, ip); id.Refusal != tabletsession.ErrThrottled {
			t.Errorf("refusal %v, want ErrThrottled", id.Refusal)
		}
	})

	// OneHumanSession: a second console login ends the first; the user's
	// tablet session survives.
	t.Run("OneHumanSession", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, 20)
		e.MustAddUser(t, "root", goodPW, rights{superuser: true})
		tablet := e.mustResolve(t, login("root", goodPW, ip), outcome{userID: 1, username: "root", session: true, passwordLogin: true, work: bcryptCheck})
		first := e.consoleLogin(t, "root", goodPW, ip)
		second := e.consoleLogin(t, "root", goodPW, ip)
		if second.SessionID == first.SessionID || second.Token == first.Token {
			t.Fatal("second login reused the first session")
		}
		if _, err := e.sessions.LookupHuman(t.Context(), first.SessionID, first.Token, ip); err == nil {
			t.Error("first console session still valid")
		}
		if _, err := e.sessions.LookupHuman(t.Context(), second.SessionID, second.Token, ip); err != nil {
			t.Errorf("second console session: %v", err)
		}
		if _, err := e.sessions.Lookup(t.Context(), tablet.SessionID, tablet.Token, ip); err != nil {
			t.Errorf("tablet session: %v", err)
		}
	})
}

// auditSourceOps returns "source operation details" of every audit row.
func auditSourceOps(tb testing.TB, e *env) []string {
	tb.Helper()
	out := []string{}
	err := e.db.NewRaw("SELECT source || ' ' || operation || ' ' || details FROM audit_log ORDER BY id").Scan(tb.Context(), &out)
	if err != nil {
		tb.Fatalf("read audit_log: %v", err)
	}
	return out
}
