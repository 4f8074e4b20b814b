package testclient_test

import (
	"errors"
	"net/http"
	"slices"
	"testing"

	"github.com/tabletapi/tabletapi/testclient"
)

// parse parses body as a 200 reply.
func parse(body string) *testclient.Reply {
	return testclient.ParseReply(http.StatusOK, http.Header{}, []byte(body))
}

func TestParseReply(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		body     string
		wantKeys []string
		want     map[string]string
	}{
		{"ColonsInValue", "result:a:b::c\n", []string{"result"}, map[string]string{"result": "a:b::c"}},
		{"EmptyValues", "session_id:\nsession_token:\n", []string{"session_id", "session_token"}, map[string]string{"session_id": "", "session_token": ""}},
		{"LeadingWhiteSpaceDropped", "a: \t x y \n", []string{"a"}, map[string]string{"a": "x y "}},
		{"LinesWithoutColonIgnored", "hello\n\nsuccess:1\nno colon here\n", []string{"success"}, map[string]string{"success": "1"}},
		{"WhiteSpaceInKeyIgnored", "a b:1\n a:2\nc:3\n", []string{"c"}, map[string]string{"c": "3"}},
		{"EmptyKeyIgnored", ":x\n", nil, map[string]string{}},
		{"ColonKey", "::x\n", []string{":"}, map[string]string{":": "x"}},
		{"RepeatedKey", "a:1\nb:2\na:3\n", []string{"a", "b"}, map[string]string{"a": "3", "b": "2"}},
		{"CRLF", "a:1\r\nb:\r\n", []string{"a", "b"}, map[string]string{"a": "1\r", "b": ""}},
		{"VerticalTabIsWhiteSpace", "a\v:1\nb:\v2\n", []string{"b"}, map[string]string{"b": "2"}},
		{"NoFinalLF", "a:1", []string{"a"}, map[string]string{"a": "1"}},
		{"Empty", "", nil, map[string]string{}},
	} {
		r := parse(tc.body)
		if !slices.Equal(r.Keys, tc.wantKeys) {
			t.Errorf("%s: Keys = %q, want %q", tc.name, r.Keys, tc.wantKeys)
		}
		if len(r.Values) != len(tc.want) {
			t.Errorf("%s: Values = %q, want %q", tc.name, r.Values, tc.want)
		}
		for k, v := range tc.want {
			if got, ok := r.Get(k); !ok || got != v {
				t.Errorf("%s: Get(%q) = %q, %v; want %q", tc.name, k, got, ok, v)
			}
		}
	}
}

func TestReply_Success(t *testing.T) {
	t.Parallel()
	for body, want := range map[string]bool{
		"success:1\n":           true,
		"success:2\n":           true,
		"success:-1\n":          true,
		"success:+1\n":          true,
		"success: 1 \n":         true,
		"success:1\r\n":         true,
		"success:0\n":           false,
		"success:\n":            false,
		"success:1.0\n":         false,
		"success:yes\n":         false,
		"success:99999999999\n": false, // the client reads 32 bits; overflow reads 0
		"result:1\n":            false,
	} {
		if got := parse(body).Success(); got != want {
			t.Errorf("%q: Success() = %v, want %v", body, got, want)
		}
	}
}

func TestReply_Error(t *testing.T) {
	t.Parallel()
	for escaped, want := range map[string]string{
		`plain`:                 "plain",
		`C:\\temp`:              `C:\temp`,
		`line1\nline2\r\nline3`: "line1\nline2\r\nline3",
		`\\n`:                   `\n`,
		`odd\q`:                 "oddq",
		`trailing\`:             "trailing",
	} {
		if got := parse("success:0\nerror:" + escaped + "\n").Error(); got != want {
			t.Errorf("error:%s: Error() = %q, want %q", escaped, got, want)
		}
	}
	if got := parse("success:1\n").Error(); got != "" {
		t.Errorf("no error key: Error() = %q", got)
	}
}

func TestReply_Err(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		status  int
		body    string
		want    error
		wantMsg string
	}{
		{"OK", 200, "result:x\nsuccess:1\nsession_id:\nsession_token:\n", nil, ""},
		{"OK_204", 204, "success:1\nsession_id:1\nsession_token:t\n", nil, ""},
		{"ErrHTTPStatus", 503, "success:0\nerror:Database unavailable\nsession_id:\nsession_token:\n", testclient.ErrHTTPStatus, "testclient: HTTP error status 503 Service Unavailable"},
		{"ErrHTTPStatus_405", 405, "Method Not Allowed\n", testclient.ErrHTTPStatus, "testclient: HTTP error status 405 Method Not Allowed"},
		{"ErrNotAPIReply_Plain", 200, "Not a valid CamCOPS API request\n", testclient.ErrNotAPIReply, "testclient: Reply is not from CamCOPS API"},
		{"ErrNotAPIReply_NoToken", 200, "success:1\nsession_id:\n", testclient.ErrNotAPIReply, "testclient: Reply is not from CamCOPS API"},
		{"ErrServer", 200, "success:0\nerror:Must provide the variable: device\nsession_id:\nsession_token:\n", testclient.ErrServer, "testclient: Server reported an error: Must provide the variable: device"},
		{"ErrServer_NoError", 200, "success:x\nsession_id:\nsession_token:\n", testclient.ErrServer, "testclient: Server reported an error: "},
	} {
		r := testclient.ParseReply(tc.status, http.Header{}, []byte(tc.body))
		err := r.Err()
		if !errors.Is(err, tc.want) || (err == nil) != (tc.want == nil) {
			t.Errorf("%s: Err() = %v, want %v", tc.name, err, tc.want)
			continue
		}
		if err != nil && err.Error() != tc.wantMsg {
			t.Errorf("%s: Err() = %q, want %q", tc.name, err, tc.wantMsg)
		}
	}
}

func TestReply_IsAPIReply(t *testing.T) {
	t.Parallel()
	for body, want := range map[string]bool{
		"success:0\nsession_id:\nsession_token:\n":    true,
		"session_token:t\nsession_id:1\nsuccess:1\n":  true,
		"success:1\nsession_id:1\n":                   false,
		"success:1\nsession_token:t\n":                false,
		"session_id:1\nsession_token:t\n":             false,
		"Not a valid CamCOPS API request\n":           false,
		"success :1\nsession_id:1\nsession_token:t\n": false,
	} {
		if got := parse(body).IsAPIReply(); got != want {
			t.Errorf("%q: IsAPIReply() = %v, want %v", body, got, want)
		}
	}
}
