package main_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tabletapi/tabletapi/testclient"
)

// The tests in this file drive the transport layer of PROTOCOL 1, 2.2 and
// 3.6 through the real server: endpoints and methods, body decoding, the
// plain 400, the reply headers, the body limit, the client IP and the
// request log.

// wantShortPlain fails unless a 404/405/413 reply is short plain text and
// not a key:value reply the client could mistake for an API reply.
func wantShortPlain(tb testing.TB, what string, resp *http.Response, body string) {
	tb.Helper()
	if len(body) == 0 || len(body) > 200 {
		tb.Errorf("%s: body length %d, want short plain text: %q", what, len(body), body)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		tb.Errorf("%s: Content-Type = %q, want text/plain", what, ct)
	}
	if strings.Contains(body, "success:") || strings.Contains(body, "session_id:") {
		tb.Errorf("%s: body looks like a key:value reply: %q", what, body)
	}
}

// TestTransport_FailedLoginGoesOnAnonymously: a wrong password or an
// unknown user is not an error of the request (PROTOCOL 3.4, 4 step 4):
// check_device_registered still succeeds, with empty session keys, and the
// failure is recorded.
func TestTransport_FailedLoginGoesOnAnonymously(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	s.addUser(t, "g", "alice", "pw!-secret", "--may-upload", "--may-register-devices")
	c := s.client("alice", "pw!-secret")
	ctx := context.Background()
	if _, err := c.RegisterSequence(ctx, "Ward 3"); err != nil {
		t.Fatal(err)
	}
	for _, user := range []string{"alice", "nobody"} {
		bad := testclient.New(testclient.Config{URL: s.API, Device: c.Device(), User: user, Password: "wrong"})
		r, err := bad.CheckDeviceRegistered(ctx)
		if err != nil {
			t.Fatal(err)
		}
		wantReply(t, r, http.StatusOK, "result:check_device_registered\nsuccess:1\nsession_id:\nsession_token:\n")
		wantAPIHeaders(t, r.Header)
		if n := s.count(t, "login_failures", "username = ?", user); n != 1 {
			t.Errorf("login_failures for %s = %d, want 1", user, n)
		}
		if n := s.count(t, "audit_log", "details = ? AND remote_addr = '127.0.0.1'", "Failed login as user: "+user); n != 1 {
			t.Errorf("failed-login audit rows for %s = %d, want 1", user, n)
		}
	}
}

// TestTransport_Endpoints: PROTOCOL 1.1 without a mount prefix.
func TestTransport_Endpoints(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	const unregistered = "success:0\nerror:Unregistered device\nsession_id:\nsession_token:\n"
	body := testclient.EncodeForm(loginForm("check_device_registered", testclient.NewDeviceID(), "", ""))

	t.Run("OK", func(t *testing.T) {
		for _, path := range []string{"/api", "/database"} {
			r := postBody(t, s.Base+path, testclient.FormContentType, body)
			wantReply(t, r, http.StatusOK, unregistered)
			wantAPIHeaders(t, r.Header)
		}
	})
	t.Run("MethodNotAllowed", func(t *testing.T) {
		for _, mr := range []struct{ method, path string }{
			{http.MethodGet, "/api"},
			{http.MethodPut, "/api"},
			{http.MethodDelete, "/api"},
			{http.MethodGet, "/database"},
			{http.MethodPut, "/database"},
			{http.MethodPatch, "/database"},
		} {
			what := mr.method + " " + mr.path
			resp, b := sendHTTP(t, mr.method, s.Base+mr.path, testclient.FormContentType, body)
			if resp.StatusCode != http.StatusMethodNotAllowed {
				t.Errorf("%s: status %d, want 405", what, resp.StatusCode)
			}
			if got := resp.Header.Get("Allow"); got != "POST" {
				t.Errorf("%s: Allow = %q, want POST", what, got)
			}
			wantShortPlain(t, what, resp, b)
		}
	})
	t.Run("NotFound", func(t *testing.T) {
		for _, path := range []string{"/nosuch", "/api/", "/database/", "/API", "/Database", "/api/x", "/camcops/api", "/", "/apix"} {
			resp, b := sendHTTP(t, http.MethodPost, s.Base+path, testclient.FormContentType, body)
			if resp.StatusCode != http.StatusNotFound {
				t.Errorf("POST %s: status %d, want 404 (body %q)", path, resp.StatusCode, b)
				continue
			}
			wantShortPlain(t, "POST "+path, resp, b)
		}
	})
	t.Run("Health", func(t *testing.T) {
		for _, path := range []string{"/healthz", "/readyz"} {
			resp, b := sendHTTP(t, http.MethodGet, s.Base+path, "", "")
			if resp.StatusCode != http.StatusOK {
				t.Errorf("GET %s: status %d (body %q), want 200", path, resp.StatusCode, b)
			}
		}
	})
}

