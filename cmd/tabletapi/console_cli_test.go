package main_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tabletapi/tabletapi/internal/audit"
	"github.com/tabletapi/tabletapi/internal/sqldb"
)

// The tests in this file drive the operator commands of issue 12: user
// set, disable, enable and list, group list, idnum list and audit, and the
// audit entries of every admin command that changes something.

// okIn is ok with standard input.
func (c *patientCLI) okIn(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	out, errOut, code := cliExit(t, c.env, stdin, args...)
	if code != 0 {
		t.Fatalf("tabletapi %s: exit %d\n%s", strings.Join(args, " "), code, errOut)
	}
	return out
}

// TestCLI_UserSetAndList: user add --may-use-webviewer, then user set
// changes only the flags given, in the upload group or in --group (making
// the membership), and user list shows it all.
func TestCLI_UserSetAndList(t *testing.T) {
	t.Parallel()
	c := newPatientCLI(t)
	c.okIn(t, "password-1\n", "user", "add", "bob", "--group", "g", "--may-upload", "--may-use-webviewer", "--bcrypt-cost", "4")
	c.okIn(t, "password-1\n", "user", "add", "amy", "--group", "bare", "--bcrypt-cost", "4")
	header := "NAME\tUPLOAD GROUP\tFLAGS\tMEMBERSHIPS\tDISABLED\n"
	if out, want := c.ok(t, "user", "list"), header+
		"amy\tbare\t-\tbare()\tno\n"+
		"bob\tg\t-\tg(upload,webviewer)\tno\n"; out != want {
		t.Fatalf("user list:\n%s\nwant\n%s", out, want)
	}
	if out := c.ok(t, "user", "set", "bob", "--may-upload=false", "--may-register-devices"); out != "user bob changed\n" {
		t.Errorf("user set printed %q", out)
	}
	c.ok(t, "user", "set", "bob", "--group", "bare", "--may-use-webviewer=true")
	c.ok(t, "user", "set", "amy", "--superuser")
	if out, want := c.ok(t, "user", "list"), header+
		"amy\tbare\tsuperuser\tbare()\tno\n"+
		"bob\tg\t-\tbare(webviewer) g(register-devices,webviewer)\tno\n"; out != want {
		t.Fatalf("user list after user set:\n%s\nwant\n%s", out, want)
	}
	c.ok(t, "user", "set", "amy", "--superuser=false")
	if n := c.count(t, "SELECT count(*) FROM users WHERE superuser"); n != 0 {
		t.Errorf("%d superusers after --superuser=false", n)
	}
}

// TestCLI_GroupAndIDNumList: group list and idnum list print a header and
// one tab-separated line per row, "-" for an absent value.
func TestCLI_GroupAndIDNumList(t *testing.T) {
	t.Parallel()
	c := newPatientCLI(t)
	c.ok(t, "group", "set", "bare", "--description", "Two\tlines\nhere")
	want := "NAME\tDESCRIPTION\tUPLOAD POLICY\tFINALIZE POLICY\tIP USE\n" +
		"bare\tTwo lines here\t-\t-\tnone\n" +
		"g\t-\tsex AND anyidnum\tsex AND idnum1\tclinical,research\n"
	if out := c.ok(t, "group", "list"); out != want {
		t.Errorf("group list:\n%s\nwant\n%s", out, want)
	}
	want = "N\tDESCRIPTION\tSHORT DESCRIPTION\tVALIDATION\n" +
		"1\tNHS number\tNHS\tuk_nhs_number\n" +
		"2\tStudy number\tStudy\t-\n"
	if out := c.ok(t, "idnum", "list"); out != want {
		t.Errorf("idnum list:\n%s\nwant\n%s", out, want)
	}
}

