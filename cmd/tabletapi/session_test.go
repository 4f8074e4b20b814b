package main_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tabletapi/tabletapi/testclient"
)

// End-to-end tests of tablet sessions (PROTOCOL 3).

// TestSessionReuseWithinSequence: a sequence uses one session, sent back
// unchanged, and its reuse does not check the password (PROTOCOL 3.4).
func TestSessionReuseWithinSequence(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	const pw = "Sara-Secret-4411"
	s.addUser(t, "sessreuse", "sara", pw, "--may-upload", "--may-register-devices")
	c := s.client("sara", pw)

	r1 := mustDo(t, c, "register", map[string]string{"devicefriendlyname": "Ward 1"})
	wantReply(t, r1, http.StatusOK, idInfoBlock+"success:1\nsession_id:{session_id}\nsession_token:{session_token}\n")
	id, token := sessionOf(t, r1)
	if !tokenRE.MatchString(token) {
		t.Fatalf("token %q: want 24 URL-safe base64 characters ending in ==", token)
	}

	r2 := mustDo(t, c, "check_upload_user_and_device", nil)
	wantReply(t, r2, http.StatusOK, successReplyIn("check_upload_user_and_device", id, token))

	// Same session, wrong password: the password is not checked.
	c.SetCredentials("sara", "not-the-password")
	r3 := mustDo(t, c, "get_id_info", nil)
	wantReply(t, r3, http.StatusOK, idInfoBlock+"success:1\nsession_id:"+id+"\nsession_token:"+token+"\n")

	if n := s.count(t, "sessions", "user_id = ?", lookupUserID(t, s, "sara")); n != 1 {
		t.Fatalf("sessions of sara = %d, want 1", n)
	}
	if n := s.count(t, "login_failures", "1 = 1"); n != 0 {
		t.Fatalf("login_failures = %d, want 0: a reused session checks no password", n)
	}
	if n := s.count(t, "audit_log", "details = ?", "Login as user: sara"); n != 1 {
		t.Fatalf("login audit rows = %d, want 1", n)
	}
	wantNoSecrets(t, s, pw, "not-the-password", token)
}