// TestTransport_PathPrefix: PROTOCOL 1.1 and 10.3 with --path-prefix.
func TestTransport_PathPrefix(t *testing.T) {
	t.Parallel()
	s := startServer(t, "--path-prefix", "/camcops")
	body := testclient.EncodeForm(loginForm("check_device_registered", testclient.NewDeviceID(), "", ""))

	for _, path := range []string{"/camcops/api", "/camcops/database"} {
		r := postBody(t, s.Base+path, testclient.FormContentType, body)
		wantReply(t, r, http.StatusOK, "success:0\nerror:Unregistered device\nsession_id:\nsession_token:\n")
	}
	for _, path := range []string{"/api", "/database", "/camcops/api/", "/camcops", "/camcops/healthz", "/camcops/readyz"} {
		method := http.MethodPost
		if strings.HasSuffix(path, "z") {
			method = http.MethodGet
		}
		resp, b := sendHTTP(t, method, s.Base+path, testclient.FormContentType, body)
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s %s: status %d, want 404 (body %q)", method, path, resp.StatusCode, b)
		}
	}
	resp, _ := sendHTTP(t, http.MethodGet, s.Base+"/camcops/api", "", "")
	if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "POST" {
		t.Errorf("GET /camcops/api: status %d, Allow %q; want 405 and POST", resp.StatusCode, resp.Header.Get("Allow"))
	}
	// Health checks stay at the root whatever the prefix.
	for _, path := range []string{"/healthz", "/readyz"} {
		resp, b := sendHTTP(t, http.MethodGet, s.Base+path, "", "")
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s: status %d (body %q), want 200", path, resp.StatusCode, b)
		}
	}
}

