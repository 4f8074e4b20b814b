package main_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/uptrace/bun"

	"github.com/tabletapi/tabletapi/internal/idpolicy"
)

// Tests of the console's superuser pages: users, groups and ID number
// types. The browser tests drive one Chromium each through several steps.

// setValue sets the form field sel (an input or a select) to v.
func (b *browser) setValue(tb testing.TB, sel, v string) {
	tb.Helper()
	b.do(tb, "set "+sel, chromedp.SetValue(chromedp.CSS(sel), v))
}

// idOf returns the id of the row of table whose column col is v.
func (cs *consoleServer) idOf(tb testing.TB, table, col, v string) int64 {
	tb.Helper()
	var id int64
	if err := cs.DB.NewSelect().Table(table).Column("id").Where("? = ?", bun.Ident(col), v).
		Scan(context.Background(), &id); err != nil {
		tb.Fatalf("id of %s %s=%s: %v", table, col, v, err)
	}
	return id
}

// TestConsoleBrowserUsers: a superuser adds a user through the form
// (after a refused short password), resets its password (its tablet
// session ends), unlocks it, disables and enables it; each change is
// audited as the console's, naming the operator and the target.
func TestConsoleBrowserUsers(t *testing.T) {
	cs := startConsole(t, "--lockout-threshold", "3", "--lockout-increment", "10m", "--login-throttle-burst", "1000")
	cs.addUser(t, "console", "ada", "s3cret-ada", "--superuser")
	b := newBrowser(t)
	b.login(t, cs, "ada", "s3cret-ada")

	// Add bob: a short password is refused and adds nobody.
	addBob := func(pw string) {
		b.visit(t, cs.URL("/users"))
		b.setValue(t, `#add-user input[name="username"]`, "bob")
		b.setValue(t, `#add-user input[name="password"]`, pw)
		b.setValue(t, `#add-user input[name="password2"]`, pw)
		b.setValue(t, `#add-user select[name="group"]`, "console")
		b.do(t, "tick the rights",
			chromedp.Click(chromedp.CSS(`#add-user input[name="may_upload"]`)),
			chromedp.Click(chromedp.CSS(`#add-user input[name="may_register_devices"]`)))
		b.submit(t, `#add-user button`)
	}
	addBob("short")
	if got := b.text(t, "#form-error"); !strings.Contains(got, "at least 8 characters") {
		t.Fatalf("short password: error %q", got)
	}
	if n := cs.count(t, "users", "username = 'bob'"); n != 0 {
		t.Fatalf("a refused form added bob")
	}
	const pw1, pw2 = "s3cret-bob-1", "s3cret-bob-2"
	addBob(pw1)
	bob := cs.idOf(t, "users", "username", "bob")
	if loc := b.location(t); !strings.HasPrefix(loc, cs.URL("/users/"+strconv.FormatInt(bob, 10))) {
		t.Fatalf("after adding at %s", loc)
	}
	if got := b.text(t, "#done"); got != "User added." {
		t.Fatalf("done = %q", got)
	}
	if n := cs.count(t, "memberships", "user_id = ? AND may_upload AND may_register_devices AND NOT may_use_webviewer", bob); n != 1 {
		t.Fatalf("bob's membership is not as ticked")
	}

	// A tablet session of bob ends when ada resets his password.
	tablet := registeredClient(t, cs.testServer, "bob", pw1)
	if r := mustDo(t, tablet, "check_upload_user_and_device", nil); !r.Success() {
		t.Fatalf("bob's tablet login: %s", r.Body)
	}
	// Registering left a session too.
	sessions := cs.count(t, "sessions", "user_id = ? AND is_api_session", bob)
	if sessions < 1 {
		t.Fatalf("bob has no tablet session")
	}
	b.setValue(t, `#password input[name="password"]`, pw2)
	b.setValue(t, `#password input[name="password2"]`, pw2)
	b.submit(t, `#password button`)
	if got, want := b.text(t, "#done"), fmt.Sprintf("Password changed; %d session(s) ended.", sessions); got != want {
		t.Fatalf("after the reset: %q", got)
	}
	if n := cs.count(t, "sessions", "user_id = ?", bob); n != 0 {
		t.Fatalf("bob kept %d sessions after the reset", n)
	}
	tablet = clientOn(cs.testServer, tablet.Device(), "bob", pw2)
	if r := mustDo(t, tablet, "check_upload_user_and_device", nil); !r.Success() {
		t.Fatalf("bob's login with the new password: %s", r.Body)
	}

	// Three bad tablet logins lock bob out; the page shows it; unlock.
	for range 3 {
		mustDo(t, clientOn(cs.testServer, tablet.Device(), "bob", "wrong"), "check_upload_user_and_device", nil)
	}
	b.visit(t, cs.URL("/users/"+strconv.FormatInt(bob, 10)))
	if got := b.text(t, "#locked"); !strings.HasSuffix(got, "UTC") {
		t.Fatalf("locked out until %q, want a time", got)
	}
	b.visit(t, cs.URL("/users"))
	if got := b.text(t, "table.users"); !strings.Contains(got, "UTC") {
		t.Fatalf("the user list shows no lockout: %q", got)
	}
	b.visit(t, cs.URL("/users/"+strconv.FormatInt(bob, 10)))
	b.submit(t, `#unlock button`)
	if got := b.text(t, "#done"); got != "Unlocked: 1 lockout(s) and 3 failed login(s) cleared." {
		t.Fatalf("after unlock: %q", got)
	}
	if got := b.text(t, "#locked"); got != "not locked out" {
		t.Fatalf("after unlock: locked %q", got)
	}
	if n := cs.count(t, "login_failures", "username = 'bob'") + cs.count(t, "lockouts", "username = 'bob'"); n != 0 {
		t.Fatalf("%d failure and lockout rows left", n)
	}

	// Disable (ending bob's tablet session), then enable.
	mustDo(t, tablet, "check_upload_user_and_device", nil)
	b.submit(t, `#disable button`)
	if got, st := b.text(t, "#done"), b.text(t, "#status"); got != "User disabled; 1 session(s) ended." || st != "disabled" {
		t.Fatalf("after disable: %q, status %q", got, st)
	}
	if n := cs.count(t, "users", "id = ? AND disabled", bob); n != 1 {
		t.Fatalf("bob is not disabled")
	}
	b.submit(t, `#enable button`)
	if got, st := b.text(t, "#done"), b.text(t, "#status"); got != "User enabled." || st != "enabled" {
		t.Fatalf("after enable: %q, status %q", got, st)
	}
	if n := cs.count(t, "users", "id = ? AND NOT disabled", bob); n != 1 {
		t.Fatalf("bob is not enabled")
	}

	for _, op := range []string{"user_add", "password_set", "unlock", "disable", "enable"} {
		if n := cs.count(t, "audit_log", "source = 'console' AND operation = ? AND username = 'ada' AND details LIKE '%bob%'", op); n != 1 {
			t.Errorf("console %s audit rows naming ada and bob: %d, want 1", op, n)
		}
	}
}

