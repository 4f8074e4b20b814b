package tabletsession_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/tabletapi/tabletapi/tabletsession"
)

const dev = "{6b1c0f6e-2d55-4f0e-9a51-1f3c2b7d9e10}"

// form builds the form a body of these key/value pairs decodes to.
func form(kv ...string) *tabletsession.Form {
	f, src := tabletsession.NewForm(1<<20, nil), []byte{}
	for i := 0; i < len(kv); i += 2 {
		add(f, &src, kv[i], kv[i+1])
	}
	return f
}

func TestParse(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		r, err := tabletsession.Parse(form("operation", "register", "camcops_version", "2.4.24", "device", dev,
			"user", "alice", "password", "pw", "session_id", "17", "session_token", "tok"), "10.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		if r.Operation != "register" || r.Device != dev || r.User != "alice" || r.Password != "pw" ||
			!r.HasSession || r.SessionID != 17 || r.SessionToken != "tok" || r.Version.String() != "2.4.24" || r.ClientIP != "10.0.0.1" {
			t.Fatalf("Parse = %+v", r)
		}
	})
	t.Run("BlankCountsAsAbsent", func(t *testing.T) {
		r, err := tabletsession.Parse(form("operation", " ", "camcops_version", "2.4.24", "device", "", "user", ""), "")
		if err != nil {
			t.Fatal(err)
		}
		if r.Operation != "" || r.Device != "" || r.User != "" {
			t.Fatalf("Parse = %+v", r)
		}
	})
	t.Run("LastRepeatWins", func(t *testing.T) {
		r, err := tabletsession.Parse(form("camcops_version", "1.0", "camcops_version", "2.4.24", "user", "bob", "user", "alice"), "")
		if err != nil || r.User != "alice" {
			t.Fatalf("Parse = %+v, %v", r, err)
		}
	})
	t.Run("SessionIgnoredUnlessBothValid", func(t *testing.T) {
		for _, kv := range [][]string{
			{"session_id", "None", "session_token", "t"},
			{"session_id", "17"},
			{"session_token", "t"},
			{"session_id", "-3", "session_token", "t"},
			{"session_id", "1e3", "session_token", "t"},
		} {
			r, err := tabletsession.Parse(form(append([]string{"camcops_version", "2.4.24"}, kv...)...), "")
			if err != nil || r.HasSession {
				t.Errorf("%v: HasSession = %v, err %v; want no session", kv, r != nil && r.HasSession, err)
			}
		}
	})
	t.Run("ErrInvalidRequest", func(t *testing.T) {
		long := strings.Repeat("a", 192)
		cases := map[string][]string{
			"no parameters":      {},
			"missing version":    {"operation", "register"},
			"old version":        {"camcops_version", "1.99.99"},
			"nonsense version":   {"camcops_version", "2.4.24.1"},
			"bad operation":      {"camcops_version", "2.4.24", "operation", "drop table"},
			"operation newline":  {"camcops_version", "2.4.24", "operation", "register\n"},
			"bad device":         {"camcops_version", "2.4.24", "device", "a/b"},
			"device too long":    {"camcops_version", "2.4.24", "device", long},
			"device newline":     {"camcops_version", "2.4.24", "device", dev + "\n"},
			"bad user":           {"camcops_version", "2.4.24", "user", "al ice"},
			"server device":      {"camcops_version", "2.4.24", "device", "server"},
			"system user":        {"camcops_version", "2.4.24", "user", "system"},
			"operation too long": {"camcops_version", "2.4.24", "operation", strings.Repeat("a", 192)},
			// PROTOCOL 2.2 rule 6: a NUL in a plain parameter, even one
			// no operation reads.
			"NUL in friendly name": {"camcops_version", "2.4.24", "devicefriendlyname", "Ward\x003"},
			"NUL in password":      {"camcops_version", "2.4.24", "password", "\x00"},
			"NUL in unused key":    {"camcops_version", "2.4.24", "colour", "re\x00d"},
			"NUL in a key":         {"camcops_version", "2.4.24", "a\x00", "x"},
		}
		for name, kv := range cases {
			if _, err := tabletsession.Parse(form(kv...), ""); !errors.Is(err, tabletsession.ErrInvalidRequest) {
				t.Errorf("%s: err = %v, want ErrInvalidRequest", name, err)
			}
		}
	})
	t.Run("NULInAHugeKeyIsNamedShortly", func(t *testing.T) {
		// The reason goes to the log; the key may be the whole body.
		_, err := tabletsession.Parse(form("camcops_version", "2.4.24", strings.Repeat("\x00", 1<<20), "x"), "")
		if !errors.Is(err, tabletsession.ErrInvalidRequest) || len(err.Error()) > 300 {
			t.Fatalf("err = %.300q… (%d bytes), want a short ErrInvalidRequest", err, len(err.Error()))
		}
	})
	t.Run("NULJudgedByItsOwnRules", func(t *testing.T) {
		// Record values and JSON are refused later, with their own
		// messages (PROTOCOL 7.5, 6.10, 8.8).
		for _, key := range []string{"record0", "record17", "record0017", "values", "dbdata", "patient_info", "pknameinfo"} {
			if _, err := tabletsession.Parse(form("camcops_version", "2.4.24", key, "a\x00b"), ""); err != nil {
				t.Errorf("NUL in %s: %v, want no plain 400", key, err)
			}
		}
	})
	t.Run("MaxLengthNamesOK", func(t *testing.T) {
		n := strings.Repeat("a", 191)
		if _, err := tabletsession.Parse(form("camcops_version", "2.0.0", "device", n, "user", n, "operation", n), ""); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzParse: never panics; whatever it accepts satisfies PROTOCOL 2.2.
func FuzzParse(f *testing.F) {
	f.Add("register", "2.4.24", dev, "alice", "17", "tok")
	f.Add("", "", "", "", "", "")
	f.Add("x\n", "2.4.24.1", "server", "system", "None", "")
	f.Fuzz(func(t *testing.T, op, version, device, user, sid, tok string) {
		r, err := tabletsession.Parse(form("operation", op, "camcops_version", version, "device", device,
			"user", user, "session_id", sid, "session_token", tok), "")
		if err != nil {
			if !errors.Is(err, tabletsession.ErrInvalidRequest) {
				t.Fatalf("error %v does not wrap ErrInvalidRequest", err)
			}
			return
		}
		if r.Device == "server" || r.User == "system" || r.Version.Compare(tabletsession.MinClientVersion()) < 0 {
			t.Fatalf("accepted %+v", r)
		}
		if r.HasSession && (r.SessionID <= 0 || r.SessionToken == "") {
			t.Fatalf("bad session %+v", r)
		}
	})
}