// TestTransport_Plain400: every check of PROTOCOL 2.2 answers exactly the
// plain 400, before any database access, while the same request made valid
// gets a key:value reply.
func TestTransport_Plain400(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	s.addUser(t, "g", "alice", "pw!-secret", "--may-upload")
	user191 := strings.Repeat("u", 191)
	s.addUser(t, "g", user191, "pw!-secret")
	dev := testclient.NewDeviceID()
	valid := func(edit func(map[string]string)) string {
		f := loginForm("check_device_registered", dev, "alice", "pw!-secret")
		if edit != nil {
			edit(f)
		}
		return testclient.EncodeForm(f)
	}
	set := func(k, v string) func(map[string]string) { return func(f map[string]string) { f[k] = v } }

	// Control: the unedited request passes 2.2 (and logs in).
	r := postBody(t, s.API, testclient.FormContentType, valid(nil))
	wantReply(t, r, http.StatusOK, "success:0\nerror:Unregistered device\nsession_id:{session_id}\nsession_token:{session_token}\n")
	audits, failures := s.count(t, "audit_log", "1 = 1"), s.count(t, "login_failures", "1 = 1")

	for _, tc := range []struct {
		name        string
		contentType string
		body        string
		query       string
	}{
		{name: "MissingVersion", body: valid(func(f map[string]string) { delete(f, "camcops_version") })},
		{name: "BlankVersion", body: valid(set("camcops_version", ""))},
		{name: "Version1.9.9", body: valid(set("camcops_version", "1.9.9"))},
		{name: "Version1.99", body: valid(set("camcops_version", "1.99"))},
		{name: "Version2.4.24.1", body: valid(set("camcops_version", "2.4.24.1"))},
		{name: "Version2.04.1", body: valid(set("camcops_version", "2.04.1"))},
		{name: "VersionAbc", body: valid(set("camcops_version", "abc"))},
		{name: "OperationHyphen", body: valid(set("operation", "check-device_registered"))},
		{name: "OperationSpaceInside", body: valid(set("operation", "check device"))},
		{name: "OperationTrailingNewline", body: valid(set("operation", "check_device_registered\n"))},
		{name: "OperationNonASCII", body: valid(set("operation", "opération"))},
		{name: "DeviceServer", body: valid(set("device", "server"))},
		{name: "DeviceTrailingNewline", body: valid(set("device", dev+"\n"))},
		{name: "DeviceBadChar", body: valid(set("device", "dev.1"))},
		{name: "Device192", body: valid(set("device", strings.Repeat("d", 192)))},
		{name: "UserSystem", body: valid(set("user", "system"))},
		{name: "UserTrailingNewline", body: valid(set("user", "alice\n"))},
		{name: "UserBadChar", body: valid(set("user", "alice@example.org"))},
		{name: "User192", body: valid(set("user", strings.Repeat("u", 192)))},
		{name: "BadPercentEncoding", body: valid(nil) + "&devicefriendlyname=%zz"},
		{name: "BadPercentEncodingInPassword", body: strings.Replace(valid(nil), "password=pw%21-secret", "password=pw%2-secret", 1)},
		{name: "InvalidUTF8Value", body: valid(nil) + "&devicefriendlyname=%ff"},
		{name: "InvalidUTF8Key", body: valid(nil) + "&%ff=1"},
		{name: "TextPlain", contentType: "text/plain", body: valid(nil)},
		{name: "JSON", contentType: "application/json", body: `{"operation":"check_device_registered","camcops_version":"2.4.24"}`},
		{name: "NoContentType", contentType: "-", body: valid(nil)},
		{name: "MultipartWithoutBoundary", contentType: "multipart/form-data", body: valid(nil)},
		{name: "EmptyBody", body: ""},
		// Parameters only in the query string: the query is ignored.
		{name: "QueryStringOnly", body: "", query: valid(nil)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ct := tc.contentType
			switch ct {
			case "":
				ct = testclient.FormContentType
			case "-":
				ct = ""
			}
			url := s.API
			if tc.query != "" {
				url += "?" + tc.query
			}
			resp, b := sendHTTP(t, http.MethodPost, url, ct, tc.body)
			if resp.StatusCode != http.StatusBadRequest || b != plain400 {
				t.Fatalf("reply = %d %q, want 400 %q", resp.StatusCode, b, plain400)
			}
			if got := resp.Header.Values("Set-Cookie"); len(got) != 0 {
				t.Errorf("Set-Cookie = %q", got)
			}
		})
	}
	// No check of 2.2 touched the database: no login, no failure.
	if n := s.count(t, "audit_log", "1 = 1"); n != audits {
		t.Errorf("audit rows %d after plain 400s, want %d", n, audits)
	}
	if n := s.count(t, "login_failures", "1 = 1"); n != failures {
		t.Errorf("login_failures rows %d after plain 400s, want %d", n, failures)
	}
	if strings.Contains(s.Log.String(), "pw!-secret") {
		t.Errorf("log contains the password:\n%s", s.Log)
	}

	// Boundaries that must pass 2.2.
	for _, tc := range []struct {
		name string
		body string
	}{
		{"User191", valid(set("user", user191))},
		{"Device191", valid(set("device", strings.Repeat("d", 191)))},
		{"DeviceBracesCommaHyphen", valid(set("device", "{a,b-c_D}"))},
		{"Version2", valid(set("camcops_version", "2"))},
		{"Version2.05", valid(set("camcops_version", "2.05"))},
		{"VersionPrereleaseBuild", valid(set("camcops_version", "2.4.25-beta.1+build.7"))},
		{"NoOperation", valid(func(f map[string]string) { delete(f, "operation") })},
		{"CharsetParameter", valid(nil)},
	} {
		t.Run("Accepted/"+tc.name, func(t *testing.T) {
			ct := testclient.FormContentType
			if tc.name == "CharsetParameter" {
				ct += "; charset=UTF-8"
			}
			r := postBody(t, s.API, ct, tc.body)
			if tc.name == "User191" && r.Values["session_id"] == "" {
				t.Errorf("191-character user not logged in: %q", r.Body)
			}
			if r.Status != http.StatusOK || !r.IsAPIReply() {
				t.Fatalf("reply = %d %q, want a key:value reply with 200", r.Status, r.Body)
			}
			wantAPIHeaders(t, r.Header)
		})
	}
}

