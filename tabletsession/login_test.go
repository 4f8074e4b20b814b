package tabletsession_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tabletapi/tabletapi/tabletsession"
	"github.com/tabletapi/tabletapi/websession"
)

const (
	goodPW = "correct horse"
	badPW  = "wrong password"
	ip     = "192.0.2.1"
)

// bcryptCheck is the work of one password check at bcrypt.MinCost.
const bcryptCheck = 1 << 4

// outcome is what a test expects of Resolve.
type outcome struct {
	userID        int64
	username      string
	session       bool  // a session id and token are set
	refusal       error // compared with sameError
	passwordLogin bool
	work          uint64 // bcrypt work spent
}

// mustResolve runs Resolve for r and checks its outcome.
func (e *env) mustResolve(tb testing.TB, r *tabletsession.Request, want outcome) *tabletsession.Identity {
	tb.Helper()
	before := e.hasher.Work()
	id, err := e.auth.Resolve(tb.Context(), r)
	if err != nil {
		tb.Fatalf("Resolve(%s, %s): %v", r.User, r.ClientIP, err)
	}
	if id.UserID != want.userID || id.Username != want.username || id.PasswordLogin != want.passwordLogin {
		tb.Errorf("Resolve(%s) = user %d %q, password login %t; want %d %q, %t",
			r.User, id.UserID, id.Username, id.PasswordLogin, want.userID, want.username, want.passwordLogin)
	}
	if got := id.SessionID != 0 && id.Token != ""; got != want.session || (id.SessionID == 0) != (id.Token == "") {
		tb.Errorf("Resolve(%s): session %d, token set %t; want a session: %t", r.User, id.SessionID, id.Token != "", want.session)
	}
	if !sameError(id.Refusal, want.refusal) {
		tb.Errorf("Resolve(%s): refusal %v, want %v", r.User, id.Refusal, want.refusal)
	}
	if got := e.hasher.Work() - before; got != want.work {
		tb.Errorf("Resolve(%s): bcrypt work %d, want %d", r.User, got, want.work)
	}
	return id
}

// login is a password login request of user from ip.
func login(user, pw, from string) *tabletsession.Request {
	return &tabletsession.Request{User: user, Password: pw, ClientIP: from}
}

