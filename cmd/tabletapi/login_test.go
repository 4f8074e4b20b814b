package main_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/tabletapi/tabletapi/testclient"
)

// End-to-end tests of login security (PROTOCOL 4).

// lockedMsg is the lockout message for a lockout ending at until, which
// the message rounds up to the whole second (PROTOCOL 4.3).
func lockedMsg(until time.Time) string {
	u := until.UTC()
	if tr := u.Truncate(time.Second); !tr.Equal(u) {
		u = tr.Add(time.Second)
	}
	return "Account locked; try again after " + u.Format("2006-01-02T15:04:05Z")
}

// forwardedFor is a transport that sends X-Forwarded-For: ip, as a reverse proxy
// would in front of the server.
type forwardedFor struct{ ip string }

func (x forwardedFor) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("X-Forwarded-For", x.ip)
	return http.DefaultTransport.RoundTrip(r)
}

// clientVia returns a client whose requests come through a trusted proxy
// for client address ip.
func clientVia(s *testServer, ip, device, user, pw string) *testclient.Client {
	return testclient.New(testclient.Config{
		URL: s.API, Device: device, User: user, Password: pw,
		HTTPClient: &http.Client{Transport: forwardedFor{ip}, Timeout: testclient.DefaultTimeout},
	})
}

// TestLoginFailureSameReply: an unknown user, a wrong password and a
// missing password get the same reply, and each is recorded as a failure
// and audited (PROTOCOL 4 step 4, 4.2).
func TestLoginFailureSameReply(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	const pw = "Lena-Secret-5150"
	device := s.addUploader(t, "loginfail", "lena", pw).Device()

	var bodies []string
	for _, tc := range []struct{ name, user, pw string }{
		{"UnknownUser", "nobody", "Wrong-Secret-0101"},
		{"WrongPassword", "lena", "Wrong-Secret-0102"},
		{"MissingPassword", "lena", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			failures := s.count(t, "login_failures", "username = ?", tc.user)
			audits := s.count(t, "audit_log", "details = ? AND username = ? AND remote_addr = '127.0.0.1' AND user_id IS NULL",
				"Failed login as user: "+tc.user, tc.user)
			r := mustDo(t, clientOn(s, device, tc.user, tc.pw), "check_upload_user_and_device", nil)
			wantReply(t, r, http.StatusOK, anonFailureReply(msgBadLogin))
			bodies = append(bodies, string(r.Body))
			if n := s.count(t, "login_failures", "username = ?", tc.user); n != failures+1 {
				t.Fatalf("failures of %s = %d, want %d", tc.user, n, failures+1)
			}
			if n := s.count(t, "audit_log", "details = ? AND username = ? AND remote_addr = '127.0.0.1' AND user_id IS NULL",
				"Failed login as user: "+tc.user, tc.user); n != audits+1 {
				t.Fatalf("failure audit rows of %s = %d, want %d", tc.user, n, audits+1)
			}
		})
	}
	for _, b := range bodies[1:] {
		if b != bodies[0] {
			t.Fatalf("replies differ:\n%s\n%s", bodies[0], b)
		}
	}
	if n := s.count(t, "sessions", "user_id = ?", lookupUserID(t, s, "lena")); n != 1 {
		t.Fatalf("sessions of lena = %d, want only the registration's", n)
	}
	wantNoSecrets(t, s, pw, "Wrong-Secret-0101", "Wrong-Secret-0102")
}