// TestTransport_BodyDecoding: multipart bodies, + as a space, %2B as +, and
// the last of repeated keys (PROTOCOL 1.2).
func TestTransport_BodyDecoding(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	s.addUser(t, "g", "alice", "pw!-secret", "--may-upload", "--may-register-devices")

	t.Run("PlusIsSpace", func(t *testing.T) {
		dev := testclient.NewDeviceID()
		f := loginForm("register", dev, "alice", "pw!-secret")
		body := testclient.EncodeForm(f) + "&devicefriendlyname=Ward+3"
		r := postBody(t, s.API, testclient.FormContentType, body)
		if r.Status != http.StatusOK || !r.Success() {
			t.Fatalf("register: %d %q", r.Status, r.Body)
		}
		if n := s.count(t, "devices", "name = ? AND friendly_name = ?", dev, "Ward 3"); n != 1 {
			t.Fatalf("devices named %s with friendly name 'Ward 3': %d, want 1", dev, n)
		}
	})
	t.Run("PercentPlusIsPlus", func(t *testing.T) {
		dev := testclient.NewDeviceID()
		f := loginForm("register", dev, "alice", "pw!-secret")
		f["devicefriendlyname"] = "A+B & C=D"
		r := postBody(t, s.API, testclient.FormContentType, testclient.EncodeForm(f))
		if r.Status != http.StatusOK || !r.Success() {
			t.Fatalf("register: %d %q", r.Status, r.Body)
		}
		if n := s.count(t, "devices", "name = ? AND friendly_name = ?", dev, "A+B & C=D"); n != 1 {
			t.Fatalf("friendly name not stored as 'A+B & C=D'")
		}
	})
	t.Run("Multipart", func(t *testing.T) {
		c := s.client("alice", "pw!-secret")
		if _, err := c.RegisterSequence(context.Background(), "Ward 4"); err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		for k, v := range loginForm("check_device_registered", c.Device(), "alice", "pw!-secret") {
			if err := mw.WriteField(k, v); err != nil {
				t.Fatal(err)
			}
		}
		if err := mw.Close(); err != nil {
			t.Fatal(err)
		}
		r := postBody(t, s.API, mw.FormDataContentType(), buf.String())
		wantReply(t, r, http.StatusOK, "result:check_device_registered\nsuccess:1\nsession_id:{session_id}\nsession_token:{session_token}\n")
		wantAPIHeaders(t, r.Header)
	})
	t.Run("MultipartFilePart", func(t *testing.T) {
		// A part sent as a file is a parameter like any other.
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		for k, v := range loginForm("get_allowed_tables", testclient.NewDeviceID(), "", "") {
			if k == "operation" {
				w, err := mw.CreateFormFile(k, "op.txt")
				if err != nil {
					t.Fatal(err)
				}
				io.WriteString(w, v)
				continue
			}
			mw.WriteField(k, v)
		}
		mw.Close()
		r := postBody(t, s.API, mw.FormDataContentType(), buf.String())
		if r.Status != http.StatusOK || !r.IsAPIReply() {
			t.Fatalf("reply = %d %q, want a key:value reply", r.Status, r.Body)
		}
	})
	t.Run("RepeatedKeyLastWins", func(t *testing.T) {
		c := s.client("alice", "pw!-secret")
		if _, err := c.RegisterSequence(context.Background(), "Ward 5"); err != nil {
			t.Fatal(err)
		}
		base := loginForm("check_device_registered", c.Device(), "alice", "pw!-secret")
		enc := func(drop string) string {
			f := map[string]string{}
			for k, v := range base {
				if k != drop {
					f[k] = v
				}
			}
			return testclient.EncodeForm(f)
		}
		// operation: the second value is the one dispatched.
		r := postBody(t, s.API, testclient.FormContentType, "operation=get_allowed_tables&"+enc("")+"&operation=check_device_registered")
		wantReply(t, r, http.StatusOK, "result:check_device_registered\nsuccess:1\nsession_id:{session_id}\nsession_token:{session_token}\n")
		// camcops_version: a bad first value is overridden...
		r = postBody(t, s.API, testclient.FormContentType, "camcops_version=1.0&"+enc("camcops_version")+"&camcops_version=2.4.24")
		if r.Status != http.StatusOK || !r.Success() {
			t.Fatalf("bad then good version: %d %q, want success", r.Status, r.Body)
		}
		// ...and a bad last value wins.
		r = postBody(t, s.API, testclient.FormContentType, "camcops_version=2.4.24&"+enc("camcops_version")+"&camcops_version=1.0")
		if r.Status != http.StatusBadRequest || string(r.Body) != plain400 {
			t.Fatalf("good then bad version: %d %q, want the plain 400", r.Status, r.Body)
		}
		// password: a right last value logs in...
		r = postBody(t, s.API, testclient.FormContentType, "password=wrong&"+enc("password")+"&password=pw%21-secret")
		wantReply(t, r, http.StatusOK, "result:check_device_registered\nsuccess:1\nsession_id:{session_id}\nsession_token:{session_token}\n")
		// ...and a wrong last value does not.
		r = postBody(t, s.API, testclient.FormContentType, enc("")+"&password=wrong")
		wantReply(t, r, http.StatusOK, "result:check_device_registered\nsuccess:1\nsession_id:\nsession_token:\n")
	})
}

