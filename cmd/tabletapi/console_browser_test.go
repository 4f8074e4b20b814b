package main_test

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// Browser tests of the console's login, sessions and logout, driving
// headless Chromium (console_fixture_test.go).

// TestConsoleBrowserLogin: a wrong password shows the refusal; the right
// one reaches the overview; the session pages list the sessions; logging
// out ends the session and returns to the login page.
func TestConsoleBrowserLogin(t *testing.T) {
	cs := startConsole(t)
	cs.addUser(t, "console", "ada", "s3cret-ada", "--superuser")
	b := newBrowser(t)

	b.login(t, cs, "ada", "wrong")
	if got := b.text(t, "#refusal"); got != msgBadLogin {
		t.Fatalf("refusal = %q, want %q", got, msgBadLogin)
	}
	if n := cs.count(t, "sessions", "1 = 1"); n != 0 {
		t.Fatalf("%d session rows after a failed login, want 0", n)
	}

	b.login(t, cs, "ada", "s3cret-ada")
	if loc := b.location(t); loc != cs.URL("/") {
		t.Fatalf("after login at %s, want %s", loc, cs.URL("/"))
	}
	if got := b.text(t, "main"); !strings.Contains(got, "Welcome, ada") {
		t.Fatalf("overview says %q", got)
	}
	b.visit(t, cs.URL("/sessions"))
	if got := b.text(t, "table.sessions"); !strings.Contains(got, "(this one)") || !strings.Contains(got, "console") {
		t.Fatalf("your sessions: %q", got)
	}
	b.visit(t, cs.URL("/active"))
	if got := b.text(t, "table.sessions"); !strings.Contains(got, "ada") {
		t.Fatalf("active sessions: %q", got)
	}

	b.submit(t, `form.logout button`)
	if loc := b.location(t); loc != cs.URL("/login") {
		t.Fatalf("after logout at %s, want the login page", loc)
	}
	if n := cs.count(t, "sessions", "1 = 1"); n != 0 {
		t.Fatalf("%d session rows after logout, want 0", n)
	}
	if n := cs.count(t, "audit_log", "operation = 'logout' AND source = 'console'"); n != 1 {
		t.Fatalf("console logout audit rows = %d, want 1", n)
	}
	b.visit(t, cs.URL("/sessions"))
	if loc := b.location(t); loc != cs.URL("/login") {
		t.Fatalf("after logout, /sessions shows %s, want the login page", loc)
	}
}

// TestConsoleBrowserLockout: failures on a tablet and on the console count
// together, and the console shows the lockout.
func TestConsoleBrowserLockout(t *testing.T) {
	cs := startConsole(t, "--lockout-threshold", "3", "--lockout-increment", "10m", "--login-throttle-burst", "1000")
	const pw = "s3cret-lola"
	cs.addUser(t, "console", "lola", pw, "--superuser", "--may-upload", "--may-register-devices")
	device := registeredClient(t, cs.testServer, "lola", pw).Device()
	for range 2 {
		r := mustDo(t, clientOn(cs.testServer, device, "lola", "wrong"), "check_upload_user_and_device", nil)
		wantReply(t, r, http.StatusOK, anonFailureReply(msgBadLogin))
	}
	b := newBrowser(t)
	b.login(t, cs, "lola", "wrong") // the third failure: locked from now on
	if got := b.text(t, "#refusal"); got != msgBadLogin {
		t.Fatalf("third failure: refusal = %q, want %q", got, msgBadLogin)
	}
	until := storedTime(t, cs.testServer, "lockouts", "locked_until_utc", "username = ?", "lola")
	b.login(t, cs, "lola", pw)
	if got, want := b.text(t, "#refusal"), lockedMsg(until); got != want {
		t.Fatalf("locked: refusal = %q, want %q", got, want)
	}
}

// TestConsoleBrowserIdleExpiry: a session idle longer than
// --session-timeout no longer opens pages; the browser lands on the login
// page.
func TestConsoleBrowserIdleExpiry(t *testing.T) {
	cs := startConsole(t, "--session-timeout", "10m")
	cs.addUser(t, "console", "ada", "s3cret-ada", "--superuser")
	b := newBrowser(t)
	b.login(t, cs, "ada", "s3cret-ada")
	cs.Clock.Advance(9 * time.Minute)
	b.visit(t, cs.URL("/sessions"))
	if loc := b.location(t); loc != cs.URL("/sessions") {
		t.Fatalf("after 9 idle minutes at %s, want the page", loc)
	}
	cs.Clock.Advance(11 * time.Minute)
	b.visit(t, cs.URL("/sessions"))
	if loc := b.location(t); loc != cs.URL("/login") {
		t.Fatalf("after 11 idle minutes at %s, want the login page", loc)
	}
}