func TestAuthenticator_Resolve(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, 5)
		bob := e.MustAddUser(t, "bob", goodPW, rights{})
		e.mustResolve(t, login("bob", badPW, ip), outcome{username: "bob", refusal: tabletsession.ErrBadLogin, passwordLogin: true, work: bcryptCheck})
		e.mustResolve(t, login("bob", goodPW, ip), outcome{userID: bob.ID, username: "bob", session: true, passwordLogin: true, work: bcryptCheck})
		// A success clears the failures.
		if got := failureCounts(t, e.db); len(got) != 0 {
			t.Errorf("failures after a login = %v, want none", got)
		}
		want := []string{"Failed login as user: bob", "Login as user: bob"}
		if diff := cmp.Diff(want, auditDetails(t, e.db)); diff != "" {
			t.Errorf("audit (-want +got):\n%s", diff)
		}
	})

	t.Run("NoUserIsAnonymous", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, 5)
		e.mustResolve(t, &tabletsession.Request{ClientIP: ip}, outcome{})
	})

	t.Run("UnknownUserSpendsBcrypt", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, 5)
		e.mustResolve(t, login("nobody", badPW, ip), outcome{username: "nobody", refusal: tabletsession.ErrBadLogin, passwordLogin: true, work: bcryptCheck})
		if diff := cmp.Diff(map[string]int{"nobody": 1}, failureCounts(t, e.db)); diff != "" {
			t.Errorf("failures (-want +got):\n%s", diff)
		}
	})

	// PROTOCOL 4: the throttle is checked first, then the lockout, then
	// the password; a refusal before the password spends no bcrypt and
	// records no failure.
	t.Run("RefusalOrder", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, 2)
		bob := e.MustAddUser(t, "bob", goodPW, rights{})
		bad := outcome{username: "bob", refusal: tabletsession.ErrBadLogin, passwordLogin: true, work: bcryptCheck}
		e.mustResolve(t, login("bob", badPW, ip), bad)
		e.mustResolve(t, login("bob", badPW, ip), bad)
		// The IP's two tokens are spent; bob is not locked yet.
		e.mustResolve(t, login("bob", goodPW, ip), outcome{username: "bob", refusal: tabletsession.ErrThrottled})
		// The third failure, from elsewhere, locks bob for 10 minutes
		// from 12:00:00.123456 UTC; it is still a bad login.
		e.mustResolve(t, login("bob", badPW, "192.0.2.2"), outcome{username: "bob", refusal: tabletsession.ErrBadLogin, passwordLogin: true, work: bcryptCheck})
		locked := lockedRefusal(utc(12, 10, 1, 0))
		e.mustResolve(t, login("bob", goodPW, ip), outcome{username: "bob", refusal: tabletsession.ErrThrottled})
		e.mustResolve(t, login("bob", goodPW, "192.0.2.3"), outcome{username: "bob", refusal: locked})
		want := []string{
			"Failed login as user: bob", "Failed login as user: bob",
			"Failed login as user: bob", "Account bob locked out for 10 minutes",
		}
		if diff := cmp.Diff(want, auditDetails(t, e.db)); diff != "" {
			t.Errorf("audit (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(map[string]int{"bob": 3}, failureCounts(t, e.db)); diff != "" {
			t.Errorf("failures (-want +got):\n%s", diff)
		}
		// When the lock ends, the password is checked again.
		e.clock.Advance(10 * time.Minute)
		e.mustResolve(t, login("bob", goodPW, "192.0.2.3"), outcome{userID: bob.ID, username: "bob", session: true, passwordLogin: true, work: bcryptCheck})
	})

	t.Run("SessionReuse", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, 5)
		bob := e.MustAddUser(t, "bob", goodPW, rights{})
		first := e.mustResolve(t, login("bob", goodPW, ip), outcome{userID: bob.ID, username: "bob", session: true, passwordLogin: true, work: bcryptCheck})
		// A valid session of the posted user stands without a password.
		r := login("bob", badPW, ip)
		r.HasSession, r.SessionID, r.SessionToken = true, first.SessionID, first.Token
		again := e.mustResolve(t, r, outcome{userID: bob.ID, username: "bob", session: true})
		if again.SessionID != first.SessionID || again.Token != first.Token {
			t.Errorf("reused session %d, want %d with the same token", again.SessionID, first.SessionID)
		}
		// A bad token is no session: the password decides.
		r.SessionToken = "not the token"
		e.mustResolve(t, r, outcome{username: "bob", refusal: tabletsession.ErrBadLogin, passwordLogin: true, work: bcryptCheck})
	})

	t.Run("SessionOfAnotherUserIsWiped", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, 5)
		bob := e.MustAddUser(t, "bob", goodPW, rights{})
		alice := e.MustAddUser(t, "alice", goodPW, rights{})
		s := e.mustResolve(t, login("bob", goodPW, ip), outcome{userID: bob.ID, username: "bob", session: true, passwordLogin: true, work: bcryptCheck})
		r := login("alice", goodPW, ip)
		r.HasSession, r.SessionID, r.SessionToken = true, s.SessionID, s.Token
		got := e.mustResolve(t, r, outcome{userID: alice.ID, username: "alice", session: true, passwordLogin: true, work: bcryptCheck})
		if got.SessionID == s.SessionID {
			t.Errorf("alice got bob's session %d", s.SessionID)
		}
		if _, err := e.sessions.Lookup(t.Context(), s.SessionID, s.Token, ip); !errors.Is(err, websession.ErrNotFound) {
			t.Errorf("bob's session after another user presented it: Lookup = %v, want ErrNotFound", err)
		}
	})
}