// TestConsoleBrowserGroupsAndIDNums: a policy that does not parse shows
// the parser's message and changes nothing; a good one is stored; a new
// ID number type is added.
func TestConsoleBrowserGroupsAndIDNums(t *testing.T) {
	cs := startConsole(t)
	cs.addUser(t, "console", "ada", "s3cret-ada", "--superuser")
	group := strconv.FormatInt(cs.idOf(t, "groups", "name", "console"), 10)
	b := newBrowser(t)
	b.login(t, cs, "ada", "s3cret-ada")

	const bad, good = "sex AND (forename", "sex AND idnum1 AND dob"
	_, perr := idpolicy.Parse(bad)
	if perr == nil {
		t.Fatalf("%q parses", bad)
	}
	b.visit(t, cs.URL("/groups"))
	b.visit(t, cs.URL("/groups/"+group))
	b.setValue(t, `#edit-group input[name="upload_policy"]`, bad)
	b.setValue(t, `#edit-group input[name="description"]`, "changed")
	b.submit(t, `#edit-group button`)
	if got := b.text(t, "#form-error"); !strings.Contains(got, perr.Error()) {
		t.Fatalf("bad policy: error %q, want the parser's %q", got, perr.Error())
	}
	if n := cs.count(t, "groups", "id = ? AND upload_policy = 'sex AND anyidnum' AND description IS NULL", group); n != 1 {
		t.Fatalf("a refused edit changed the group")
	}
	b.setValue(t, `#edit-group input[name="upload_policy"]`, good)
	b.do(t, "tick research", chromedp.Click(chromedp.CSS(`#edit-group input[name="ip_research"]`)))
	b.submit(t, `#edit-group button`)
	if got := b.text(t, "#done"); got != "Group saved." {
		t.Fatalf("good policy: %q", got)
	}
	if got := b.text(t, "#upload-policy"); got != good {
		t.Fatalf("upload policy shown: %q", got)
	}
	if n := cs.count(t, "groups", "id = ? AND upload_policy = ? AND description = 'changed' AND ip_use_research", group, good); n != 1 {
		t.Fatalf("the edit was not stored")
	}
	if n := cs.count(t, "audit_log", "source = 'console' AND operation = 'group_set' AND username = 'ada' AND details LIKE '%console%'"); n != 1 {
		t.Fatalf("group_set audit rows: %d, want 1", n)
	}

	b.visit(t, cs.URL("/idnums"))
	b.setValue(t, `#add-idnum input[name="which_idnum"]`, "3")
	b.setValue(t, `#add-idnum input[name="description"]`, "NHS number")
	b.setValue(t, `#add-idnum input[name="short_description"]`, "NHS")
	b.setValue(t, `#add-idnum select[name="validation_method"]`, "uk_nhs_number")
	b.submit(t, `#add-idnum button`)
	if got := b.text(t, "#done"); got != "ID number type added." {
		t.Fatalf("after adding: %q", got)
	}
	if got := b.text(t, "table.idnums"); !strings.Contains(got, "NHS number") {
		t.Fatalf("list: %q", got)
	}
	if n := cs.count(t, "idnum_definitions", "which_idnum = 3 AND validation_method = 'uk_nhs_number'"); n != 1 {
		t.Fatalf("the ID number type was not stored")
	}
	if n := cs.count(t, "audit_log", "source = 'console' AND operation = 'idnum_add' AND username = 'ada'"); n != 1 {
		t.Fatalf("idnum_add audit rows: %d, want 1", n)
	}
}