// TestTransport_ReplyHeaders: every key:value reply, success or failure,
// has the headers of PROTOCOL 1.3 and no cookie.
func TestTransport_ReplyHeaders(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	s.addUser(t, "g", "alice", "pw!-secret", "--may-upload", "--may-register-devices")
	c := s.client("alice", "pw!-secret")
	ctx := context.Background()
	rs, err := c.RegisterSequence(ctx, "Ward 3")
	if err != nil {
		t.Fatal(err)
	}
	replies := []*testclient.Reply{rs.Register, rs.AllowedTables, rs.ExtraStrings}
	for _, op := range []string{"check_device_registered", "get_id_info", "check_upload_user_and_device", "no_such_operation", ""} {
		r, err := c.Do(ctx, op, nil)
		if err != nil {
			t.Fatal(err)
		}
		replies = append(replies, r)
	}
	anon := testclient.New(testclient.Config{URL: s.API, Device: testclient.NewDeviceID()})
	r, err := anon.Do(ctx, "get_id_info", nil)
	if err != nil {
		t.Fatal(err)
	}
	replies = append(replies, r)
	for _, r := range replies {
		if !r.IsAPIReply() || r.Status != http.StatusOK {
			t.Errorf("not a 200 key:value reply: %d %q", r.Status, r.Body)
		}
		wantAPIHeaders(t, r.Header)
	}
}

// TestTransport_ErrorEscaping: the error value is newline-escaped
// (PROTOCOL 1.3). `Invalid client table name: <table>` quotes the client's
// table name as it is, so a name with a backslash, LF and CR shows the
// escaping on the wire. escapeError itself is tested in api/fuzz_test.go.
func TestTransport_ErrorEscaping(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	s.addUser(t, "g", "alice", "pw!-secret", "--may-upload", "--may-register-devices")
	c := s.client("alice", "pw!-secret")
	ctx := context.Background()
	if _, err := c.RegisterSequence(ctx, "Ward 3"); err != nil {
		t.Fatal(err)
	}
	r, err := c.Do(ctx, "upload_table", map[string]string{
		"table": "x\\y\nz\rw", "fields": "id", "nrecords": "0", "pkname": "id",
	})
	if err != nil {
		t.Fatal(err)
	}
	wantReply(t, r, http.StatusOK, "success:0\nerror:Invalid client table name: x\\\\y\\nz\\rw\nsession_id:{session_id}\nsession_token:{session_token}\n")
}

