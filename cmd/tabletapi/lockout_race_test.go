package main_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/tabletapi/tabletapi/internal/dbtest"
	"github.com/tabletapi/tabletapi/internal/sqldb"
	"github.com/tabletapi/tabletapi/testclient"
)

// Concurrent wrong passwords (the hardening issue, item 1): on PostgreSQL,
// failures counted under READ COMMITTED let a user reach 32 checked wrong
// passwords before the first lockout, and some got two "locked out" audit
// rows.

// wrongLogins sends n wrong passwords for user at once, each from its
// own client address through the trusted proxy (so the per-IP throttle
// stays out of it), and returns the replies' error messages.
func wrongLogins(t *testing.T, s *testServer, user string, n int) []string {
	t.Helper()
	errs := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			c := clientVia(s, fmt.Sprintf("10.9.%d.%d", i/250, i%250+1), testclient.NewDeviceID(), user, "Wrong-Guess-1234")
			r, err := c.Do(context.Background(), "get_allowed_tables", nil)
			if err != nil {
				t.Error(err)
				return
			}
			errs[i] = r.Values["error"]
		})
	}
	wg.Wait()
	return errs
}

// wantLockedReply fails unless user's correct password is refused with the
// lockout message of its stored lockout.
func wantLockedReply(t *testing.T, s *testServer, user, pw string) {
	t.Helper()
	c := clientVia(s, "10.8.0.1", testclient.NewDeviceID(), user, pw)
	r, err := c.Do(context.Background(), "get_allowed_tables", nil)
	if err != nil {
		t.Fatal(err)
	}
	var until []time.Time
	if err := s.DB.NewSelect().Table("lockouts").Column("locked_until_utc").Where("username = ?", user).
		Scan(context.Background(), &until); err != nil {
		t.Fatal(err)
	}
	if len(until) != 1 {
		t.Fatalf("%s: %d lockout rows after %d failures; the correct password got %q",
			user, len(until), s.count(t, "login_failures", "username = ?", user), r.Body)
	}
	wantReply(t, r, http.StatusOK, "success:0\nerror:"+lockedMsg(until[0])+"\nsession_id:\nsession_token:\n")
}

// TestLoginLockoutConcurrentFailures: twelve wrong passwords at once, all
// checked by bcrypt side by side, lock the account, with one "locked out"
// audit row; the correct password is then refused. Twenty times.
func TestLoginLockoutConcurrentFailures(t *testing.T) {
	t.Parallel()
	s := startServer(t, "--trusted-proxies", "127.0.0.1/32", "--bcrypt-workers", "12")
	const pw = "Racer-Secret-2024"
	for i := range 20 {
		user := fmt.Sprintf("racer%d", i)
		s.addUser(t, "race", user, pw, "--may-register-devices")
		wrongLogins(t, s, user, 12)
		n := s.count(t, "login_failures", "username = ?", user)
		if n < 10 || n > 12 {
			t.Fatalf("%s: %d failures recorded for 12 wrong passwords", user, n)
		}
		if m := s.count(t, "audit_log", "details = ?", "Account "+user+" locked out for 10 minutes"); m != 1 {
			t.Fatalf("%s: %d 'locked out' audit rows after %d failures, want 1", user, m, n)
		}
		wantLockedReply(t, s, user, pw)
	}
}

// TestLoginLockoutRecheckAfterBcryptWait: with one bcrypt worker, thirty
// wrong passwords at once queue for it; once the account is locked, those
// still queued are refused without bcrypt and not counted, so the account
// earns one lockout, not three.
func TestLoginLockoutRecheckAfterBcryptWait(t *testing.T) {
	t.Parallel()
	s := startServer(t, "--trusted-proxies", "127.0.0.1/32", "--bcrypt-workers", "1", "--bcrypt-cost", "8", "--bcrypt-wait", "5m")
	const pw = "Queue-Secret-2024"
	s.addUser(t, "race", "queued", pw, "--may-register-devices")
	errs := wrongLogins(t, s, "queued", 30)
	refused := 0
	for _, e := range errs {
		if strings.HasPrefix(e, "Account locked; try again after ") {
			refused++
		} else if e != "Invalid username/password (or user not authorized)" {
			t.Fatalf("unexpected reply error %q", e)
		}
	}
	n := s.count(t, "login_failures", "username = 'queued'")
	if n+refused != 30 || n > 15 {
		t.Fatalf("%d failures recorded and %d refused as locked of 30; want the queue refused once locked", n, refused)
	}
	if m := s.count(t, "audit_log", "details LIKE 'Account queued locked out%'"); m != 1 {
		t.Fatalf("%d 'locked out' audit rows, want 1", m)
	}
	wantLockedReply(t, s, "queued", pw)
}

// TestLoginLockoutRepeatableReadDefault: the failure count stays atomic on
// a database whose default isolation is REPEATABLE READ, where a snapshot
// taken before the wait for the username's lock would miss the failure
// waited for.
func TestLoginLockoutRepeatableReadDefault(t *testing.T) {
	if !dbtest.Postgres() {
		t.Skip("needs PostgreSQL: set TABLETAPI_TEST_DATABASE_URL (CI sets it)")
	}
	t.Parallel()
	u := dbtest.NewURL(t)
	db, err := sqldb.Open(u)
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	name := strings.TrimPrefix(parsed.Path, "/")
	if _, err := db.ExecContext(context.Background(), "ALTER DATABASE ? SET default_transaction_isolation = 'repeatable read'", bun.Ident(name)); err != nil {
		t.Fatal(err)
	}
	db.Close()
	s := startServerOn(t, u, "--trusted-proxies", "127.0.0.1/32", "--bcrypt-workers", "12")
	const pw = "Racer-Secret-2024"
	for i := range 5 {
		user := fmt.Sprintf("rr%d", i)
		s.addUser(t, "race", user, pw, "--may-register-devices")
		wrongLogins(t, s, user, 12)
		if m := s.count(t, "audit_log", "details = ?", "Account "+user+" locked out for 10 minutes"); m != 1 {
			t.Fatalf("%s: %d 'locked out' audit rows after %d failures, want 1", user, m, s.count(t, "login_failures", "username = ?", user))
		}
		wantLockedReply(t, s, user, pw)
	}
}
