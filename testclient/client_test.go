package testclient_test

import (
	"errors"
	"net/http"
	"net/url"
	"testing"

	"github.com/tabletapi/tabletapi/testclient"
)

// MustDo sends a request and fails the test on a transport error.
func MustDo(tb testing.TB, c *testclient.Client, op string, params map[string]string) *testclient.Reply {
	tb.Helper()
	r, err := c.Do(tb.Context(), op, params)
	if err != nil {
		tb.Fatalf("Do(%s): %v", op, err)
	}
	return r
}

func TestClient_Do(t *testing.T) {
	t.Run("OK_ExampleBody", func(t *testing.T) {
		t.Parallel()
		f := newFakeAPI(t, replies(ok("check_device_registered", "17", "Qm9vZ2llV29vZ2llMTIzNA==")))
		r, err := f.Client().CheckDeviceRegistered(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if err := r.Err(); err != nil {
			t.Fatalf("Err() = %v", err)
		}
		req := f.Requests()[0]
		const want = "camcops_version=2.4.24&device=%7B6b1c0f6e-2d55-4f0e-9a51-1f3c2b7d9e10%7D&operation=check_device_registered&password=pw%21&user=alice"
		if req.Body != want {
			t.Errorf("body =\n%s\nwant\n%s", req.Body, want)
		}
		if req.ContentType != "application/x-www-form-urlencoded" {
			t.Errorf("Content-Type = %q", req.ContentType)
		}
		if req.UserAgent != "Mozilla/5.0 (Linux x86_64) CamCOPS/2.4.24" {
			t.Errorf("User-Agent = %q", req.UserAgent)
		}
		if id, token := f.Client().Session(); id != "" || token != "" {
			t.Errorf("new client has session %q %q", id, token)
		}
	})

	t.Run("OK_NoUser", func(t *testing.T) {
		t.Parallel()
		f := newFakeAPI(t, replies(ok("x", "", "")))
		c := testclient.New(testclient.Config{URL: f.srv.URL, Device: testDevice, Password: "ignored"})
		MustDo(t, c, "register_patient", map[string]string{"patient_proquint": "a b+c"})
		const want = "camcops_version=2.4.24&device=%7B6b1c0f6e-2d55-4f0e-9a51-1f3c2b7d9e10%7D&operation=register_patient&patient_proquint=a%20b%2Bc"
		if got := f.Requests()[0].Body; got != want {
			t.Errorf("body = %s, want %s", got, want)
		}
	})

	t.Run("OK_ParamsReplaceCommon", func(t *testing.T) {
		t.Parallel()
		f := newFakeAPI(t, replies(ok("x", "", "")))
		MustDo(t, f.Client(), "x", map[string]string{"camcops_version": "1.9.0", "device": ""})
		form := f.Requests()[0].Form
		if form.Get("camcops_version") != "1.9.0" || !form.Has("device") || form.Get("device") != "" {
			t.Errorf("form = %v", form)
		}
	})

	t.Run("OK_SetCredentials", func(t *testing.T) {
		t.Parallel()
		f := newFakeAPI(t, replies(ok("x", "", ""), ok("x", "", "")))
		c := f.Client()
		c.SetCredentials("bob", "s3cret")
		MustDo(t, c, "x", nil)
		c.SetCredentials("", "")
		MustDo(t, c, "x", nil)
		reqs := f.Requests()
		if got := reqs[0].Form; got.Get("user") != "bob" || got.Get("password") != "s3cret" {
			t.Errorf("first form = %v", got)
		}
		if got := reqs[1].Form; got.Has("user") || got.Has("password") {
			t.Errorf("second form = %v, want no user or password", got)
		}
	})

	t.Run("ErrTransport", func(t *testing.T) {
		t.Parallel()
		f := newFakeAPI(t, replies(ok("x", "17", "tok")))
		c := f.Client()
		MustDo(t, c, "x", nil)
		f.srv.Close()
		if r, err := c.Do(t.Context(), "y", nil); err == nil {
			t.Fatalf("Do on a closed server: reply %v, want error", r)
		}
		if id, token := c.Session(); id != "" || token != "" {
			t.Errorf("session after transport error = %q %q, want none", id, token)
		}
	})

	t.Run("ErrHTTPStatus", func(t *testing.T) {
		t.Parallel()
		f := newFakeAPI(t, func(int, url.Values) (int, string) {
			return http.StatusBadRequest, "Not a valid CamCOPS API request\n"
		})
		r, err := f.Client().Do(t.Context(), "x", nil)
		if err != nil {
			t.Fatalf("Do: %v, want the 400 reply", err)
		}
		if r.Status != http.StatusBadRequest || string(r.Body) != "Not a valid CamCOPS API request\n" || len(r.Keys) != 0 {
			t.Errorf("reply = %d %q keys %v", r.Status, r.Body, r.Keys)
		}
		if err := r.Err(); !errors.Is(err, testclient.ErrHTTPStatus) {
			t.Errorf("Err() = %v, want ErrHTTPStatus", err)
		}
	})
}

func TestClient_Session(t *testing.T) {
	// sequence sends three requests and returns them.
	sequence := func(t *testing.T, first, second string) []request {
		t.Helper()
		f := newFakeAPI(t, replies(first, second, ok("z", "", "")))
		c := f.Client()
		for _, op := range []string{"x", "y", "z"} {
			MustDo(t, c, op, nil)
		}
		return f.Requests()
	}
	hasSession := func(r request) bool { return r.Form.Has("session_id") || r.Form.Has("session_token") }

	t.Run("OK_Carried", func(t *testing.T) {
		t.Parallel()
		reqs := sequence(t, ok("x", "17", "Qm9v+/="), ok("y", "18", "other"))
		if hasSession(reqs[0]) {
			t.Errorf("first request has a session: %s", reqs[0].Body)
		}
		if got := reqs[1].Form; got.Get("session_id") != "17" || got.Get("session_token") != "Qm9v+/=" || got.Get("user") != "alice" {
			t.Errorf("second request = %s", reqs[1].Body)
		}
		if got := reqs[2].Form; got.Get("session_id") != "18" || got.Get("session_token") != "other" {
			t.Errorf("third request = %s", reqs[2].Body)
		}
	})

	t.Run("OK_NotSentUnlessBothNonEmpty", func(t *testing.T) {
		t.Parallel()
		reqs := sequence(t, ok("x", "17", ""), ok("y", "", "tok"))
		if hasSession(reqs[1]) || hasSession(reqs[2]) {
			t.Errorf("session sent: %s / %s", reqs[1].Body, reqs[2].Body)
		}
	})

	t.Run("OK_EmptyKeysReplaceSession", func(t *testing.T) {
		t.Parallel()
		reqs := sequence(t, ok("x", "17", "tok"), ok("y", "", ""))
		if hasSession(reqs[2]) {
			t.Errorf("third request carries the old session: %s", reqs[2].Body)
		}
	})

	t.Run("ForgottenAfterFailure", func(t *testing.T) {
		t.Parallel()
		f := newFakeAPI(t, replies(ok("x", "17", "tok"), fail("Unregistered device", "17", "tok"), ok("z", "", "")))
		c := f.Client()
		MustDo(t, c, "x", nil)
		r := MustDo(t, c, "y", nil)
		if err := r.Err(); !errors.Is(err, testclient.ErrServer) {
			t.Errorf("Err() = %v, want ErrServer", err)
		}
		if id, token := c.Session(); id != "" || token != "" {
			t.Errorf("Session() = %q %q after success:0", id, token)
		}
		MustDo(t, c, "z", nil)
		if reqs := f.Requests(); hasSession(reqs[2]) {
			t.Errorf("request after success:0 carries a session: %s", reqs[2].Body)
		}
	})

	t.Run("ForgottenAfterBadReply", func(t *testing.T) {
		t.Parallel()
		for _, tc := range []struct {
			name   string
			status int
			body   string
		}{
			{"NotAPI", http.StatusOK, "<html>hello</html>\n"},
			{"NoSessionKeys", http.StatusOK, "result:x\nsuccess:1\n"},
			{"Status503", http.StatusServiceUnavailable, fail("Database unavailable", "17", "tok")},
		} {
			f := newFakeAPI(t, func(n int, _ url.Values) (int, string) {
				if n == 0 {
					return http.StatusOK, ok("x", "17", "tok")
				}
				return tc.status, tc.body
			})
			c := f.Client()
			MustDo(t, c, "x", nil)
			if r := MustDo(t, c, "y", nil); r.Err() == nil {
				t.Errorf("%s: Err() = nil", tc.name)
			}
			if id, token := c.Session(); id != "" || token != "" {
				t.Errorf("%s: Session() = %q %q, want none", tc.name, id, token)
			}
		}
	})

	t.Run("OK_Reset", func(t *testing.T) {
		t.Parallel()
		f := newFakeAPI(t, replies(ok("x", "17", "tok"), ok("y", "", "")))
		c := f.Client()
		MustDo(t, c, "x", nil)
		if id, token := c.Session(); id != "17" || token != "tok" {
			t.Fatalf("Session() = %q %q", id, token)
		}
		c.ResetSession()
		MustDo(t, c, "y", nil)
		if reqs := f.Requests(); hasSession(reqs[1]) {
			t.Errorf("request after ResetSession carries a session: %s", reqs[1].Body)
		}
	})
}

func TestClient_Post(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t, replies(ok("x", "17", "tok")))
	c := f.Client()
	r, err := c.Post(t.Context(), "text/plain", []byte("raw body"))
	if err != nil {
		t.Fatal(err)
	}
	if req := f.Requests()[0]; req.Body != "raw body" || req.ContentType != "text/plain" {
		t.Errorf("request = %+v", req)
	}
	if r.Err() != nil {
		t.Errorf("Err() = %v", r.Err())
	}
	if id, token := c.Session(); id != "" || token != "" {
		t.Errorf("Post changed the session to %q %q", id, token)
	}
}
