package main_test

import (
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tabletapi/tabletapi/testclient"
)

// postWithHeaders posts form to url with extra headers.
func postWithHeaders(tb testing.TB, url string, form map[string]string, h http.Header) (*http.Response, string) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(testclient.EncodeForm(form)))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header = h.Clone()
	req.Header.Set("Content-Type", testclient.FormContentType)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return resp, string(b)
}

// linesWith returns the log lines that hold s.
func linesWith(log, s string) []string {
	var out []string
	for _, l := range strings.Split(log, "\n") {
		if strings.Contains(l, s) {
			out = append(out, l)
		}
	}
	return out
}

var hexID = regexp.MustCompile(`^[0-9a-f]{32}$`)

// TestRequestID: every request gets an id, echoed in X-Request-ID and
// written in every log line of the request, including those written deep
// in phase A (the failed login). A proxy's X-Request-ID is taken only
// from a trusted proxy, and only when sane; anyone else's is ignored (the
// production issue, items 4 and "bad input").
func TestRequestID(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		args    []string
		sent    string
		adopted bool
	}{
		{"Untrusted", nil, "forged-id-7f3a", false},
		{"TrustedProxy", []string{"--trusted-proxies", "127.0.0.1"}, "proxy-id-7f3a", true},
		{"TrustedProxyInsane", []string{"--trusted-proxies", "127.0.0.1"}, "spaced id 7f3a", false},
		{"TrustedProxyTooLong", []string{"--trusted-proxies", "127.0.0.1"}, strings.Repeat("x", 129), false},
		{"None", nil, "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := startServer(t, tc.args...)
			s.addUser(t, "g", "alice", "right-pw", "--may-upload", "--may-register-devices")
			h := http.Header{}
			if tc.sent != "" {
				h.Set("X-Request-ID", tc.sent)
			}
			resp, _ := postWithHeaders(t, s.API, loginForm("check_device_registered", testclient.NewDeviceID(), "alice", "wrong-pw"), h)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d, want 200", resp.StatusCode)
			}
			id := resp.Header.Get("X-Request-ID")
			switch {
			case tc.adopted && id != tc.sent:
				t.Fatalf("X-Request-ID = %q, want the trusted proxy's %q", id, tc.sent)
			case !tc.adopted && !hexID.MatchString(id):
				t.Fatalf("X-Request-ID = %q, want a generated id (sent %q)", id, tc.sent)
			}
			s.waitRequests(t, "check_device_registered", 1)
			log := s.Log.String()
			if !tc.adopted && tc.sent != "" && strings.Contains(log, tc.sent) {
				t.Errorf("the log holds the ignored id %q:\n%s", tc.sent, log)
			}
			for _, msg := range []string{`msg="login failed"`, "msg=request "} {
				lines := linesWith(log, msg)
				if len(lines) != 1 || !strings.Contains(lines[0], "request_id="+id) {
					t.Errorf("%s lines %q, want one with request_id=%s", msg, lines, id)
				}
				if msg == `msg="login failed"` && (len(lines) != 1 || !strings.Contains(lines[0], "level=WARN") ||
					!strings.Contains(lines[0], "user=alice") || !strings.Contains(lines[0], "ip=127.0.0.1")) {
					t.Errorf("login failed line %q: want WARN with the user and client IP", lines)
				}
			}
			// A route outside the tablet API gets an id too.
			r2, _ := sendHTTP(t, http.MethodGet, s.Base+"/healthz", "", "")
			if got := r2.Header.Get("X-Request-ID"); !hexID.MatchString(got) || got == id {
				t.Errorf("/healthz X-Request-ID = %q, want a fresh id", got)
			}
		})
	}
}