// TestConsoleAdminHTTP: the superuser pages refuse a non-superuser with
// 403; bad input is shown on the form with 422 and changes nothing; a
// replayed form token gets 403 and changes nothing.
func TestConsoleAdminHTTP(t *testing.T) {
	cs := startConsole(t)
	cs.addUser(t, "console", "ada", "s3cret-ada", "--superuser")
	cs.addUser(t, "console", "vic", "s3cret-vic", "--may-use-webviewer")
	group := strconv.FormatInt(cs.idOf(t, "groups", "name", "console"), 10)

	t.Run("NotSuperuser", func(t *testing.T) {
		hc := httpClient(t)
		cs.mustLogin(t, hc, "vic", "s3cret-vic")
		_, page := consoleDo(t, hc, http.MethodGet, cs.URL("/"), nil, nil)
		if strings.Contains(page, "/users\"") {
			t.Errorf("the navigation shows Users to a non-superuser")
		}
		for _, p := range []string{"/users", "/users/1", "/groups", "/groups/" + group, "/idnums"} {
			if resp, _ := consoleDo(t, hc, http.MethodGet, cs.URL(p), nil, nil); resp.StatusCode != http.StatusForbidden {
				t.Errorf("GET %s: status %d, want 403", p, resp.StatusCode)
			}
		}
		form := url.Values{"form_token": {formToken(t, page)}, "username": {"eve"}, "password": {"s3cret-eve"},
			"password2": {"s3cret-eve"}, "group": {"console"}, "superuser": {"1"}}
		if resp, _ := consoleDo(t, hc, http.MethodPost, cs.URL("/users"), form, nil); resp.StatusCode != http.StatusForbidden {
			t.Errorf("POST /users: status %d, want 403", resp.StatusCode)
		}
		if n := cs.count(t, "users", "username = 'eve'"); n != 0 {
			t.Errorf("a non-superuser added a user")
		}
	})

	hc := httpClient(t)
	cs.mustLogin(t, hc, "ada", "s3cret-ada")
	// post sends form to path with a fresh token from page.
	post := func(page, path string, form url.Values) (int, string) {
		_, body := consoleDo(t, hc, http.MethodGet, cs.URL(page), nil, nil)
		form.Set("form_token", formToken(t, body))
		resp, body := consoleDo(t, hc, http.MethodPost, cs.URL(path), form, nil)
		return resp.StatusCode, body
	}

	t.Run("BadInput", func(t *testing.T) {
		for _, tc := range []struct {
			name, page, path string
			form             url.Values
			want             string
		}{
			{"PasswordTooLong", "/users", "/users", url.Values{"username": {"eve"}, "group": {"console"},
				"password": {strings.Repeat("x", 73)}, "password2": {strings.Repeat("x", 73)}}, "longer than 72 bytes"},
			{"PasswordsDiffer", "/users", "/users", url.Values{"username": {"eve"}, "group": {"console"},
				"password": {"s3cret-eve"}, "password2": {"s3cret-evf"}}, "The two passwords differ."},
			{"BadUsername", "/users", "/users", url.Values{"username": {"system"}, "group": {"console"},
				"password": {"s3cret-eve"}, "password2": {"s3cret-eve"}}, "not a valid username"},
			{"NoGroup", "/users", "/users", url.Values{"username": {"eve"}, "group": {"nowhere"},
				"password": {"s3cret-eve"}, "password2": {"s3cret-eve"}}, "no group named"},
			{"BadPolicy", "/groups/" + group, "/groups/" + group, url.Values{"upload_policy": {"sex OR OR"}}, "upload policy does not parse"},
			{"BadGroupName", "/groups", "/groups", url.Values{"name": {"a b"}}, "not a valid group name"},
			{"BadIDNum", "/idnums", "/idnums", url.Values{"which_idnum": {"x"}, "description": {"d"}, "short_description": {"s"}}, "whole number"},
			{"IDNumZero", "/idnums", "/idnums", url.Values{"which_idnum": {"0"}, "description": {"d"}, "short_description": {"s"}}, "Check the fields"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				st, body := post(tc.page, tc.path, tc.form)
				if st != http.StatusUnprocessableEntity || !strings.Contains(body, tc.want) {
					t.Fatalf("status %d, want 422 with %q in:\n%s", st, tc.want, body)
				}
			})
		}
		if n := cs.count(t, "users", "username IN ('eve', 'system')") + cs.count(t, "idnum_definitions", "1 = 1") +
			cs.count(t, "groups", "upload_policy <> 'sex AND anyidnum' OR name <> 'console'"); n != 0 {
			t.Fatalf("refused forms changed %d rows", n)
		}
		if n := cs.count(t, "audit_log", "source = 'console' AND operation <> 'login'"); n != 0 {
			t.Fatalf("refused forms wrote %d audit rows", n)
		}
	})

	t.Run("Membership", func(t *testing.T) {
		if st, body := post("/groups", "/groups", url.Values{"name": {"other"}, "upload_policy": {"sex AND idnum1"}}); st != http.StatusSeeOther {
			t.Fatalf("add group: status %d\n%s", st, body)
		}
		vic := strconv.FormatInt(cs.idOf(t, "users", "username", "vic"), 10)
		st, body := post("/users/"+vic, "/users/"+vic+"/membership", url.Values{"group": {"other"}, "may_use_webviewer": {"1"}})
		if st != http.StatusSeeOther {
			t.Fatalf("membership: status %d\n%s", st, body)
		}
		if n := cs.count(t, "memberships", "user_id = ? AND group_id = (SELECT id FROM groups WHERE name = 'other')"+
			" AND may_use_webviewer AND NOT may_upload", vic); n != 1 {
			t.Fatalf("vic's membership in other was not stored")
		}
		if st, _ := post("/users/"+vic, "/users/"+vic+"/superuser", url.Values{"superuser": {"1"}}); st != http.StatusSeeOther {
			t.Fatalf("superuser: status %d", st)
		}
		if n := cs.count(t, "users", "username = 'vic' AND superuser"); n != 1 {
			t.Fatalf("vic is not a superuser")
		}
	})

	t.Run("NotOnYourself", func(t *testing.T) {
		ada := strconv.FormatInt(cs.idOf(t, "users", "username", "ada"), 10)
		if st, body := post("/users/"+ada, "/users/"+ada+"/superuser", url.Values{}); st != http.StatusUnprocessableEntity ||
			!strings.Contains(body, "your own superuser flag") {
			t.Fatalf("own superuser flag: status %d\n%s", st, body)
		}
		if st, body := post("/users/"+ada, "/users/"+ada+"/disable", url.Values{}); st != http.StatusUnprocessableEntity ||
			!strings.Contains(body, "disable your own account") {
			t.Fatalf("disable yourself: status %d\n%s", st, body)
		}
		if n := cs.count(t, "users", "username = 'ada' AND superuser AND NOT disabled"); n != 1 {
			t.Fatalf("ada changed herself")
		}
	})

	t.Run("ReplayedToken", func(t *testing.T) {
		_, page := consoleDo(t, hc, http.MethodGet, cs.URL("/idnums"), nil, nil)
		form := url.Values{"form_token": {formToken(t, page)}, "which_idnum": {"7"}, "description": {"Seven"}, "short_description": {"7"}}
		if resp, _ := consoleDo(t, hc, http.MethodPost, cs.URL("/idnums"), form, nil); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("first post: status %d, want 303", resp.StatusCode)
		}
		form.Set("which_idnum", "8")
		if resp, _ := consoleDo(t, hc, http.MethodPost, cs.URL("/idnums"), form, nil); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("replay: status %d, want 403", resp.StatusCode)
		}
		if n := cs.count(t, "idnum_definitions", "1 = 1"); n != 1 {
			t.Fatalf("%d ID number types after a replay, want 1", n)
		}
	})
}
