package main_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// Browser tests of the console's session and CSRF rules as a real browser
// meets them: the cookie the browser keeps, a new one at each login, one
// console session per person, a replayed form and a login form posted
// from another site.

// consoleCookie returns the console's cookie as Chromium stores it, or
// nil when it has none.
func (b *browser) consoleCookie(tb testing.TB, cs *consoleServer) *network.Cookie {
	tb.Helper()
	cookies := get(tb, b, "read cookies", func(ctx context.Context, t *chromedp.Target) ([]*network.Cookie, error) {
		res, err := cdp.Call(ctx, t, network.GetCookies, network.GetCookiesParams{URLs: []string{cs.URL("/")}})
		return res.Cookies, err
	})
	for _, c := range cookies {
		if c.Name == "tabletapi_console" {
			return c
		}
	}
	return nil
}

// sessionIDOf is the session id a console cookie carries ("<id>.<token>").
func sessionIDOf(tb testing.TB, c *network.Cookie) int64 {
	tb.Helper()
	var id int64
	if _, err := fmt.Sscanf(c.Value, "%d.", &id); err != nil || id <= 0 {
		tb.Fatalf("cookie value %q is not <id>.<token>", c.Value)
	}
	return id
}

// TestConsoleBrowserSessionRules: the cookie's flags as the browser keeps
// them, a new session id and token at each login with the old session
// ended, and one console session per person: a login in a second browser
// ends the first browser's session, while the same user's tablet session
// survives.
func TestConsoleBrowserSessionRules(t *testing.T) {
	cs := startConsole(t)
	const pw = "s3cret-ada"
	cs.addUser(t, "console", "ada", pw, "--superuser", "--may-upload", "--may-register-devices")
	tablet := registeredClient(t, cs.testServer, "ada", pw)
	mustDo(t, tablet, "check_upload_user_and_device", nil) // a tablet session of ada
	apiSessions := "user_id = (SELECT id FROM users WHERE username = 'ada') AND is_api_session"
	tabletSessions := cs.count(t, "sessions", apiSessions)
	if tabletSessions == 0 {
		t.Fatal("no tablet session")
	}

	first := newBrowser(t)
	first.login(t, cs, "ada", pw)
	c1 := first.consoleCookie(t, cs)
	if c1 == nil {
		t.Fatal("no console cookie after login")
	}
	if !c1.HTTPOnly || c1.SameSite != network.CookieSameSiteLax || c1.Path != "/" || c1.Secure {
		t.Errorf("cookie flags: HttpOnly %t, SameSite %q, Path %q, Secure %t; want true, Lax, /, false (plain HTTP)",
			c1.HTTPOnly, c1.SameSite, c1.Path, c1.Secure)
	}
	// HttpOnly: the page's scripts cannot read it.
	if js := get(t, first, "read document.cookie", chromedp.Evaluate[string]("document.cookie")); strings.Contains(js, "tabletapi_console") {
		t.Errorf("document.cookie shows the session cookie: %q", js)
	}
	id1 := sessionIDOf(t, c1)

	// Logging in again, in the same browser: new id, new token, old row gone.
	first.login(t, cs, "ada", pw)
	c2 := first.consoleCookie(t, cs)
	id2 := sessionIDOf(t, c2)
	if id2 == id1 || c2.Value == c1.Value || strings.SplitN(c2.Value, ".", 2)[1] == strings.SplitN(c1.Value, ".", 2)[1] {
		t.Errorf("second login kept session %d or its token", id1)
	}
	if n := cs.count(t, "sessions", "id = ?", id1); n != 0 {
		t.Errorf("the first session's row is still there")
	}

	// A login in another browser ends this one's session, not the tablet's.
	second := newBrowser(t)
	second.login(t, cs, "ada", pw)
	first.visit(t, cs.URL("/sessions"))
	if loc := first.location(t); loc != cs.URL("/login") {
		t.Errorf("first browser after a login elsewhere is at %s, want the login page", loc)
	}
	if n := cs.count(t, "sessions", "id = ?", id2); n != 0 {
		t.Errorf("the first browser's session row is still there")
	}
	second.visit(t, cs.URL("/sessions"))
	if loc := second.location(t); loc != cs.URL("/sessions") {
		t.Errorf("second browser is at %s, want its sessions page", loc)
	}
	if n := cs.count(t, "sessions", apiSessions); n != tabletSessions {
		t.Errorf("tablet sessions after console logins = %d, want %d", n, tabletSessions)
	}
	r := mustDo(t, tablet, "check_upload_user_and_device", nil)
	if !r.Success() {
		t.Errorf("tablet after console logins:\n%s", r.Body)
	}
}