// TestCLI_ConsoleCommandErrors: every bad input is one line naming it:
// exit 2 for a bad command line, which opens no database, and 1 for a
// name the database does not know; a failed command leaves no audit entry.
func TestCLI_ConsoleCommandErrors(t *testing.T) {
	t.Parallel()
	c := newPatientCLI(t)
	c.okIn(t, "password-1\n", "user", "add", "bob", "--group", "g", "--bcrypt-cost", "4")
	db, err := sqldb.Open(c.env["TABLETAPI_DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.ExecContext(context.Background(), "INSERT INTO users (username, hashedpw) VALUES ('orphan', '')")
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	entries := c.count(t, "SELECT count(*) FROM audit_log")
	ops := strings.Join(audit.Operations(), ", ")
	for _, tc := range []struct {
		code int
		want string
		args []string
	}{
		{2, "tabletapi: user set: give at least one of --may-upload, --may-register-devices, --may-use-webviewer and --superuser",
			[]string{"user", "set", "bob"}},
		{2, "tabletapi: user set: give at least one of --may-upload, --may-register-devices, --may-use-webviewer and --superuser",
			[]string{"user", "set", "bob", "--group", "g"}},
		{2, "tabletapi: user set: --group applies to the --may-… flags; --superuser holds in every group",
			[]string{"user", "set", "bob", "--group", "g", "--superuser"}},
		{2, `tabletapi: user set: invalid boolean value "maybe" for -may-upload: parse error`,
			[]string{"user", "set", "bob", "--may-upload=maybe"}},
		{2, "tabletapi: user set: want NAME", []string{"user", "set", "--superuser"}},
		{1, `tabletapi: user set: no user named "nobody"`, []string{"user", "set", "nobody", "--superuser"}},
		{1, `tabletapi: user set: no group named "nosuch"`, []string{"user", "set", "bob", "--group", "nosuch", "--may-upload"}},
		{1, `tabletapi: user set: user "orphan" has no upload group; give --group`, []string{"user", "set", "orphan", "--may-upload"}},
		{1, `tabletapi: user disable: no user named "nobody"`, []string{"user", "disable", "nobody"}},
		{1, `tabletapi: user enable: no user named "nobody"`, []string{"user", "enable", "nobody"}},
		{1, `tabletapi: user add: no group named "nosuch"`, []string{"user", "add", "carol", "--group", "nosuch", "--bcrypt-cost", "4"}},
		{2, "tabletapi: user list: unexpected argument \"bob\"", []string{"user", "list", "bob"}},
		{2, "tabletapi: audit: --since must not be negative, not -1h0m0s", []string{"audit", "--since", "-1h"}},
		{2, `tabletapi: audit: invalid value "yesterday" for flag -since: parse error`, []string{"audit", "--since", "yesterday"}},
		{2, "tabletapi: audit: --limit must be 1-1000, not -1", []string{"audit", "--limit", "-1"}},
		{2, "tabletapi: audit: --limit must be 1-1000, not 0", []string{"audit", "--limit", "0"}},
		{2, "tabletapi: audit: --limit must be 1-1000, not 1001", []string{"audit", "--limit", "1001"}},
		{2, `tabletapi: audit: --operation "frobnicate" is unknown; valid values: ` + ops, []string{"audit", "--operation", "frobnicate"}},
		{2, `tabletapi: audit: unexpected argument "bob"`, []string{"audit", "bob"}},
		{1, `tabletapi: audit: no device named "nodevice"`, []string{"audit", "--device", "nodevice"}},
	} {
		out, errOut, code := cliExit(t, c.env, "password-1\n", tc.args...)
		if code != tc.code || out != "" || errOut != tc.want+"\n" {
			t.Errorf("tabletapi %s: exit %d, stdout %q, stderr\n%s\nwant exit %d, no stdout, stderr\n%s",
				strings.Join(tc.args, " "), code, out, errOut, tc.code, tc.want)
		}
	}
	if n := c.count(t, "SELECT count(*) FROM audit_log"); n != entries {
		t.Errorf("failed commands wrote %d audit entries", n-entries)
	}
	if n := c.count(t, "SELECT count(*) FROM users WHERE superuser OR disabled"); n != 0 {
		t.Errorf("failed commands changed %d users", n)
	}
}

// TestCLI_UserDisable: user disable ends the user's sessions and says how
// many; user enable ends none; both show in user list and the audit.
func TestCLI_UserDisable(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	s.addUser(t, "g", "alice", "pw!-secret", "--may-register-devices")
	s.addUser(t, "g", "bob", "pw!-secret", "--may-register-devices")
	for _, user := range []string{"alice", "alice", "bob"} {
		if !loggedIn(t, s, user) {
			t.Fatalf("%s cannot log in", user)
		}
	}
	alice := lookupUserID(t, s, "alice")
	if out := s.mustAdmin(t, "", "user", "disable", "alice"); out != "user alice disabled; 2 session(s) ended\n" {
		t.Errorf("user disable printed %q", out)
	}
	if n := s.count(t, "sessions", "user_id = ?", alice); n != 0 {
		t.Errorf("alice has %d sessions after user disable", n)
	}
	if n := s.count(t, "sessions", "1 = 1"); n != 1 {
		t.Errorf("%d sessions left, want bob's 1", n)
	}
	if out := s.mustAdmin(t, "", "user", "list"); !strings.Contains(out, "\nalice\tg\t-\tg(register-devices)\tyes\n") {
		t.Errorf("user list does not show alice disabled:\n%s", out)
	}
	if loggedIn(t, s, "alice") {
		t.Error("disabled alice logged in on a tablet")
	}
	if out := s.mustAdmin(t, "", "user", "enable", "alice"); out != "user alice enabled\n" {
		t.Errorf("user enable printed %q", out)
	}
	if !loggedIn(t, s, "alice") {
		t.Error("enabled alice cannot log in on a tablet")
	}
	if n := s.count(t, "users", "disabled"); n != 0 {
		t.Errorf("%d users disabled after user enable", n)
	}
	out := s.mustAdmin(t, "", "audit", "--user", "alice")
	var cli []string
	for _, l := range strings.Split(out, "\n") {
		if _, rest, ok := strings.Cut(l, "\tcli\t"); ok {
			cli = append(cli, rest)
		}
	}
	if len(cli) != 3 || cli[0] != "enable\talice\t-\t-\tUser enabled: alice" ||
		cli[1] != "disable\talice\t-\t-\tUser disabled: alice; 2 session(s) ended" ||
		cli[2] != "user_add\talice\t-\t-\tUser added: alice in group g (may register devices)" {
		t.Errorf("audit --user alice, cli lines:\n%s", strings.Join(cli, "\n"))
	}
	if n := s.count(t, "audit_log", "user_id = ? AND operation IN ('disable', 'enable')", alice); n != 2 {
		t.Errorf("%d disable/enable entries carry alice's id, want 2", n)
	}
}

// loggedIn reports whether user, with password pw!-secret, gets a session
// on a new tablet.
func loggedIn(tb testing.TB, s *testServer, user string) bool {
	tb.Helper()
	r, err := s.client(user, "pw!-secret").CheckDeviceRegistered(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return r.Values["session_id"] != ""
}

// auditLineRE is one line of audit: time, source, operation, user, device,
// IP and details.
var auditLineRE = regexp.MustCompile(`^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)\t([a-z]+)\t([a-z_-]+)\t([^\t]+)\t([^\t]+)\t([^\t]+)\t(.*)$`)

// TestCLI_Audit: every admin command that changes something leaves one
// entry with source cli and its operation; audit filters by user, device,
// operation and age, newest first, at most --limit lines.
func TestCLI_Audit(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	s.mustAdmin(t, "", "group", "add", "g", "--upload-policy", "sex AND anyidnum", "--finalize-policy", "sex AND anyidnum")
	s.mustAdmin(t, "", "group", "set", "g", "--ip-use", "research")
	s.mustAdmin(t, "pw!-secret\n", "user", "add", "alice", "--group", "g", "--may-register-devices", "--bcrypt-cost", "4")
	s.mustAdmin(t, "pw!-secret2\n", "user", "passwd", "alice", "--bcrypt-cost", "4")
	s.mustAdmin(t, "", "user", "unlock", "ghost")
	s.mustAdmin(t, "", "user", "set", "alice", "--may-use-webviewer")
	s.mustAdmin(t, "", "user", "disable", "alice")
	s.mustAdmin(t, "", "user", "enable", "alice")
	s.mustAdmin(t, "", "idnum", "add", "1", "--description", "NHS number", "--short-description", "NHS")
	c := registeredClient(t, s, "alice", "pw!-secret2") // a tablet entry with a device and an IP
	// An entry from two hours ago, which --since 1h leaves out.
	if err := audit.Write(context.Background(), s.DB, audit.Entry{
		When: time.Now().Add(-2 * time.Hour), Source: audit.SourceTablet, Username: "alice", Operation: audit.OpLogin, Details: "old",
	}); err != nil {
		t.Fatal(err)
	}

	// lines runs audit with args and returns its lines, header checked.
	lines := func(t *testing.T, args ...string) [][]string {
		t.Helper()
		out := s.mustAdmin(t, "", append([]string{"audit"}, args...)...)
		all := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		if all[0] != "TIME (UTC)\tSOURCE\tOPERATION\tUSER\tDEVICE\tIP\tDETAILS" {
			t.Fatalf("audit header = %q", all[0])
		}
		var rows [][]string
		for _, l := range all[1:] {
			m := auditLineRE.FindStringSubmatch(l)
			if m == nil {
				t.Fatalf("audit line %q does not parse", l)
			}
			rows = append(rows, m[1:])
		}
		return rows
	}
	// column returns column i of rows.
	column := func(rows [][]string, i int) string {
		var out []string
		for _, r := range rows {
			out = append(out, r[i])
		}
		return strings.Join(out, " ")
	}

	cli := lines(t, "--since", "1h", "--limit", "1000")
	var cliRows [][]string
	for _, r := range cli {
		if r[1] == "cli" {
			cliRows = append(cliRows, r)
		}
	}
	if got, want := column(cliRows, 2), "idnum_add enable disable user_set unlock password_set user_add group_set group_add"; got != want {
		t.Errorf("cli operations, newest first = %q, want %q", got, want)
	}
	if got, want := column(cliRows, 3), "- alice alice alice ghost alice alice - -"; got != want {
		t.Errorf("cli users = %q, want %q", got, want)
	}
	for _, r := range cliRows {
		if strings.Contains(r[6], "pw!-secret") {
			t.Errorf("audit details carry a password: %q", r[6])
		}
	}
	if got := cliRows[len(cliRows)-2][6]; got != "Group changed: g; upload policy sex AND anyidnum; finalize policy sex AND anyidnum; IP use research" {
		t.Errorf("group set details = %q", got)
	}
	if strings.Contains(column(cli, 6), "old") {
		t.Error("--since 1h printed an entry of two hours ago")
	}
	if got := lines(t, "--user", "alice", "--operation", "login"); len(got) != 2 || got[0][6] != "old" || got[1][6] != "Login as user: alice" {
		t.Errorf("audit --user alice --operation login = %v, want the register's login and the old entry", got)
	}
	dev := lines(t, "--device", c.Device())
	if len(dev) != 1 || dev[0][2] != "register" || dev[0][4] != c.Device() || dev[0][5] != "127.0.0.1" {
		t.Errorf("audit --device = %v, want the one register entry with the device's name and IP", dev)
	}
	// Newest by id, not by time: the old entry was written last.
	if got := lines(t, "--limit", "3"); len(got) != 3 || got[0][6] != "old" {
		t.Errorf("audit --limit 3 = %v, want 3 lines, the last written first", got)
	}
	if got := lines(t, "--operation", "session_end"); len(got) != 0 {
		t.Errorf("audit --operation session_end = %v, want none", got)
	}
}