// TestLoginLockout: --lockout-threshold 3 --lockout-increment 10m through
// real failed logins (PROTOCOL 4.3).
func TestLoginLockout(t *testing.T) {
	t.Parallel()
	s := startServer(t, "--lockout-threshold", "3", "--lockout-increment", "10m", "--login-throttle-burst", "1000")
	const pw = "Lola-Secret-8008"
	const bad = "Wrong-Secret-0201"
	s.addUser(t, "lockout", "lola", pw, "--may-upload", "--may-register-devices")
	s.addUser(t, "lockout", "lulu", pw, "--may-upload", "--may-register-devices")
	s.addUser(t, "lockout", "lina", pw, "--may-upload", "--may-register-devices")
	device := registeredClient(t, s, "lola", pw).Device()
	secrets := []string{pw, bad}

	// failN makes n failed logins as user and checks each reply.
	failN := func(t *testing.T, user string, n int) {
		t.Helper()
		for range n {
			r := mustDo(t, clientOn(s, device, user, bad), "check_upload_user_and_device", nil)
			wantReply(t, r, http.StatusOK, anonFailureReply(msgBadLogin))
		}
	}
	// lockedUntil reads user's lockout and checks it ends inc after the
	// last failure.
	lockedUntil := func(t *testing.T, user string, inc time.Duration) time.Time {
		t.Helper()
		until := storedTime(t, s, "lockouts", "locked_until_utc", "username = ?", user)
		last := storedTime(t, s, "login_failures", "when_utc", "username = ?", user)
		if !until.Equal(last.Add(inc)) {
			t.Fatalf("locked_until_utc = %v, want the last failure %v + %v", until, last, inc)
		}
		return until
	}

	t.Run("RealUser", func(t *testing.T) {
		// A session from before the lockout.
		c := clientOn(s, device, "lola", pw)
		r := mustDo(t, c, "check_upload_user_and_device", nil)
		id, token := sessionOf(t, r)
		secrets = append(secrets, token)

		start := time.Now().UTC()
		failN(t, "lola", 3) // the third reaches the threshold but answers as usual
		end := time.Now().UTC()
		until := lockedUntil(t, "lola", 10*time.Minute)
		if until.Before(start.Add(10*time.Minute).Truncate(time.Microsecond)) || until.After(end.Add(10*time.Minute)) {
			t.Fatalf("locked_until_utc = %v, want 10 min after the third failure (in [%v, %v])", until, start, end)
		}
		if n := s.count(t, "audit_log", "details = ?", "Account lola locked out for 10 minutes"); n != 1 {
			t.Fatalf("lockout audit rows = %d, want 1", n)
		}

		// The right password is refused now, without being counted.
		for _, p := range []string{pw, bad, ""} {
			r = mustDo(t, clientOn(s, device, "lola", p), "check_upload_user_and_device", nil)
			wantReply(t, r, http.StatusOK, anonFailureReply(lockedMsg(until)))
		}
		r = mustDo(t, clientOn(s, device, "lola", pw), "get_allowed_tables", nil)
		wantReply(t, r, http.StatusOK, anonFailureReply(lockedMsg(until)))
		if n := s.count(t, "login_failures", "username = 'lola'"); n != 3 {
			t.Fatalf("failures of lola = %d, want 3: refused logins are not failures", n)
		}
		if n := s.count(t, "audit_log", "details = 'Failed login as user: lola'"); n != 3 {
			t.Fatalf("failure audit rows = %d, want 3", n)
		}

		// Anonymous operations still succeed.
		r = mustDo(t, clientOn(s, device, "lola", pw), "check_device_registered", nil)
		wantReply(t, r, http.StatusOK, successReplyIn("check_device_registered", "", ""))
		// The session from before keeps working.
		r = mustDo(t, c, "check_upload_user_and_device", nil)
		wantReply(t, r, http.StatusOK, successReplyIn("check_upload_user_and_device", id, token))

		// user unlock clears the lockout and the failures.
		s.mustAdmin(t, "", "user", "unlock", "lola")
		if n := s.count(t, "login_failures", "username = 'lola'") + s.count(t, "lockouts", "username = 'lola'"); n != 0 {
			t.Fatalf("%d failure or lockout rows of lola left after unlock", n)
		}
		r = mustDo(t, clientOn(s, device, "lola", pw), "check_upload_user_and_device", nil)
		wantReply(t, r, http.StatusOK, successReply("check_upload_user_and_device"))
		secrets = append(secrets, r.Values["session_token"])
	})

	t.Run("UnknownUser", func(t *testing.T) {
		failN(t, "ghost", 3)
		until := lockedUntil(t, "ghost", 10*time.Minute)
		if n := s.count(t, "audit_log", "details = ?", "Account ghost locked out for 10 minutes"); n != 1 {
			t.Fatalf("lockout audit rows = %d, want 1", n)
		}
		r := mustDo(t, clientOn(s, device, "ghost", bad), "check_upload_user_and_device", nil)
		wantReply(t, r, http.StatusOK, anonFailureReply(lockedMsg(until)))
		if n := s.count(t, "login_failures", "username = 'ghost'"); n != 3 {
			t.Fatalf("failures of ghost = %d, want 3", n)
		}
	})

	// Escalation: 6 failures give 20 minutes. The first lockout is ended
	// by SQL, as if its 10 minutes had passed.
	t.Run("Escalation", func(t *testing.T) {
		failN(t, "lulu", 3)
		lockedUntil(t, "lulu", 10*time.Minute)
		mustExec(t, s, "UPDATE lockouts SET locked_until_utc = ? WHERE username = ?", time.Now().UTC().Add(-time.Second), "lulu")
		failN(t, "lulu", 3) // the 4th and 5th answer as usual; so does the 6th, which locks
		until := lockedUntil(t, "lulu", 20*time.Minute)
		if n := s.count(t, "audit_log", "details = ?", "Account lulu locked out for 20 minutes"); n != 1 {
			t.Fatalf("20-minute lockout audit rows = %d, want 1", n)
		}
		r := mustDo(t, clientOn(s, device, "lulu", pw), "check_upload_user_and_device", nil)
		wantReply(t, r, http.StatusOK, anonFailureReply(lockedMsg(until)))
		if n := s.count(t, "login_failures", "username = 'lulu'"); n != 6 {
			t.Fatalf("failures of lulu = %d, want 6", n)
		}
	})

	// A successful login clears the failures, so the count starts again.
	t.Run("SuccessClears", func(t *testing.T) {
		failN(t, "lina", 2)
		r := mustDo(t, clientOn(s, device, "lina", pw), "check_upload_user_and_device", nil)
		wantReply(t, r, http.StatusOK, successReply("check_upload_user_and_device"))
		secrets = append(secrets, r.Values["session_token"])
		if n := s.count(t, "login_failures", "username = 'lina'"); n != 0 {
			t.Fatalf("failures of lina = %d after a login, want 0", n)
		}
		failN(t, "lina", 1) // would be the third without the clearing
		r = mustDo(t, clientOn(s, device, "lina", pw), "check_upload_user_and_device", nil)
		wantReply(t, r, http.StatusOK, successReply("check_upload_user_and_device"))
		secrets = append(secrets, r.Values["session_token"])
		if n := s.count(t, "lockouts", "username = 'lina'"); n != 0 {
			t.Fatalf("lina locked out after 1 failure since her last login")
		}
	})
	wantNoSecrets(t, s, secrets...)
}