// TestTransport_BodyLimit: a body over --max-body-bytes gets 413, is logged
// and changes nothing; a body exactly at the limit is read (PROTOCOL 1.2).
func TestTransport_BodyLimit(t *testing.T) {
	t.Parallel()
	const limit = 2048
	s := startServer(t, "--max-body-bytes", fmt.Sprint(limit))
	s.addUser(t, "g", "alice", "pw!-secret", "--may-upload", "--may-register-devices")
	devices, audits, sessions := s.count(t, "devices", "1 = 1"), s.count(t, "audit_log", "1 = 1"), s.count(t, "sessions", "1 = 1")

	dev := testclient.NewDeviceID()
	base := testclient.EncodeForm(loginForm("register", dev, "alice", "pw!-secret")) + "&devicefriendlyname="
	over := base + strings.Repeat("x", limit+1-len(base))
	if len(over) != limit+1 {
		t.Fatalf("test body is %d bytes", len(over))
	}
	resp, b := sendHTTP(t, http.MethodPost, s.API, testclient.FormContentType, over)
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("status %d (%q), want 413", resp.StatusCode, b)
	}
	wantShortPlain(t, "413", resp, b)

	// Well over the limit.
	huge := base + strings.Repeat("y", 64<<10)
	resp, b = sendHTTP(t, http.MethodPost, s.API, testclient.FormContentType, huge)
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("huge body: status %d (%q), want 413", resp.StatusCode, b)
	}

	if n := s.count(t, "devices", "1 = 1"); n != devices {
		t.Errorf("devices %d after 413, want %d", n, devices)
	}
	if n := s.count(t, "audit_log", "1 = 1"); n != audits {
		t.Errorf("audit rows %d after 413, want %d", n, audits)
	}
	if n := s.count(t, "sessions", "1 = 1"); n != sessions {
		t.Errorf("sessions %d after 413, want %d", n, sessions)
	}
	if got := strings.Count(s.Log.String(), "body too large"); got != 2 {
		t.Errorf("log has %d body-too-large lines, want 2:\n%s", got, s.Log)
	}

	// Exactly at the limit: accepted.
	at := base + strings.Repeat("x", limit-len(base))
	r := postBody(t, s.API, testclient.FormContentType, at)
	if r.Status != http.StatusOK || !r.Success() {
		t.Fatalf("body of exactly %d bytes: %d %q, want success", limit, r.Status, r.Body)
	}
	if n := s.count(t, "devices", "name = ?", dev); n != 1 {
		t.Fatalf("device not registered by the body at the limit")
	}
}

// headerTransport adds fixed headers to every request.
type headerTransport struct {
	header http.Header
}

func (h headerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	for k, vs := range h.header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	return http.DefaultTransport.RoundTrip(req)
}