// TestSessionOtherUserWipes: a valid session presented with another user,
// or with none, is deleted and can never be used again (PROTOCOL 3.4).
func TestSessionOtherUserWipes(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	const apw, bpw = "Alice-Secret-9201", "Bob-Secret-5520"
	s.addUser(t, "sesswipe", "alice", apw, "--may-upload", "--may-register-devices")
	s.addUser(t, "sesswipe", "bob", bpw, "--may-upload", "--may-register-devices")
	alice := lookupUserID(t, s, "alice")
	var secrets []string

	// login returns a fresh session of alice on c's device.
	login := func(t *testing.T, c *testclient.Client) (string, string) {
		t.Helper()
		c.SetCredentials("alice", apw)
		c.ResetSession()
		r := mustDo(t, c, "check_upload_user_and_device", nil)
		wantReply(t, r, http.StatusOK, successReply("check_upload_user_and_device"))
		id, token := sessionOf(t, r)
		secrets = append(secrets, token)
		return id, token
	}

	t.Run("OtherUser", func(t *testing.T) {
		c := registeredClient(t, s, "alice", apw)
		idA, tokA := login(t, c)

		c.SetCredentials("bob", bpw) // the session of alice is still sent
		r := mustDo(t, c, "check_upload_user_and_device", nil)
		wantReply(t, r, http.StatusOK, successReply("check_upload_user_and_device"))
		idB, tokB := sessionOf(t, r)
		secrets = append(secrets, tokB)
		if idB == idA || tokB == tokA {
			t.Fatalf("bob got alice's session %s", idA)
		}
		if n := s.count(t, "sessions", "id = ?", idA); n != 0 {
			t.Fatalf("alice's session %s survived being presented by bob", idA)
		}
		if n := s.count(t, "sessions", "id = ? AND user_id = ?", idB, lookupUserID(t, s, "bob")); n != 1 {
			t.Fatalf("bob's new session %s not stored", idB)
		}

		// The wiped session no longer works, even for alice: a fresh login.
		ca := clientOn(s, c.Device(), "alice", apw)
		r = mustDo(t, ca, "check_upload_user_and_device", sessionParams(idA, tokA))
		wantReply(t, r, http.StatusOK, successReply("check_upload_user_and_device"))
		idC, tokC := sessionOf(t, r)
		secrets = append(secrets, tokC)
		if idC == idA || idC == idB {
			t.Fatalf("alice got session %s again; want a new one", idC)
		}
	})

	t.Run("OtherUserFailedLogin", func(t *testing.T) {
		c := registeredClient(t, s, "alice", apw)
		idA, _ := login(t, c)
		before := s.count(t, "sessions", "1 = 1")
		c.SetCredentials("bob", "wrong-"+bpw)
		r := mustDo(t, c, "check_upload_user_and_device", nil)
		wantReply(t, r, http.StatusOK, anonFailureReply(msgBadLogin))
		if n := s.count(t, "sessions", "id = ?", idA); n != 0 {
			t.Fatalf("alice's session %s survived being presented by bob", idA)
		}
		if n := s.count(t, "sessions", "1 = 1"); n != before-1 {
			t.Fatalf("sessions = %d, want %d", n, before-1)
		}
	})

	t.Run("NoUser", func(t *testing.T) {
		c := registeredClient(t, s, "alice", apw)
		idA, tokA := login(t, c)
		before := s.count(t, "sessions", "user_id = ?", alice)
		anon := clientOn(s, c.Device(), "", "")
		r := mustDo(t, anon, "check_device_registered", sessionParams(idA, tokA))
		wantReply(t, r, http.StatusOK, successReplyIn("check_device_registered", "", ""))
		if n := s.count(t, "sessions", "id = ?", idA); n != 0 {
			t.Fatalf("session %s survived an anonymous request", idA)
		}
		if n := s.count(t, "sessions", "user_id = ?", alice); n != before-1 {
			t.Fatalf("sessions of alice = %d, want %d", n, before-1)
		}

		// And it is gone for alice too.
		ca := clientOn(s, c.Device(), "alice", apw)
		r = mustDo(t, ca, "check_upload_user_and_device", sessionParams(idA, tokA))
		wantReply(t, r, http.StatusOK, successReply("check_upload_user_and_device"))
		if id, _ := sessionOf(t, r); id == idA {
			t.Fatalf("wiped session %s accepted again", idA)
		}
		secrets = append(secrets, r.Values["session_token"])
	})

	wantNoSecrets(t, s, append(secrets, apw, bpw, "wrong-"+bpw)...)
}

// TestSessionInvalidKeysRelogin: an unknown id, a wrong token or a session
// id that is not an integer count as no session: the credentials sent with
// the request log in again, silently (PROTOCOL 2.1, 3.3).
func TestSessionInvalidKeysRelogin(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	const pw = "Rita-Secret-3318"
	c := s.addUploader(t, "sessinval", "rita", pw)
	r := mustDo(t, c, "check_upload_user_and_device", nil)
	id, token := sessionOf(t, r)
	idN, _ := strconv.ParseInt(id, 10, 64)
	secrets := []string{pw, token}

	for _, tc := range []struct {
		name      string
		sessionID string
		token     string
	}{
		{"UnknownID", strconv.FormatInt(idN+1000, 10), token},
		{"BadToken", id, "AAAAAAAAAAAAAAAAAAAAAA=="},
		{"GarbageToken", id, "garbage"},
		{"GarbageID", "abc", token},
		{"None", "None", token},
		{"Negative", "-" + id, token},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := s.count(t, "sessions", "1 = 1")
			fresh := clientOn(s, c.Device(), "rita", pw)
			r := mustDo(t, fresh, "check_upload_user_and_device", sessionParams(tc.sessionID, tc.token))
			wantReply(t, r, http.StatusOK, successReply("check_upload_user_and_device"))
			newID, newTok := sessionOf(t, r)
			secrets = append(secrets, newTok)
			if newID == id || newID == tc.sessionID || newTok == token {
				t.Fatalf("got session %s, want a new one", newID)
			}
			if n := s.count(t, "sessions", "1 = 1"); n != before+1 {
				t.Fatalf("sessions = %d, want %d (one new login)", n, before+1)
			}
		})
	}

	// None of that harmed the real session: it is still valid.
	r = mustDo(t, clientOn(s, c.Device(), "rita", pw), "check_upload_user_and_device", sessionParams(id, token))
	wantReply(t, r, http.StatusOK, successReplyIn("check_upload_user_and_device", id, token))
	if n := s.count(t, "login_failures", "1 = 1"); n != 0 {
		t.Fatalf("login_failures = %d, want 0", n)
	}
	wantNoSecrets(t, s, secrets...)
}