// TestLoginLockedAccount: the behaviour of an active lockout, with the
// lockout row written by SQL (PROTOCOL 4 step 2, 4.3, 5.3).
func TestLoginLockedAccount(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	const pw = "Lou-Secret-6116"
	device := s.addUploader(t, "locked", "lou", pw).Device()
	c := clientOn(s, device, "lou", pw)
	r := mustDo(t, c, "check_upload_user_and_device", nil)
	id, token := sessionOf(t, r)
	secrets := []string{pw, token}

	// A lockout ending at a fraction of a second is shown rounded up.
	until := time.Now().UTC().Add(10 * time.Minute).Truncate(time.Second).Add(250 * time.Millisecond)
	mustExec(t, s, "INSERT INTO lockouts (username, locked_until_utc) VALUES (?, ?)", "lou", until)
	wantMsg := "Account locked; try again after " + until.Truncate(time.Second).Add(time.Second).Format("2006-01-02T15:04:05Z")
	if lockedMsg(until) != wantMsg {
		t.Fatalf("lockedMsg = %q, want %q", lockedMsg(until), wantMsg)
	}
	for _, tc := range []struct{ op, pw string }{
		{"check_upload_user_and_device", pw},
		{"check_upload_user_and_device", "Wrong-Secret-0301"},
		{"get_id_info", pw},
		{"register", pw},
		{"get_allowed_tables", ""},
	} {
		r = mustDo(t, clientOn(s, device, "lou", tc.pw), tc.op, nil)
		wantReply(t, r, http.StatusOK, anonFailureReply(wantMsg))
	}
	// A lockout ending on a whole second is shown as it is.
	whole := until.Truncate(time.Second).Add(time.Minute)
	mustExec(t, s, "UPDATE lockouts SET locked_until_utc = ? WHERE username = ?", whole, "lou")
	r = mustDo(t, clientOn(s, device, "lou", pw), "check_upload_user_and_device", nil)
	wantReply(t, r, http.StatusOK, anonFailureReply("Account locked; try again after "+whole.Format("2006-01-02T15:04:05Z")))

	// Refused logins are not failures; nothing was logged in.
	if n := s.count(t, "login_failures", "1 = 1"); n != 0 {
		t.Fatalf("login_failures = %d, want 0: logins refused by a lockout are not failures", n)
	}
	if n := s.count(t, "audit_log", "details LIKE 'Failed login%'"); n != 0 {
		t.Fatalf("failure audit rows = %d, want 0", n)
	}
	if n := s.count(t, "sessions", "user_id = ?", lookupUserID(t, s, "lou")); n != 2 {
		t.Fatalf("sessions of lou = %d, want 2 (registration and c)", n)
	}

	// Anonymous operations still succeed, with or without the user.
	r = mustDo(t, clientOn(s, device, "lou", pw), "check_device_registered", nil)
	wantReply(t, r, http.StatusOK, successReplyIn("check_device_registered", "", ""))
	r = mustDo(t, clientOn(s, device, "", ""), "check_device_registered", nil)
	wantReply(t, r, http.StatusOK, successReplyIn("check_device_registered", "", ""))

	// The session from before keeps working, even with a wrong password.
	r = mustDo(t, c, "check_upload_user_and_device", nil)
	wantReply(t, r, http.StatusOK, successReplyIn("check_upload_user_and_device", id, token))
	c.SetCredentials("lou", "Wrong-Secret-0302")
	r = mustDo(t, c, "get_id_info", nil)
	wantReply(t, r, http.StatusOK, idInfoBlock+"success:1\nsession_id:"+id+"\nsession_token:"+token+"\n")

	// Unknown usernames are locked out too.
	mustExec(t, s, "INSERT INTO lockouts (username, locked_until_utc) VALUES (?, ?)", "ghost", whole)
	r = mustDo(t, clientOn(s, device, "ghost", "x"), "check_upload_user_and_device", nil)
	wantReply(t, r, http.StatusOK, anonFailureReply("Account locked; try again after "+whole.Format("2006-01-02T15:04:05Z")))

	// user unlock clears the lockout and the failure rows.
	for range 2 {
		mustExec(t, s, "INSERT INTO login_failures (username, when_utc) VALUES (?, ?)", "lou", time.Now().UTC())
	}
	out := s.mustAdmin(t, "", "user", "unlock", "lou")
	if out != "lou unlocked: 1 lockout(s) and 2 failed login(s) cleared\n" {
		t.Fatalf("user unlock said %q", out)
	}
	if n := s.count(t, "login_failures", "username = 'lou'") + s.count(t, "lockouts", "username = 'lou'"); n != 0 {
		t.Fatalf("%d failure or lockout rows of lou left after unlock", n)
	}
	if n := s.count(t, "lockouts", "username = 'ghost'"); n != 1 {
		t.Fatalf("unlocking lou touched ghost's lockout")
	}
	r = mustDo(t, clientOn(s, device, "lou", pw), "check_upload_user_and_device", nil)
	wantReply(t, r, http.StatusOK, successReply("check_upload_user_and_device"))
	secrets = append(secrets, r.Values["session_token"])

	// An expired lockout no longer refuses.
	mustExec(t, s, "INSERT INTO lockouts (username, locked_until_utc) VALUES (?, ?)", "lou", time.Now().UTC().Add(-time.Second))
	r = mustDo(t, clientOn(s, device, "lou", pw), "check_upload_user_and_device", nil)
	wantReply(t, r, http.StatusOK, successReply("check_upload_user_and_device"))
	secrets = append(secrets, r.Values["session_token"])
	wantNoSecrets(t, s, append(secrets, "Wrong-Secret-0301", "Wrong-Secret-0302")...)
}