// TestConsoleBrowserReplayedForm: a form sent once and then sent again
// with the same (used) token is refused with 403, and nothing changes.
func TestConsoleBrowserReplayedForm(t *testing.T) {
	cs := startConsole(t)
	cs.addUser(t, "console", "ada", "s3cret-ada", "--superuser")
	b := newBrowser(t)
	b.login(t, cs, "ada", "s3cret-ada")

	fill := func(which, desc string) string {
		b.visit(t, cs.URL("/idnums"))
		token := get(t, b, "read the form token",
			chromedp.Value(chromedp.CSS(`#add-idnum input[name="form_token"]`)))
		b.do(t, "fill in the ID number form",
			chromedp.SendKeys(chromedp.CSS(`#add-idnum input[name="which_idnum"]`), which),
			chromedp.SendKeys(chromedp.CSS(`#add-idnum input[name="description"]`), desc),
			chromedp.SendKeys(chromedp.CSS(`#add-idnum input[name="short_description"]`), desc))
		return token
	}
	used := fill("7", "Study number")
	b.submit(t, `#add-idnum button[type="submit"]`)
	if n := cs.count(t, "idnum_definitions", "which_idnum = 7"); n != 1 {
		t.Fatalf("ID number 7 not added (%d rows)", n)
	}

	// The same form again, carrying the token already used.
	fill("8", "Other number")
	b.do(t, "put the used token back", chromedp.SetValue(chromedp.CSS(`#add-idnum input[name="form_token"]`), used))
	b.submit(t, `#add-idnum button[type="submit"]`)
	if got := b.text(t, "main"); !strings.Contains(got, "already sent") {
		t.Errorf("replayed form: page says %q, want the 403 message", got)
	}
	if n := cs.count(t, "idnum_definitions", "which_idnum = 8"); n != 0 {
		t.Errorf("the replayed form added ID number 8")
	}
	if n := cs.count(t, "audit_log", "operation = 'idnum_add'"); n != 1 {
		t.Errorf("idnum_add audit rows = %d, want 1", n)
	}
}

// TestConsoleBrowserCrossSiteLogin: a page of another site that posts the
// console's login form (with the right password) logs nobody in.
func TestConsoleBrowserCrossSiteLogin(t *testing.T) {
	cs := startConsole(t)
	cs.addUser(t, "console", "ada", "s3cret-ada", "--superuser")
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><form method="post" action="%s">
<input name="username" value="ada"><input name="password" value="s3cret-ada">
<button type="submit">Win a prize</button></form>`, html.EscapeString(cs.URL("/login")))
	}))
	t.Cleanup(evil.Close)

	b := newBrowser(t)
	b.visit(t, evil.URL)
	b.submit(t, `button[type="submit"]`)
	if got := b.text(t, "body"); !strings.Contains(got, "another site") {
		t.Errorf("cross-site login: page says %q, want the refusal", got)
	}
	if n := cs.count(t, "sessions", "1 = 1"); n != 0 {
		t.Errorf("%d session rows after a cross-site login, want 0", n)
	}
	if c := b.consoleCookie(t, cs); c != nil {
		t.Errorf("the browser got a console cookie: %q", c.Name)
	}
}