// TestSessionAnonymousNoRow: anonymous requests never write a session row
// and answer empty session keys (PROTOCOL 3.4).
func TestSessionAnonymousNoRow(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	s.addUser(t, "sessanon", "reg", "Reg-Secret-1187", "--may-register-devices")
	registered := registeredClient(t, s, "reg", "Reg-Secret-1187").Device()
	before := s.count(t, "sessions", "1 = 1")

	anon := clientOn(s, registered, "", "")
	r := mustDo(t, anon, "check_device_registered", nil)
	wantReply(t, r, http.StatusOK, successReplyIn("check_device_registered", "", ""))
	r = mustDo(t, anon, "check_device_registered", nil) // a "sequence" of anonymous requests
	wantReply(t, r, http.StatusOK, successReplyIn("check_device_registered", "", ""))

	other := s.client("", "")
	r = mustDo(t, other, "check_device_registered", nil)
	wantReply(t, r, http.StatusOK, anonFailureReply("Unregistered device"))
	r = mustDo(t, other, "get_allowed_tables", nil)
	wantReply(t, r, http.StatusOK, anonFailureReply(msgBadLogin))

	if n := s.count(t, "sessions", "1 = 1"); n != before {
		t.Fatalf("sessions = %d after anonymous requests, want %d", n, before)
	}
}

// TestSessionFailedLoginContinuesAnonymously: a failed login does not end
// the request; an ANYONE operation still answers (PROTOCOL 3.4, 6.2).
func TestSessionFailedLoginContinuesAnonymously(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	s.addUser(t, "sessfail", "reg", "Reg-Secret-7731", "--may-register-devices")
	registered := registeredClient(t, s, "reg", "Reg-Secret-7731").Device()
	before := s.count(t, "sessions", "1 = 1")

	for _, tc := range []struct{ user, pw string }{
		{"reg", "Wrong-Secret-0001"}, {"nosuchuser", "Wrong-Secret-0002"}, {"reg", ""},
	} {
		c := clientOn(s, registered, tc.user, tc.pw)
		r := mustDo(t, c, "check_device_registered", nil)
		wantReply(t, r, http.StatusOK, successReplyIn("check_device_registered", "", ""))
		r = mustDo(t, s.client(tc.user, tc.pw), "check_device_registered", nil)
		wantReply(t, r, http.StatusOK, anonFailureReply("Unregistered device"))
	}
	if n := s.count(t, "sessions", "1 = 1"); n != before {
		t.Fatalf("sessions = %d, want %d", n, before)
	}
	if n := s.count(t, "login_failures", "username = 'reg'"); n != 4 {
		t.Fatalf("failures of reg = %d, want 4", n)
	}
	if n := s.count(t, "login_failures", "username = 'nosuchuser'"); n != 2 {
		t.Fatalf("failures of nosuchuser = %d, want 2", n)
	}
	wantNoSecrets(t, s, "Reg-Secret-7731", "Wrong-Secret-0001", "Wrong-Secret-0002")
}