// TestLoginSuccessClearsFailureRows: a successful login deletes the
// username's failure rows, and only those (PROTOCOL 4 step 5).
func TestLoginSuccessClearsFailureRows(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	const pw = "Lina-Secret-2442"
	s.addUser(t, "clears", "lina", pw, "--may-register-devices")
	for _, u := range []string{"lina", "lina", "other"} {
		mustExec(t, s, "INSERT INTO login_failures (username, when_utc) VALUES (?, ?)", u, time.Now().UTC())
	}
	r := mustDo(t, s.client("lina", pw), "register", map[string]string{"devicefriendlyname": "x"})
	wantReply(t, r, http.StatusOK, idInfoBlock+"success:1\nsession_id:{session_id}\nsession_token:{session_token}\n")
	if n := s.count(t, "login_failures", "username = 'lina'"); n != 0 {
		t.Fatalf("failures of lina = %d after a successful login, want 0", n)
	}
	if n := s.count(t, "login_failures", "username = 'other'"); n != 1 {
		t.Fatalf("failures of other = %d, want 1", n)
	}
	if n := s.count(t, "audit_log", "details = 'Login as user: lina' AND user_id = ? AND remote_addr = '127.0.0.1'", lookupUserID(t, s, "lina")); n != 1 {
		t.Fatalf("login audit rows = %d, want 1", n)
	}
	wantNoSecrets(t, s, pw, r.Values["session_token"])
}

