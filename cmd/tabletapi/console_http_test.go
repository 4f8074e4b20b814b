package main_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// Plain HTTP tests of the console's cookie, session and CSRF rules.

// sessionCookieOf returns the console cookie that resp sets, failing when
// there is none.
func sessionCookieOf(tb testing.TB, resp *http.Response) *http.Cookie {
	tb.Helper()
	for _, c := range resp.Cookies() {
		if c.Name == "tabletapi_console" {
			return c
		}
	}
	tb.Fatalf("no console cookie set; status %d, headers %v", resp.StatusCode, resp.Header)
	return nil
}

// cookieSession splits a cookie value into session id and token.
func cookieSession(tb testing.TB, c *http.Cookie) (int64, string) {
	tb.Helper()
	idText, token, ok := strings.Cut(c.Value, ".")
	id, err := strconv.ParseInt(idText, 10, 64)
	if !ok || err != nil || !tokenRE.MatchString(token) {
		tb.Fatalf("cookie value %q is not <session id>.<token>", c.Value)
	}
	return id, token
}

// mustLogin logs in with hc and returns the new session's id.
func (cs *consoleServer) mustLogin(tb testing.TB, hc *http.Client, user, pw string) int64 {
	tb.Helper()
	resp := cs.httpLogin(tb, hc, user, pw)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != strings.TrimPrefix(cs.URL("/"), cs.Base) {
		tb.Fatalf("login as %s: status %d, Location %q", user, resp.StatusCode, resp.Header.Get("Location"))
	}
	id, _ := cookieSession(tb, sessionCookieOf(tb, resp))
	return id
}

// TestConsoleCookieFlags: HttpOnly, SameSite=Lax, Path = the prefix or /,
// and Secure only over HTTPS as the server can know it: --cookie-secure,
// or X-Forwarded-Proto: https from a trusted proxy (not from anyone else).
func TestConsoleCookieFlags(t *testing.T) {
	for _, tc := range []struct {
		name       string
		args       []string
		header     http.Header
		path       string
		wantSecure bool
	}{
		{"Plain", nil, nil, "/", false},
		{"Prefix", []string{"--path-prefix", "/camcops"}, nil, "/camcops", false},
		{"CookieSecure", []string{"--cookie-secure"}, nil, "/", true},
		{"TrustedProxyHTTPS", []string{"--trusted-proxies", "127.0.0.1/32"},
			http.Header{"X-Forwarded-Proto": {"https"}, "X-Forwarded-For": {"198.51.100.7"}}, "/", true},
		{"TrustedProxyHTTP", []string{"--trusted-proxies", "127.0.0.1/32"},
			http.Header{"X-Forwarded-Proto": {"http"}, "X-Forwarded-For": {"198.51.100.7"}}, "/", false},
		{"UntrustedForwardedProto", nil, http.Header{"X-Forwarded-Proto": {"https"}}, "/", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cs := startConsole(t, tc.args...)
			cs.addUser(t, "console", "ada", "s3cret-ada", "--superuser")
			resp, _ := consoleDo(t, httpClient(t), http.MethodPost, cs.URL("/login"),
				url.Values{"username": {"ada"}, "password": {"s3cret-ada"}}, tc.header)
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("login: status %d", resp.StatusCode)
			}
			c := sessionCookieOf(t, resp)
			cookieSession(t, c)
			if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != tc.path || c.Secure != tc.wantSecure {
				t.Fatalf("cookie %s: want HttpOnly, SameSite=Lax, Path=%s, Secure=%v", resp.Header.Get("Set-Cookie"), tc.path, tc.wantSecure)
			}
		})
	}
}

// TestConsoleLoginRotation: every login gets a new session id and token,
// and the session of the cookie the browser came with ends, even when it
// belongs to another user.
func TestConsoleLoginRotation(t *testing.T) {
	cs := startConsole(t)
	cs.addUser(t, "console", "ada", "s3cret-ada", "--superuser")
	cs.addUser(t, "console", "bob", "s3cret-bob", "--superuser")
	hc := httpClient(t)
	first := cs.httpLogin(t, hc, "ada", "s3cret-ada")
	id1, tok1 := cookieSession(t, sessionCookieOf(t, first))
	second := cs.httpLogin(t, hc, "ada", "s3cret-ada")
	id2, tok2 := cookieSession(t, sessionCookieOf(t, second))
	if id1 == id2 || tok1 == tok2 {
		t.Fatalf("second login kept session %d / token: want new ones", id1)
	}
	if n := cs.count(t, "sessions", "id = ?", id1); n != 0 {
		t.Fatalf("the first session is still stored after the second login")
	}
	id3 := cs.mustLogin(t, hc, "bob", "s3cret-bob") // carrying ada's cookie
	if n := cs.count(t, "sessions", "id = ?", id2); n != 0 {
		t.Fatalf("ada's session %d survived bob logging in with its cookie", id2)
	}
	if n := cs.count(t, "sessions", "id = ?", id3); n != 1 {
		t.Fatalf("bob's session %d is not stored", id3)
	}
}