// TestSessionExpiry: a session idle past --session-timeout or older than
// --session-lifetime is replaced by a silent re-login; within both it is
// reused (PROTOCOL 3.3, 3.5). Rows are aged by SQL, as no clock can be
// injected into the real server.
func TestSessionExpiry(t *testing.T) {
	t.Parallel()
	s := startServer(t, "--session-timeout", "5m", "--session-lifetime", "1h")
	const pw = "Ida-Secret-6620"
	c := s.addUploader(t, "sessexp", "ida", pw)
	var secrets []string

	// check sets one column of a new session to now-age and reports
	// whether the next request reused it.
	check := func(t *testing.T, column string, age time.Duration, reused bool) {
		t.Helper()
		c.ResetSession()
		r := mustDo(t, c, "check_upload_user_and_device", nil)
		id, token := sessionOf(t, r)
		secrets = append(secrets, token)
		mustExec(t, s, "UPDATE sessions SET "+column+" = ? WHERE id = ?", time.Now().UTC().Add(-age), id)
		r = mustDo(t, c, "check_upload_user_and_device", nil)
		if reused {
			wantReply(t, r, http.StatusOK, successReplyIn("check_upload_user_and_device", id, token))
			return
		}
		wantReply(t, r, http.StatusOK, successReply("check_upload_user_and_device"))
		newID, newTok := sessionOf(t, r)
		secrets = append(secrets, newTok)
		if newID == id {
			t.Fatalf("%s aged %v: session %s reused, want a new one", column, age, id)
		}
	}
	t.Run("IdleWithin", func(t *testing.T) { check(t, "last_activity_utc", 4*time.Minute, true) })
	t.Run("IdleExpired", func(t *testing.T) { check(t, "last_activity_utc", 6*time.Minute, false) })
	t.Run("LifetimeWithin", func(t *testing.T) { check(t, "created_at_utc", 59*time.Minute, true) })
	t.Run("LifetimeExpired", func(t *testing.T) { check(t, "created_at_utc", 61*time.Minute, false) })

	// Defaults: 30 min idle, 12 h lifetime.
	t.Run("Defaults", func(t *testing.T) {
		d := startServer(t)
		d.addUser(t, "sessexp", "ida", pw, "--may-upload", "--may-register-devices")
		dc := registeredClient(t, d, "ida", pw)
		for _, tc := range []struct {
			column string
			age    time.Duration
			reused bool
		}{
			{"last_activity_utc", 29 * time.Minute, true},
			{"last_activity_utc", 31 * time.Minute, false},
			{"created_at_utc", 11*time.Hour + 59*time.Minute, true},
			{"created_at_utc", 12*time.Hour + time.Minute, false},
		} {
			dc.ResetSession()
			r := mustDo(t, dc, "check_upload_user_and_device", nil)
			id, _ := sessionOf(t, r)
			mustExec(t, d, "UPDATE sessions SET "+tc.column+" = ? WHERE id = ?", time.Now().UTC().Add(-tc.age), id)
			r = mustDo(t, dc, "check_upload_user_and_device", nil)
			if got := r.Values["session_id"]; (got == id) != tc.reused || !r.Success() {
				t.Fatalf("%s aged %v: reply\n%s\nwant reused=%t of session %s", tc.column, tc.age, r.Body, tc.reused, id)
			}
		}
	})
	wantNoSecrets(t, s, append(secrets, pw)...)
}

// TestSessionIPBinding: a session used from another address than it was
// created from is replaced, unless --session-check-ip=false (PROTOCOL 3.6).
func TestSessionIPBinding(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		flags  []string
		reused bool
	}{
		{"On", nil, false},
		{"Off", []string{"--session-check-ip=false"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := startServer(t, tc.flags...)
			const pw = "Ivo-Secret-2290"
			c := s.addUploader(t, "sessip", "ivo", pw)
			r := mustDo(t, c, "check_upload_user_and_device", nil)
			id, token := sessionOf(t, r)
			var ip string
			if err := s.DB.NewSelect().Table("sessions").Column("ip_address").Where("id = ?", id).Scan(t.Context(), &ip); err != nil {
				t.Fatal(err)
			}
			if ip != "127.0.0.1" {
				t.Fatalf("session ip_address = %q, want 127.0.0.1", ip)
			}
			mustExec(t, s, "UPDATE sessions SET ip_address = ? WHERE id = ?", "192.0.2.99", id)
			r = mustDo(t, c, "check_upload_user_and_device", nil)
			if tc.reused {
				wantReply(t, r, http.StatusOK, successReplyIn("check_upload_user_and_device", id, token))
				return
			}
			wantReply(t, r, http.StatusOK, successReply("check_upload_user_and_device"))
			if newID, _ := sessionOf(t, r); newID == id {
				t.Fatalf("session %s reused from another IP", id)
			}
		})
	}
}