// transportLoginIP logs alice in from a new device with the given
// X-Forwarded-For values and returns the session's stored IP and the
// remote_addr of the login's audit row.
func transportLoginIP(tb testing.TB, s *testServer, xff ...string) (sessionIP, auditIP string, c *testclient.Client) {
	tb.Helper()
	h := http.Header{}
	for _, v := range xff {
		h.Add("X-Forwarded-For", v)
	}
	c = testclient.New(testclient.Config{
		URL: s.API, Device: testclient.NewDeviceID(), User: "alice", Password: "pw!-secret",
		HTTPClient: &http.Client{Timeout: 20 * time.Second, Transport: headerTransport{h}},
	})
	r, err := c.CheckDeviceRegistered(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	id := r.Values["session_id"]
	if id == "" {
		tb.Fatalf("login failed: %q", r.Body)
	}
	ctx := context.Background()
	if err := s.DB.NewSelect().Table("sessions").Column("ip_address").Where("id = ?", id).Scan(ctx, &sessionIP); err != nil {
		tb.Fatal(err)
	}
	if err := s.DB.NewSelect().Table("audit_log").Column("remote_addr").
		Where("details = 'Login as user: alice'").OrderExpr("id DESC").Limit(1).Scan(ctx, &auditIP); err != nil {
		tb.Fatal(err)
	}
	return sessionIP, auditIP, c
}

// TestTransport_ClientIP: the effective client IP of PROTOCOL 3.6, as
// stored in sessions.ip_address and the audit.
func TestTransport_ClientIP(t *testing.T) {
	t.Parallel()
	t.Run("NoTrustedProxies", func(t *testing.T) {
		t.Parallel()
		s := startServer(t)
		s.addUser(t, "g", "alice", "pw!-secret")
		for _, xff := range [][]string{nil, {"203.0.113.9"}, {"203.0.113.9, 10.1.2.3"}, {"127.0.0.1", "198.51.100.7"}} {
			sip, aip, _ := transportLoginIP(t, s, xff...)
			if sip != "127.0.0.1" || aip != "127.0.0.1" {
				t.Errorf("X-Forwarded-For %q: session IP %q, audit IP %q; want 127.0.0.1 (header ignored)", xff, sip, aip)
			}
		}
	})
	t.Run("TrustedProxies", func(t *testing.T) {
		t.Parallel()
		s := startServer(t, "--trusted-proxies", "127.0.0.1/32,10.0.0.0/8")
		s.addUser(t, "g", "alice", "pw!-secret")
		for _, tc := range []struct {
			xff  []string
			want string
		}{
			{[]string{"203.0.113.9, 10.1.2.3"}, "203.0.113.9"},
			{[]string{"203.0.113.9,10.1.2.3"}, "203.0.113.9"},
			// Read from the right: a spoofed left-most entry is not believed.
			{[]string{"198.51.100.7, 203.0.113.9, 10.1.2.3"}, "203.0.113.9"},
			// Several header lines form one list.
			{[]string{"198.51.100.7", "203.0.113.9", "10.1.2.3"}, "203.0.113.9"},
			// All trusted: the left-most.
			{[]string{"10.0.0.1, 10.2.2.2"}, "10.0.0.1"},
			// A trusted peer with no X-Forwarded-For is the client.
			{nil, "127.0.0.1"},
		} {
			sip, aip, _ := transportLoginIP(t, s, tc.xff...)
			if sip != tc.want || aip != tc.want {
				t.Errorf("X-Forwarded-For %q: session IP %q, audit IP %q; want %s", tc.xff, sip, aip, tc.want)
			}
		}
		if !strings.Contains(s.Log.String(), "ip=203.0.113.9") {
			t.Errorf("request log does not show the effective IP 203.0.113.9:\n%s", s.Log)
		}

		// IP binding: the same session from another client address is not
		// used; the resent credentials log in again silently.
		_, _, c := transportLoginIP(t, s, "203.0.113.9, 10.1.2.3")
		id, token := c.Session()
		moved := testclient.New(testclient.Config{
			URL: s.API, Device: c.Device(), User: "alice", Password: "pw!-secret",
			HTTPClient: &http.Client{Timeout: 20 * time.Second, Transport: headerTransport{http.Header{"X-Forwarded-For": {"203.0.113.77"}}}},
		})
		r, err := moved.Do(context.Background(), "check_device_registered", map[string]string{"session_id": id, "session_token": token})
		if err != nil {
			t.Fatal(err)
		}
		if got := r.Values["session_id"]; got == "" || got == id {
			t.Fatalf("session %s presented from another IP: reply session %q, want a new one\n%s", id, got, r.Body)
		}
	})
}

// requestLogRE matches the one text log line of a key:value request.
var requestLogRE = regexp.MustCompile(`(?m)^.*msg=request .*$`)

// TestTransport_RequestLog: one log line per request, with the operation,
// device, user, status, outcome, duration in milliseconds and request id,
// and never a password or a session token.
func TestTransport_RequestLog(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	const pw = "Sup3r-Secret-Pw"
	s.addUser(t, "g", "alice", pw, "--may-upload", "--may-register-devices")
	c := s.client("alice", pw)
	ctx := context.Background()
	rs, err := c.RegisterSequence(ctx, "Ward 3") // 3 requests, one session
	if err != nil {
		t.Fatal(err)
	}
	tokens := []string{rs.Register.Values["session_token"]}
	for _, op := range []string{"check_device_registered", "no_such_operation"} {
		r, err := c.Do(ctx, op, nil)
		if err != nil {
			t.Fatal(err)
		}
		tokens = append(tokens, r.Values["session_token"])
	}
	// A wrong password, and an anonymous request.
	bad := s.client("alice", "wrong-"+pw)
	if _, err := bad.CheckDeviceRegistered(ctx); err != nil {
		t.Fatal(err)
	}
	anon := testclient.New(testclient.Config{URL: s.API, Device: c.Device()})
	if _, err := anon.CheckDeviceRegistered(ctx); err != nil {
		t.Fatal(err)
	}
	const requests = 7

	// The line is written after the reply, so wait for it.
	lines := requestLogRE.FindAllString(s.Log.waitFor(t, "the request lines", nil, func(log string) bool {
		return len(requestLogRE.FindAllString(log, -1)) >= requests
	}), -1)
	if len(lines) != requests {
		t.Fatalf("%d request log lines for %d requests:\n%s", len(lines), requests, s.Log)
	}
	for _, l := range lines {
		for _, k := range []string{"operation=", "device=", "user=", "status=", "outcome=", "duration_ms=", "request_id="} {
			if !strings.Contains(l, k) {
				t.Errorf("request log line lacks %s: %s", k, l)
			}
		}
	}
	if !strings.Contains(lines[0], "operation=register") || !strings.Contains(lines[0], "device="+c.Device()) ||
		!strings.Contains(lines[0], "user=alice") || !strings.Contains(lines[0], "status=200") {
		t.Errorf("first line does not describe the register request: %s", lines[0])
	}
	log := s.Log.String()
	if strings.Contains(log, pw) {
		t.Errorf("log contains the password:\n%s", log)
	}
	for _, tok := range tokens {
		if tok != "" && strings.Contains(log, tok) {
			t.Errorf("log contains session token %q:\n%s", tok, log)
		}
	}

	// A plain 400 is logged once, with its status, and without the password.
	before := strings.Count(s.Log.String(), "status=400")
	resp, _ := sendHTTP(t, http.MethodPost, s.API, testclient.FormContentType,
		testclient.EncodeForm(map[string]string{"operation": "x", "camcops_version": "1.0", "user": "alice", "password": pw}))
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("status %d, want 400", resp.StatusCode)
	}
	// A plain 400's line is written before its reply.
	if got := strings.Count(s.Log.String(), "status=400") - before; got != 1 {
		t.Errorf("plain 400 logged %d times, want once:\n%s", got, s.Log)
	}
	if strings.Contains(s.Log.String(), pw) {
		t.Errorf("log contains the password after a plain 400")
	}
}