// TestLoginThrottle: after --login-throttle-burst failures from an address,
// its password logins are refused, even with valid credentials, and not
// counted; sessions and anonymous operations still work (PROTOCOL 4.4).
func TestLoginThrottle(t *testing.T) {
	t.Parallel()
	s := startServer(t, "--login-throttle-burst", "3", "--login-throttle-refill", "1h")
	const pw = "Tess-Secret-9339"
	s.addUser(t, "throttle", "tess", pw, "--may-upload", "--may-register-devices")
	s.addUser(t, "throttle", "tina", pw, "--may-upload", "--may-register-devices")
	device := registeredClient(t, s, "tess", pw).Device()
	c := clientOn(s, device, "tess", pw)
	r := mustDo(t, c, "check_upload_user_and_device", nil)
	id, token := sessionOf(t, r)

	for _, f := range []struct{ user, pw string }{{"tess", "Wrong-Secret-0401"}, {"ghost", "Wrong-Secret-0402"}, {"tina", ""}} {
		r = mustDo(t, clientOn(s, device, f.user, f.pw), "check_upload_user_and_device", nil)
		wantReply(t, r, http.StatusOK, anonFailureReply(msgBadLogin))
	}
	for _, u := range []string{"tess", "tina", "ghost"} {
		r = mustDo(t, clientOn(s, device, u, pw), "check_upload_user_and_device", nil)
		wantReply(t, r, http.StatusOK, anonFailureReply(msgThrottled))
	}
	r = mustDo(t, s.client("tina", pw), "register", map[string]string{"devicefriendlyname": "x"})
	wantReply(t, r, http.StatusOK, anonFailureReply(msgThrottled))
	if n := s.count(t, "login_failures", "1 = 1"); n != 3 {
		t.Fatalf("login_failures = %d, want 3: throttled logins are not failures", n)
	}
	if n := s.count(t, "audit_log", "details LIKE 'Failed login%'"); n != 3 {
		t.Fatalf("failure audit rows = %d, want 3", n)
	}
	// Anonymous operations and existing sessions are not throttled.
	r = mustDo(t, clientOn(s, device, "tess", pw), "check_device_registered", nil)
	wantReply(t, r, http.StatusOK, successReplyIn("check_device_registered", "", ""))
	r = mustDo(t, c, "check_upload_user_and_device", nil)
	wantReply(t, r, http.StatusOK, successReplyIn("check_upload_user_and_device", id, token))
	wantNoSecrets(t, s, pw, token, "Wrong-Secret-0401", "Wrong-Secret-0402")
}