// TestSessionLastActivityResolution: last_activity_utc is written only when
// it is at least --session-access-resolution old (PROTOCOL 3.5).
func TestSessionLastActivityResolution(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	const pw = "Lea-Secret-8812"
	c := s.addUploader(t, "sessres", "lea", pw)
	r := mustDo(t, c, "check_upload_user_and_device", nil)
	id, token := sessionOf(t, r)
	la0 := lastActivity(t, s, id)

	for range 2 {
		r = mustDo(t, c, "check_upload_user_and_device", nil)
		wantReply(t, r, http.StatusOK, successReplyIn("check_upload_user_and_device", id, token))
		if la := lastActivity(t, s, id); !la.Equal(la0) {
			t.Fatalf("last_activity_utc rewritten within the resolution: %v -> %v", la0, la)
		}
	}

	// Two minutes old (over the 60 s resolution, within the idle timeout):
	// the reuse writes the time of the request.
	aged := time.Now().UTC().Add(-2 * time.Minute).Truncate(time.Microsecond)
	mustExec(t, s, "UPDATE sessions SET last_activity_utc = ? WHERE id = ?", aged, id)
	before := time.Now().UTC().Truncate(time.Microsecond)
	r = mustDo(t, c, "check_upload_user_and_device", nil)
	after := time.Now().UTC()
	wantReply(t, r, http.StatusOK, successReplyIn("check_upload_user_and_device", id, token))
	if la := lastActivity(t, s, id); la.Before(before) || la.After(after) {
		t.Fatalf("last_activity_utc = %v after a due refresh, want within [%v, %v]", la, before, after)
	}
}

// TestSessionAccessResolutionZero: --session-access-resolution 0 is
// accepted, and 3.5's rule (write when now − stored ≥ resolution) then
// writes last_activity_utc on every reuse.
func TestSessionAccessResolutionZero(t *testing.T) {
	t.Parallel()
	s := startServer(t, "--session-access-resolution", "0s")
	const pw = "Zoe-Secret-5501"
	c := s.addUploader(t, "sessres0", "zoe", pw)
	r := mustDo(t, c, "check_upload_user_and_device", nil)
	id, token := sessionOf(t, r)
	la0 := lastActivity(t, s, id)
	s.Clock.Advance(2 * time.Millisecond)
	r = mustDo(t, c, "check_upload_user_and_device", nil)
	wantReply(t, r, http.StatusOK, successReplyIn("check_upload_user_and_device", id, token))
	if la := lastActivity(t, s, id); !la.After(la0) {
		t.Fatalf("with --session-access-resolution 0, last_activity_utc stayed %v after a reuse", la0)
	}
}

// TestSessionTokenFormat: 24 characters of URL-safe base64 ending in "==",
// and only the token's SHA-256 is stored (PROTOCOL 3.1, 3.2).
func TestSessionTokenFormat(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	const pw = "Tom-Secret-4470"
	s.addUser(t, "sesstok", "tom", pw, "--may-register-devices")
	seen := map[string]bool{}
	for range 3 {
		r := mustDo(t, s.client("tom", pw), "register", map[string]string{"devicefriendlyname": ""})
		wantReply(t, r, http.StatusOK, idInfoBlock+"success:1\nsession_id:{session_id}\nsession_token:{session_token}\n")
		id, token := sessionOf(t, r)
		if len(token) != 24 || !tokenRE.MatchString(token) {
			t.Fatalf("token %q: want 24 URL-safe base64 characters ending in ==", token)
		}
		if seen[token] || seen["id"+id] {
			t.Fatalf("session %s / token %q handed out twice", id, token)
		}
		seen[token], seen["id"+id] = true, true

		raw, err := base64.URLEncoding.DecodeString(token)
		if err != nil || len(raw) != 16 {
			t.Fatalf("token %q does not decode to 16 bytes: %v", token, err)
		}
		row := map[string]any{}
		if err := s.DB.NewSelect().Table("sessions").Where("id = ?", id).Scan(t.Context(), &row); err != nil {
			t.Fatal(err)
		}
		if len(row) < 7 {
			t.Fatalf("session row %v: want all 7 columns", row)
		}
		for col, v := range row {
			b, ok := v.([]byte)
			if !ok {
				b = fmt.Append(nil, v)
			}
			if bytes.Contains(b, []byte(token)) || bytes.Contains(b, raw) {
				t.Errorf("column %s of session %s holds the token", col, id)
			}
		}
		var digest []byte
		if err := s.DB.NewSelect().Table("sessions").Column("token_sha256").Where("id = ?", id).Scan(t.Context(), &digest); err != nil {
			t.Fatal(err)
		}
		if want := sha256.Sum256([]byte(token)); !bytes.Equal(digest, want[:]) {
			t.Fatalf("token_sha256 = %x, want SHA-256 of the token %x", digest, want)
		}
		wantNoSecrets(t, s, pw, token)
	}
}

