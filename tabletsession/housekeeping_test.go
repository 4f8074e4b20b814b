package tabletsession_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tabletapi/tabletapi/websession"
)

func TestAuthenticator_RunHousekeeping(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, 0)
		bob := e.MustAddUser(t, "bob", goodPW, rights{})
		s := e.mustResolve(t, login("bob", goodPW, ip), outcome{userID: bob.ID, username: "bob", session: true, passwordLogin: true, work: bcryptCheck})
		for range 3 {
			e.mustRecordFailure(t, "carol") // locked for 10 minutes
		}
		// The session has been idle too long, and the lockout is over.
		e.clock.Advance(websession.DefaultIdleTimeout + time.Second)

		ctx, cancel := context.WithCancel(t.Context())
		tick, done := make(chan time.Time), make(chan struct{})
		go func() {
			e.auth.RunHousekeeping(ctx, tick)
			close(done)
		}()
		tick <- e.clock.Now()
		tick <- e.clock.Now() // received only once the first round is over
		for _, want := range []string{"of=sessions rows_deleted=1", "of=lockouts rows_deleted=1"} {
			if l := e.logs.String(); !strings.Contains(l, want) {
				t.Errorf("log lacks %q:\n%s", want, l)
			}
		}
		cancel()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatal("RunHousekeeping did not return after cancel")
		}
		if got := lockoutEnds(t, e.db); len(got) != 0 {
			t.Errorf("lockouts = %v, want none", got)
		}
		var n int
		if err := e.db.NewRaw("SELECT COUNT(*) FROM sessions").Scan(t.Context(), &n); err != nil || n != 0 {
			t.Errorf("sessions = %d, %v; want 0", n, err)
		}
		if strings.Contains(e.logs.String(), s.Token) {
			t.Error("the log contains a session token")
		}
	})

	t.Run("KeepsGoingAfterErrors", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, 0)
		e.db.Close() // every clean-up now fails
		ctx, cancel := context.WithCancel(t.Context())
		tick, done := make(chan time.Time), make(chan struct{})
		go func() {
			e.auth.RunHousekeeping(ctx, tick)
			close(done)
		}()
		for range 4 {
			tick <- e.clock.Now() // the fourth is received once three rounds are over
		}
		l := e.logs.String()
		// A fourth round may be under way.
		if n, m := strings.Count(l, `housekeeping failed" of=sessions`), strings.Count(l, `housekeeping failed" of=lockouts`); n < 3 || m < 3 {
			t.Errorf("failures logged: %d of sessions, %d of lockouts; want at least 3 of each:\n%s", n, m, l)
		}
		cancel()
		<-done
	})
}