// TestTransport_JSONLog: --log-format json writes one JSON object per line.
func TestTransport_JSONLog(t *testing.T) {
	t.Parallel()
	s := startServer(t, "--log-format", "json")
	anon := testclient.New(testclient.Config{URL: s.API, Device: testclient.NewDeviceID()})
	if _, err := anon.CheckDeviceRegistered(context.Background()); err != nil {
		t.Fatal(err)
	}
	var found map[string]any
	s.Log.waitFor(t, "a JSON request line", nil, func(log string) bool {
		for _, l := range strings.Split(strings.TrimSuffix(log, "\n"), "\n") {
			var m map[string]any
			if err := json.Unmarshal([]byte(l), &m); err != nil {
				t.Fatalf("log line is not JSON: %v: %q", err, l)
			}
			if m["msg"] == "request" {
				found = m
			}
		}
		return found != nil
	})
	for _, k := range []string{"operation", "device", "user", "status", "outcome", "duration_ms", "request_id", "level", "time"} {
		if _, ok := found[k]; !ok {
			t.Errorf("JSON request line lacks %q: %v", k, found)
		}
	}
	if _, ok := found["duration_ms"].(float64); !ok {
		t.Errorf("duration_ms is not a number: %v", found)
	}
	if found["operation"] != "check_device_registered" || found["status"] != float64(200) {
		t.Errorf("JSON request line = %v", found)
	}
}