// TestSessionIDsNeverReused: deleting the newest session does not free its
// id (PROTOCOL 3.1).
func TestSessionIDsNeverReused(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	const pw = "Nia-Secret-1209"
	s.addUser(t, "sessids", "nia", pw, "--may-register-devices")
	login := func() int64 {
		t.Helper()
		r := mustDo(t, s.client("nia", pw), "register", map[string]string{"devicefriendlyname": "x"})
		id, _ := sessionOf(t, r)
		n, err := strconv.ParseInt(id, 10, 64)
		if err != nil {
			t.Fatalf("session_id %q is not an integer", id)
		}
		return n
	}
	a, b := login(), login()
	if b <= a {
		t.Fatalf("ids %d then %d: want increasing", a, b)
	}
	mustExec(t, s, "DELETE FROM sessions WHERE id = ?", b)
	if c := login(); c <= b {
		t.Fatalf("after deleting session %d the next id is %d: ids must never be reused", b, c)
	}
}

// TestSessionPasswordChangeEndsSessions: `user passwd` deletes the user's
// sessions (PROTOCOL 3.1).
func TestSessionPasswordChangeEndsSessions(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	const oldPW, newPW = "Old-Secret-3390", "New-Secret-7719"
	s.addUser(t, "sesspw", "pia", oldPW, "--may-upload", "--may-register-devices")
	s.addUser(t, "sesspw", "quinn", "Quinn-Secret-0042", "--may-upload", "--may-register-devices")
	c := registeredClient(t, s, "pia", oldPW)
	r := mustDo(t, c, "check_upload_user_and_device", nil)
	id, token := sessionOf(t, r)
	r = mustDo(t, c, "check_upload_user_and_device", nil)
	wantReply(t, r, http.StatusOK, successReplyIn("check_upload_user_and_device", id, token))
	other := registeredClient(t, s, "quinn", "Quinn-Secret-0042")
	r = mustDo(t, other, "check_upload_user_and_device", nil)
	qid, qtoken := sessionOf(t, r)

	pia := lookupUserID(t, s, "pia")
	had := s.count(t, "sessions", "user_id = ?", pia) // the registration's and this one
	if had != 2 {
		t.Fatalf("sessions of pia = %d, want 2", had)
	}
	out := s.mustAdmin(t, newPW+"\n", "user", "passwd", "pia", "--bcrypt-cost", "4")
	if !strings.Contains(out, "2 session(s) ended") {
		t.Fatalf("user passwd said %q", out)
	}
	if n := s.count(t, "sessions", "user_id = ?", pia); n != 0 {
		t.Fatalf("sessions of pia = %d after a password change, want 0", n)
	}

	// The old session is gone: presented with the new password, it gives
	// way to a new login.
	r = mustDo(t, clientOn(s, c.Device(), "pia", newPW), "check_upload_user_and_device", sessionParams(id, token))
	wantReply(t, r, http.StatusOK, successReply("check_upload_user_and_device"))
	newTok := r.Values["session_token"]
	if newID, _ := sessionOf(t, r); newID == id {
		t.Fatalf("old session %s accepted after a password change", id)
	}
	// So the old password is checked again, and fails.
	t.Run("OldPasswordFails", func(t *testing.T) {
		r := mustDo(t, c, "check_upload_user_and_device", nil) // still sends the old id and token
		wantReply(t, r, http.StatusOK, anonFailureReply(msgBadLogin))
	})

	// Other users' sessions are untouched.
	r = mustDo(t, other, "check_upload_user_and_device", nil)
	wantReply(t, r, http.StatusOK, successReplyIn("check_upload_user_and_device", qid, qtoken))
	wantNoSecrets(t, s, oldPW, newPW, "Quinn-Secret-0042", token, qtoken, newTok)
}