// TestConsoleOneSessionPerHuman: a second console login of the same user
// ends the first console session, and that user's tablet session
// survives.
func TestConsoleOneSessionPerHuman(t *testing.T) {
	cs := startConsole(t)
	const pw = "s3cret-ada"
	cs.addUser(t, "console", "ada", pw, "--superuser", "--may-upload", "--may-register-devices")
	c := registeredClient(t, cs.testServer, "ada", pw)
	tablet, _ := sessionOf(t, mustDo(t, c, "check_upload_user_and_device", nil))

	first, second := httpClient(t), httpClient(t)
	cs.mustLogin(t, first, "ada", pw)
	cs.mustLogin(t, second, "ada", pw)
	if resp, _ := consoleDo(t, first, http.MethodGet, cs.URL("/sessions"), nil, nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("first browser after the second login: status %d, want 303 to the login page", resp.StatusCode)
	}
	if resp, _ := consoleDo(t, second, http.MethodGet, cs.URL("/sessions"), nil, nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("second browser: status %d, want 200", resp.StatusCode)
	}
	if n := cs.count(t, "sessions", "id = ? AND is_api_session", tablet); n != 1 {
		t.Fatalf("the tablet session %s did not survive the console logins", tablet)
	}
}

// TestConsoleFormToken: a POST with a missing or used form token gets 403
// and changes nothing; a fresh token works once.
func TestConsoleFormToken(t *testing.T) {
	cs := startConsole(t)
	const pw = "s3cret-ada"
	cs.addUser(t, "console", "ada", pw, "--superuser", "--may-upload", "--may-register-devices")
	c := registeredClient(t, cs.testServer, "ada", pw)
	hc := httpClient(t)
	cs.mustLogin(t, hc, "ada", pw)

	// tabletSession opens a new tablet session of ada and returns its id.
	tabletSession := func() string {
		c.ResetSession()
		id, _ := sessionOf(t, mustDo(t, c, "check_upload_user_and_device", nil))
		return id
	}
	end := func(token, session string) int {
		form := url.Values{"session_id": {session}}
		if token != "" {
			form.Set("form_token", token)
		}
		resp, _ := consoleDo(t, hc, http.MethodPost, cs.URL("/sessions/end"), form, nil)
		return resp.StatusCode
	}
	_, page := consoleDo(t, hc, http.MethodGet, cs.URL("/sessions"), nil, nil)
	token := formToken(t, page)

	victim := tabletSession()
	if st := end("", victim); st != http.StatusForbidden {
		t.Fatalf("no token: status %d, want 403", st)
	}
	if st := end("not-a-token", victim); st != http.StatusForbidden {
		t.Fatalf("unknown token: status %d, want 403", st)
	}
	if n := cs.count(t, "sessions", "id = ?", victim); n != 1 {
		t.Fatalf("a refused POST ended the session")
	}
	if st := end(token, victim); st != http.StatusSeeOther {
		t.Fatalf("fresh token: status %d, want 303", st)
	}
	if n := cs.count(t, "sessions", "id = ?", victim); n != 0 {
		t.Fatalf("the session survived its end")
	}
	if n := cs.count(t, "audit_log", "operation = 'session_end' AND source = 'console'"); n != 1 {
		t.Fatalf("session end audit rows = %d, want 1", n)
	}
	next := tabletSession()
	if st := end(token, next); st != http.StatusForbidden {
		t.Fatalf("replayed token: status %d, want 403", st)
	}
	if n := cs.count(t, "sessions", "id = ?", next); n != 1 {
		t.Fatalf("a replayed form ended a session")
	}
}

// TestConsoleLogoutHTTP: logout needs a form token, deletes the row and
// clears the cookie.
func TestConsoleLogoutHTTP(t *testing.T) {
	cs := startConsole(t)
	cs.addUser(t, "console", "ada", "s3cret-ada", "--superuser")
	hc := httpClient(t)
	id := cs.mustLogin(t, hc, "ada", "s3cret-ada")
	_, page := consoleDo(t, hc, http.MethodGet, cs.URL("/"), nil, nil)
	if resp, _ := consoleDo(t, hc, http.MethodPost, cs.URL("/logout"), url.Values{}, nil); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("logout without a form token: status %d, want 403", resp.StatusCode)
	}
	resp, _ := consoleDo(t, hc, http.MethodPost, cs.URL("/logout"), url.Values{"form_token": {formToken(t, page)}}, nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: status %d, want 303", resp.StatusCode)
	}
	if c := sessionCookieOf(t, resp); c.MaxAge >= 0 || c.Value != "" {
		t.Fatalf("logout left the cookie: %s", resp.Header.Get("Set-Cookie"))
	}
	if n := cs.count(t, "sessions", "id = ?", id); n != 0 {
		t.Fatalf("the session row survived logout")
	}
}