// TestLoginThrottlePerIP: the throttle counts per effective client IP,
// found through a trusted proxy's X-Forwarded-For (PROTOCOL 3.6, 4.4).
func TestLoginThrottlePerIP(t *testing.T) {
	t.Parallel()
	s := startServer(t, "--trusted-proxies", "127.0.0.1/32", "--login-throttle-burst", "3", "--login-throttle-refill", "1h")
	const pw = "Tara-Secret-1771"
	const attacker, other = "198.51.100.7", "203.0.113.9"
	device := s.addUploader(t, "throttleip", "tara", pw).Device()

	for range 3 {
		r := mustDo(t, clientVia(s, attacker, device, "tara", "Wrong-Secret-0501"), "check_upload_user_and_device", nil)
		wantReply(t, r, http.StatusOK, anonFailureReply(msgBadLogin))
	}
	if n := s.count(t, "audit_log", "details = 'Failed login as user: tara' AND remote_addr = ?", attacker); n != 3 {
		t.Fatalf("failure audit rows from %s = %d, want 3", attacker, n)
	}
	r := mustDo(t, clientVia(s, attacker, device, "tara", pw), "check_upload_user_and_device", nil)
	wantReply(t, r, http.StatusOK, anonFailureReply(msgThrottled))

	// Another address is not throttled, and its session is bound to it.
	co := clientVia(s, other, device, "tara", pw)
	r = mustDo(t, co, "check_upload_user_and_device", nil)
	wantReply(t, r, http.StatusOK, successReply("check_upload_user_and_device"))
	id, token := sessionOf(t, r)
	if n := s.count(t, "sessions", "id = ? AND ip_address = ?", id, other); n != 1 {
		t.Fatalf("session %s not bound to %s", id, other)
	}
	r = mustDo(t, co, "check_upload_user_and_device", nil)
	wantReply(t, r, http.StatusOK, successReplyIn("check_upload_user_and_device", id, token))
	// Presented from yet another address, it is not valid: a new login.
	r = mustDo(t, clientVia(s, "192.0.2.44", device, "tara", pw), "check_upload_user_and_device", sessionParams(id, token))
	wantReply(t, r, http.StatusOK, successReply("check_upload_user_and_device"))
	if newID, _ := sessionOf(t, r); newID == id {
		t.Fatalf("session %s accepted from another address", id)
	}
	// The attacker is still throttled; the direct peer 127.0.0.1 is not.
	r = mustDo(t, clientVia(s, attacker, device, "tara", pw), "check_upload_user_and_device", nil)
	wantReply(t, r, http.StatusOK, anonFailureReply(msgThrottled))
	r = mustDo(t, clientOn(s, device, "tara", pw), "check_upload_user_and_device", nil)
	wantReply(t, r, http.StatusOK, successReply("check_upload_user_and_device"))
	wantNoSecrets(t, s, pw, token, "Wrong-Secret-0501")
}

// TestLoginRehash: a successful login with a weaker or imported hash
// re-hashes it at the configured cost (PROTOCOL 4.1).
func TestLoginRehash(t *testing.T) {
	t.Parallel()
	s := startServer(t, "--bcrypt-cost", "5")
	const pw = "Rhea-Secret-0770"
	for i, prefix := range []string{"$2a$", "$2b$", "$2y$"} {
		user := []string{"rhea", "rhys", "ruth"}[i]
		s.addUser(t, "rehash", user, pw, "--may-register-devices")
		old, err := bcrypt.GenerateFromPassword([]byte(pw), 4)
		if err != nil {
			t.Fatal(err)
		}
		imported := prefix + string(old[4:])
		mustExec(t, s, "UPDATE users SET hashedpw = ? WHERE username = ?", imported, user)

		r := mustDo(t, s.client(user, pw), "register", map[string]string{"devicefriendlyname": "x"})
		wantReply(t, r, http.StatusOK, idInfoBlock+"success:1\nsession_id:{session_id}\nsession_token:{session_token}\n")
		hash := passwordHash(t, s, user)
		if cost, err := bcrypt.Cost([]byte(hash)); err != nil || cost != 5 {
			t.Fatalf("%s: stored hash %q has cost %d (%v), want 5", prefix, hash, cost, err)
		}
		if err := bcrypt.CompareHashAndPassword([]byte(hash), []byte(pw)); err != nil {
			t.Fatalf("%s: re-hashed password does not verify: %v", prefix, err)
		}

		// At the configured cost, a login leaves the hash alone.
		r = mustDo(t, s.client(user, pw), "register", map[string]string{"devicefriendlyname": "y"})
		if !r.Success() {
			t.Fatalf("%s: second login:\n%s", prefix, r.Body)
		}
		if again := passwordHash(t, s, user); again != hash {
			t.Fatalf("%s: hash re-hashed again at the same cost", prefix)
		}
	}
	wantNoSecrets(t, s, pw)
	if strings.Contains(s.Log.String(), "$2") {
		t.Fatal("the server log contains a password hash")
	}
}

// passwordHash returns the stored password hash of user.
func passwordHash(tb testing.TB, s *testServer, user string) string {
	tb.Helper()
	var h string
	if err := s.DB.NewSelect().Table("users").Column("hashedpw").Where("username = ?", user).Scan(tb.Context(), &h); err != nil {
		tb.Fatal(err)
	}
	return h
}