// TestConsoleLoginOrigin: a login POST from another site is refused
// (Origin, or Referer without Origin) and creates no session; one with
// neither header is allowed (see the console package documentation).
func TestConsoleLoginOrigin(t *testing.T) {
	cs := startConsole(t)
	cs.addUser(t, "console", "ada", "s3cret-ada", "--superuser")
	form := url.Values{"username": {"ada"}, "password": {"s3cret-ada"}}
	for _, tc := range []struct {
		name   string
		header http.Header
		want   int
	}{
		{"OtherOrigin", http.Header{"Origin": {"http://evil.example"}}, http.StatusForbidden},
		{"NullOrigin", http.Header{"Origin": {"null"}}, http.StatusForbidden},
		{"OtherReferer", http.Header{"Origin": nil, "Referer": {"http://evil.example/page"}}, http.StatusForbidden},
		{"OwnReferer", http.Header{"Origin": nil, "Referer": {cs.URL("/login")}}, http.StatusSeeOther},
		{"Neither", http.Header{"Origin": nil}, http.StatusSeeOther},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := cs.count(t, "sessions", "1 = 1")
			resp, _ := consoleDo(t, httpClient(t), http.MethodPost, cs.URL("/login"), form, tc.header)
			if resp.StatusCode != tc.want {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.want)
			}
			if tc.want == http.StatusForbidden && cs.count(t, "sessions", "1 = 1") != before {
				t.Fatalf("a refused login created a session")
			}
		})
	}
}

// TestConsoleHeaders: every console response carries the security
// headers, and viewing the login page writes nothing.
func TestConsoleHeaders(t *testing.T) {
	cs := startConsole(t)
	hc := httpClient(t)
	for _, path := range []string{"/login", "/static/console.css", "/", "/no-such-page", "/logout"} {
		resp, _ := consoleDo(t, hc, http.MethodGet, cs.URL(path), nil, nil)
		for h, want := range map[string]string{
			"X-Frame-Options": "DENY", "Referrer-Policy": "same-origin", "Cache-Control": "no-store",
		} {
			if got := resp.Header.Get(h); got != want {
				t.Errorf("%s: %s = %q, want %q", path, h, got, want)
			}
		}
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.HasPrefix(csp, "default-src 'self'") {
			t.Errorf("%s: Content-Security-Policy = %q", path, csp)
		}
	}
	if n := cs.count(t, "sessions", "1 = 1"); n != 0 {
		t.Fatalf("%d session rows after only viewing pages, want 0", n)
	}
}

// TestConsoleWhoMayLogIn: a user without may_use_webviewer is refused like
// a wrong password; one with it logs in but sees no superuser page and
// cannot end another user's session.
func TestConsoleWhoMayLogIn(t *testing.T) {
	cs := startConsole(t)
	const pw = "s3cret-vic"
	cs.addUser(t, "console", "vic", pw, "--may-upload", "--may-register-devices")
	tablet, _ := sessionOf(t, mustDo(t, registeredClient(t, cs.testServer, "vic", pw), "check_upload_user_and_device", nil))
	hc := httpClient(t)
	resp, body := consoleDo(t, hc, http.MethodPost, cs.URL("/login"), url.Values{"username": {"vic"}, "password": {pw}}, nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, msgBadLogin) {
		t.Fatalf("login without may_use_webviewer: status %d, body:\n%s", resp.StatusCode, body)
	}

	// The CLI flag comes with the account commands; SQL stands in for it.
	mustExec(t, cs.testServer, "UPDATE memberships SET may_use_webviewer = ? WHERE user_id = ?", true, lookupUserID(t, cs.testServer, "vic"))
	cs.mustLogin(t, hc, "vic", pw)
	_, page := consoleDo(t, hc, http.MethodGet, cs.URL("/sessions"), nil, nil)
	if strings.Contains(page, "Active sessions") {
		t.Fatalf("a non-superuser's navigation offers the active sessions")
	}
	if resp, _ := consoleDo(t, hc, http.MethodGet, cs.URL("/active"), nil, nil); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("/active for a non-superuser: status %d, want 403", resp.StatusCode)
	}
	form := url.Values{"form_token": {formToken(t, page)}, "session_id": {tablet}}
	if resp, _ := consoleDo(t, hc, http.MethodPost, cs.URL("/active/end"), form, nil); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("/active/end for a non-superuser: status %d, want 403", resp.StatusCode)
	}
	if n := cs.count(t, "sessions", "id = ?", tablet); n != 1 {
		t.Fatalf("a non-superuser ended a session through /active/end")
	}
}

// TestConsoleBodyLimit: a console POST over the form limit gets 413.
func TestConsoleBodyLimit(t *testing.T) {
	cs := startConsole(t)
	resp, _ := consoleDo(t, httpClient(t), http.MethodPost, cs.URL("/login"),
		url.Values{"username": {"ada"}, "password": {strings.Repeat("x", 100<<10)}}, nil)
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("status %d, want 413", resp.StatusCode)
	}
}
