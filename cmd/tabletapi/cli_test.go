package main_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/uptrace/bun"

	tabletapi "github.com/tabletapi/tabletapi/cmd/tabletapi"
	"github.com/tabletapi/tabletapi/internal/dbtest"
	"github.com/tabletapi/tabletapi/internal/sqldb"
	"github.com/tabletapi/tabletapi/schema"
	"github.com/tabletapi/tabletapi/testclient"
)

// The tests in this file drive the command line: run with its arguments,
// environment and standard input, and the built binary's exit statuses and
// signal handling.

// unreachablePostgres is a PostgreSQL URL nothing listens on.
const unreachablePostgres = "postgres://postgres@127.0.0.1:1/x?sslmode=disable"

// cliRun runs one tabletapi command (args without the program name) with
// env as the whole environment. A command that does not return within 30 s
// is cancelled, so a serve that should have failed cannot hang the test.
func cliRun(tb testing.TB, env map[string]string, stdin string, args ...string) (stdout, stderr string, err error) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out, errOut bytes.Buffer
	err = tabletapi.Run(ctx, append([]string{"tabletapi"}, args...), tabletapi.Deps{
		Getenv: func(k string) string { return env[k] }, Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errOut,
	})
	return out.String(), errOut.String(), err
}

// isUsage reports whether err is a usage error (exit status 2).
func isUsage(err error) bool {
	return tabletapi.Report(err, io.Discard) == 2
}

// wantRuntimeError fails unless err is an error other than a usage error.
func wantRuntimeError(tb testing.TB, what string, err error) {
	tb.Helper()
	if err == nil {
		tb.Fatalf("%s: no error", what)
	}
	if isUsage(err) {
		tb.Fatalf("%s: usage error %q, want a runtime error", what, err)
	}
}

// cliServe runs `tabletapi serve` with env and args until the test ends and
// waits until addr answers /readyz. It returns the server's log.
func cliServe(tb testing.TB, env map[string]string, addr string, args ...string) *syncBuffer {
	tb.Helper()
	log := new(syncBuffer)
	done := serveUntilCleanup(tb, append([]string{"tabletapi", "serve"}, args...),
		tabletapi.Deps{Getenv: func(k string) string { return env[k] }, Stderr: log})
	if got := waitServing(tb, log, done); got != addr {
		tb.Fatalf("server listens on %s, want %s", got, addr)
	}
	return log
}

// migrationFiles is the number of migrations the binary carries.
func migrationFiles(tb testing.TB) int {
	tb.Helper()
	names, err := fs.Glob(schema.Files(), "migrations/*.up.sql")
	if err != nil || len(names) == 0 {
		tb.Fatalf("no migrations found: %v", err)
	}
	return len(names)
}

// countMigrations returns the rows of schema_migrations and the number of
// migration names recorded more than once.
func countMigrations(tb testing.TB, dbURL string) (rows, duplicated int) {
	tb.Helper()
	db, err := sqldb.Open(dbURL)
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	if err := db.NewSelect().Table("schema_migrations").ColumnExpr("count(*)").Scan(ctx, &rows); err != nil {
		tb.Fatalf("count schema_migrations: %v", err)
	}
	if err := db.NewSelect().ColumnExpr("count(*)").TableExpr(
		"(SELECT name FROM schema_migrations GROUP BY name HAVING count(*) > 1) AS d").Scan(ctx, &duplicated); err != nil {
		tb.Fatalf("count duplicated migrations: %v", err)
	}
	return rows, duplicated
}

// TestCLI_Version: `version` prints the release and the API version.
func TestCLI_Version(t *testing.T) {
	t.Parallel()
	out, _, err := cliRun(t, nil, "", "version")
	if err != nil {
		t.Fatal(err)
	}
	if want := "tabletapi 0.1.0 (CamCOPS server API 2.4.24)\n"; out != want {
		t.Fatalf("version printed %q, want %q", out, want)
	}
}

// TestCLI_MigrateTwice: migrate applies every migration once; a second run
// succeeds and applies nothing.
func TestCLI_MigrateTwice(t *testing.T) {
	t.Parallel()
	u := dbtest.NewEmptyURL(t)
	out, errOut, err := cliRun(t, nil, "", "migrate", "--database", u)
	if err != nil {
		t.Fatalf("first migrate: %v\n%s", err, errOut)
	}
	if out != "database is up to date\n" || !strings.Contains(errOut, "migrations applied") {
		t.Fatalf("first migrate: stdout %q, stderr %q; want migrations applied", out, errOut)
	}
	out, errOut, err = cliRun(t, nil, "", "migrate", "--database", u)
	if err != nil {
		t.Fatalf("second migrate: %v\n%s", err, errOut)
	}
	if out != "database is up to date\n" || strings.Contains(errOut, "migrations applied") {
		t.Fatalf("second migrate: stdout %q, stderr %q; want nothing applied", out, errOut)
	}
	if rows, dup := countMigrations(t, u); rows != migrationFiles(t) || dup != 0 {
		t.Fatalf("schema_migrations has %d rows (%d duplicated), want %d", rows, dup, migrationFiles(t))
	}
}

// TestCLI_UsageErrors: a bad command line is a *usageError (exit status 2)
// and touches no database.
func TestCLI_UsageErrors(t *testing.T) {
	t.Parallel()
	never := filepath.Join(t.TempDir(), "never.db")
	env := map[string]string{"TABLETAPI_DATABASE_URL": "sqlite:" + never}
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
	}{
		{name: "NoCommand"},
		{name: "UnknownCommand", args: []string{"frobnicate"}},
		{name: "UnknownSubcommand", args: []string{"user", "frobnicate", "bob"}},
		{name: "GroupWithoutSubcommand", args: []string{"group"}},
		{name: "MigrateBadFlag", args: []string{"migrate", "--nosuch"}},
		{name: "MigrateExtraArgument", args: []string{"migrate", "extra"}},
		{name: "ServeBadFlag", args: []string{"serve", "--nosuch"}},
		{name: "ServeBcryptCost99", args: []string{"serve", "--bcrypt-cost", "99"}},
		{name: "ServeBcryptCost3", args: []string{"serve", "--bcrypt-cost", "3"}},
		{name: "ServeBcryptCostNotANumber", args: []string{"serve", "--bcrypt-cost", "twelve"}},
		{name: "ServeLogFormat", args: []string{"serve", "--log-format", "xml"}},
		{name: "ServeTrustedProxies", args: []string{"serve", "--trusted-proxies", "10.0.0.0/8,not-a-cidr"}},
		{name: "ServeMaxBodyBytes", args: []string{"serve", "--max-body-bytes", "10"}},
		{name: "ServePathPrefix", args: []string{"serve", "--path-prefix", "camcops"}},
		{name: "ServeSessionTimeout", args: []string{"serve", "--session-timeout", "0s"}},
		{name: "ServeTablesMissing", args: []string{"serve", "--tables", filepath.Join(t.TempDir(), "none.tables")}},
		{name: "MigrateDatabaseScheme", args: []string{"migrate", "--database", "nosuch://x"}},
		{name: "ServeDatabaseScheme", args: []string{"serve", "--database", "nosuch://x"}},
		{name: "DatabaseSchemeFromEnv", env: map[string]string{"TABLETAPI_DATABASE_URL": "nosuch://x"}, args: []string{"migrate"}},
		{name: "BcryptCostFromEnvNotANumber", env: map[string]string{"TABLETAPI_BCRYPT_COST": "abc"}, args: []string{"serve"}},
		{name: "BcryptCostFromEnv99", env: map[string]string{"TABLETAPI_BCRYPT_COST": "99"}, args: []string{"serve"}},
		{name: "IDNumZero", args: []string{"idnum", "add", "0", "--description", "NHS number", "--short-description", "NHS"}},
		{name: "IDNumNegative", args: []string{"idnum", "add", "--description", "NHS number", "--short-description", "NHS", "--", "-1"}},
		{name: "IDNumNotANumber", args: []string{"idnum", "add", "one", "--description", "NHS number", "--short-description", "NHS"}},
		{name: "IDNumNoDescription", args: []string{"idnum", "add", "1", "--short-description", "NHS"}},
		{name: "UserAddNoGroup", args: []string{"user", "add", "bob"}},
		{name: "UserAddNoName", args: []string{"user", "add", "--group", "g"}},
		{name: "UserAddTwoNames", args: []string{"user", "add", "bob", "carol", "--group", "g"}},
		{name: "UserPasswdNoName", args: []string{"user", "passwd"}},
		{name: "GroupAddNoName", args: []string{"group", "add"}},
		{name: "DeviceListExtraArgument", args: []string{"device", "list", "all"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := map[string]string{}
			for k, v := range env {
				e[k] = v
			}
			for k, v := range tc.env {
				e[k] = v
			}
			_, _, err := cliRun(t, e, "pw-secret\n", tc.args...)
			if !isUsage(err) {
				t.Fatalf("tabletapi %s: err = %v (%T), want a *usageError", strings.Join(tc.args, " "), err, err)
			}
		})
	}
	if _, err := os.Stat(never); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a usage error created the database %s (stat: %v)", never, err)
	}
}

// cliExit runs one tabletapi command as main does: it returns standard
// output, everything written on standard error (main's error line
// included) and the exit status.
func cliExit(tb testing.TB, env map[string]string, stdin string, args ...string) (stdout, stderr string, code int) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out, errOut bytes.Buffer
	err := tabletapi.Run(ctx, append([]string{"tabletapi"}, args...), tabletapi.Deps{
		Getenv: func(k string) string { return env[k] }, Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errOut,
	})
	code = tabletapi.Report(err, &errOut)
	return out.String(), errOut.String(), code
}

// adminCommands returns every command that has --database, by its words.
func adminCommands() [][]string {
	return [][]string{
		{"serve"}, {"migrate"}, {"group", "add"}, {"group", "set"}, {"group", "list"}, {"user", "add"}, {"user", "passwd"},
		{"user", "unlock"}, {"user", "set"}, {"user", "disable"}, {"user", "enable"}, {"user", "list"},
		{"idnum", "add"}, {"idnum", "list"}, {"device", "list"}, {"patient", "add"}, {"patient", "list"}, {"schedule", "add"},
		{"schedule", "assign"}, {"audit"},
	}
}

// TestCLI_OneLineErrors: a bad command line is one line on stderr, with
// one "tabletapi:" prefix and the command's name, exit status 2, nothing
// on stdout and no usage dump.
func TestCLI_OneLineErrors(t *testing.T) {
	t.Parallel()
	never := filepath.Join(t.TempDir(), "never.db")
	noStrings, badStrings := filepath.Join(t.TempDir(), "none"), malformedExtraStrings(t)
	type tc struct {
		name string
		env  map[string]string
		args []string
		want string
	}
	cases := []tc{
		{"NoCommand", nil, nil, `tabletapi: no command; run "tabletapi -h" for the list`},
		{"UnknownCommand", nil, []string{"frobnicate"}, `tabletapi: unknown command "frobnicate"; run "tabletapi -h" for the list`},
		{"GroupAlone", nil, []string{"group"}, `tabletapi: group: missing command; run "tabletapi group -h" for the list`},
		{"GroupBogus", nil, []string{"group", "bogus"}, `tabletapi: unknown command "group bogus"; run "tabletapi group -h" for the list`},
		{"UserBogus", nil, []string{"user", "frobnicate", "bob"}, `tabletapi: unknown command "user frobnicate"; run "tabletapi user -h" for the list`},
		{"VersionBadFlag", nil, []string{"version", "--x"}, `tabletapi: version: flag provided but not defined: -x`},
		{"VersionArgument", nil, []string{"version", "extra"}, `tabletapi: version: unexpected argument "extra"`},
		{"MigrateArgument", nil, []string{"migrate", "extra"}, `tabletapi: migrate: unexpected argument "extra"`},
		{"GroupAddNoName", nil, []string{"group", "add"}, `tabletapi: group add: want NAME`},
		{"UserAddNoGroup", nil, []string{"user", "add", "bob"}, `tabletapi: user add: --group is required`},
		{"IDNumZero", nil, []string{"idnum", "add", "0", "--description", "NHS number", "--short-description", "NHS"},
			`tabletapi: idnum add: N must be a positive integer, not "0"`},
		{"IDNumUnknownValidation", nil, []string{"idnum", "add", "1", "--description", "NHS number", "--short-description", "NHS", "--validation", "ukk"},
			`tabletapi: idnum add: --validation "ukk" is unknown; valid values: uk_nhs_number, or empty for none`},
		{"ServeBadValue", nil, []string{"serve", "--bcrypt-cost", "twelve"},
			`tabletapi: serve: invalid value "twelve" for flag -bcrypt-cost: parse error`},
		{"ServeLogFormat", nil, []string{"serve", "--log-format", "xml"}, `tabletapi: serve: --log-format must be text or json, not "xml"`},
		{"ServeFromEnv", map[string]string{"TABLETAPI_BCRYPT_COST": "abc"}, []string{"serve"},
			`tabletapi: serve: TABLETAPI_BCRYPT_COST="abc": parse error`},
		{"ServeExtraStringsMissing", nil, []string{"serve", "--extra-strings", noStrings},
			"tabletapi: serve: --extra-strings: extrastrings: stat " + noStrings + ": no such file or directory"},
		{"ServeExtraStringsMalformed", map[string]string{"TABLETAPI_EXTRA_STRINGS": badStrings}, []string{"serve"},
			"tabletapi: serve: --extra-strings: extrastrings: " + filepath.Join(badStrings, "b.xml") + ":3: element <string> closed by </task>"},
	}
	for _, words := range adminCommands() {
		name := strings.Join(words, " ")
		cases = append(cases, tc{"BadFlag/" + name, nil, append(words, "--no-such-flag"),
			"tabletapi: " + name + ": flag provided but not defined: -no-such-flag"})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{"TABLETAPI_DATABASE_URL": "sqlite:" + never}
			for k, v := range tc.env {
				env[k] = v
			}
			out, errOut, code := cliExit(t, env, "long enough\n", tc.args...)
			if code != 2 || out != "" || errOut != tc.want+"\n" {
				t.Fatalf("tabletapi %s: exit %d, stdout %q, stderr\n%s\nwant exit 2, no stdout, stderr\n%s",
					strings.Join(tc.args, " "), code, out, errOut, tc.want)
			}
		})
	}
	if _, err := os.Stat(never); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a bad command line created the database %s (stat: %v)", never, err)
	}
}

// malformedExtraStrings returns a folder of extra string files whose
// b.xml closes a <string> by </task> on line 3.
func malformedExtraStrings(tb testing.TB) string {
	tb.Helper()
	dir := tb.TempDir()
	for name, content := range map[string]string{
		"a.xml": "<resources><task name=\"t\"><string name=\"s\">fine</string></task></resources>\n",
		"b.xml": "<resources>\n  <task name=\"t\">\n    <string name=\"u\">oops</task>\n</resources>\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			tb.Fatal(err)
		}
	}
	return dir
}

// TestCLI_RuntimeErrorPrefix: a runtime failure is one line too, with one
// "tabletapi:" prefix and the command's name, and exit status 1.
func TestCLI_RuntimeErrorPrefix(t *testing.T) {
	t.Parallel()
	u := dbtest.NewURL(t)
	if _, errOut, code := cliExit(t, nil, "", "group", "add", "g", "--database", u); code != 0 {
		t.Fatalf("group add: exit %d\n%s", code, errOut)
	}
	out, errOut, code := cliExit(t, nil, "", "group", "add", "g", "--database", u)
	want := "tabletapi: group add: account: group \"g\": account: already exists\n"
	if code != 1 || out != "" || !strings.HasSuffix(errOut, want) || strings.Count(errOut, "tabletapi:") != 1 {
		t.Fatalf("duplicate group add: exit %d, stdout %q, stderr\n%s\nwant exit 1 and the line\n%s", code, out, errOut, want)
	}
}

// TestCLI_Help: -h, -help and --help of every command print its usage
// line and flags on stdout and exit 0; so do "tabletapi -h" and
// "tabletapi GROUP -h" for the commands of a group.
func TestCLI_Help(t *testing.T) {
	t.Parallel()
	env := map[string]string{"TABLETAPI_DATABASE_URL": "sqlite:" + filepath.Join(t.TempDir(), "never.db")}
	check := func(t *testing.T, args []string, wantPrefix string, wantFlags ...string) string {
		t.Helper()
		out, errOut, code := cliExit(t, env, "", args...)
		if code != 0 || errOut != "" || !strings.HasPrefix(out, wantPrefix) {
			t.Fatalf("tabletapi %s: exit %d, stderr %q, stdout\n%s\nwant exit 0, no stderr, stdout starting %q",
				strings.Join(args, " "), code, errOut, out, wantPrefix)
		}
		for _, f := range wantFlags {
			if !strings.Contains(out, "\n  -"+f+" ") && !strings.Contains(out, "\n  -"+f+"\n") {
				t.Errorf("tabletapi %s: help lacks -%s:\n%s", strings.Join(args, " "), f, out)
			}
		}
		return out
	}
	for _, h := range []string{"-h", "-help", "--help", "help"} {
		check(t, []string{h}, "usage: tabletapi <command> [flags]\n\ncommands:\n  serve ")
	}
	for _, h := range []string{"-h", "-help", "--help"} {
		check(t, []string{"serve", h}, "usage: tabletapi serve [flags]\n", "database", "listen", "session-timeout", "bcrypt-cost", "extra-strings")
	}
	for _, words := range adminCommands() {
		check(t, append(words, "-h"), "usage: tabletapi "+strings.Join(words, " ")+" ", "database")
	}
	check(t, []string{"group", "add", "-h"}, "usage: tabletapi group add NAME [--upload-policy P] [--finalize-policy P] [--description D] [--ip-use LIST] [flags]\n",
		"database", "upload-policy", "finalize-policy", "description", "ip-use")
	check(t, []string{"patient", "add", "-h"}, "usage: tabletapi patient add --group G --sex F|M|X --forename S --surname S --dob YYYY-MM-DD "+
		"--idnum N=VALUE [--idnum …] [--email E] [--address A] [--gp G] [--other O] [flags]\n(prints the patient's access key)\n",
		"group", "sex", "forename", "surname", "dob", "idnum", "email", "address", "gp", "other", "tables")
	check(t, []string{"patient", "list", "-h"}, "usage: tabletapi patient list [--group G] [flags]\n", "group", "tables")
	check(t, []string{"schedule", "add", "-h"}, "usage: tabletapi schedule add NAME --group G --item TABLE:DUE_FROM_DAYS:DUE_WITHIN_DAYS [--item …] [flags]\n",
		"group", "item", "tables")
	check(t, []string{"schedule", "assign", "-h"}, "usage: tabletapi schedule assign NAME --patient KEY [--start RFC3339] [--settings JSON] [flags]\n",
		"patient", "start", "settings", "tables")
	check(t, []string{"user", "add", "--help"}, "usage: tabletapi user add NAME --group G [--may-upload] [--may-register-devices] "+
		"[--may-use-webviewer] [--superuser] [flags]\n(password: one line on standard input)\n",
		"group", "may-upload", "may-use-webviewer", "bcrypt-cost")
	check(t, []string{"user", "set", "-h"}, "usage: tabletapi user set NAME [--group G] [--may-upload=true|false] "+
		"[--may-register-devices=true|false] [--may-use-webviewer=true|false] [--superuser=true|false] [flags]\n"+
		"(only the flags given change)\n", "group", "may-upload", "may-register-devices", "may-use-webviewer", "superuser")
	check(t, []string{"audit", "-h"}, "usage: tabletapi audit [--since DURATION] [--user U] [--device D] [--operation OP] [--limit N] [flags]\n",
		"since", "user", "device", "operation", "limit")
	check(t, []string{"user", "add", "bob", "--group", "g", "-h"}, "usage: tabletapi user add ")
	if out := check(t, []string{"version", "-h"}, ""); out != "usage: tabletapi version\n" {
		t.Errorf("version -h printed %q", out)
	}
	want := "usage: tabletapi user unlock NAME [flags]\n\nflags:\n" +
		"  -database string\n    \tdatabase URL: postgres://… or sqlite:PATH (env TABLETAPI_DATABASE_URL) (default \"sqlite:tabletapi.db\")\n" +
		"\nEvery flag has an environment variable TABLETAPI_<FLAG>; the database is TABLETAPI_DATABASE_URL.\n"
	if out := check(t, []string{"user", "unlock", "-h"}, ""); out != want {
		t.Errorf("user unlock -h printed\n%s\nwant\n%s", out, want)
	}
}

// TestCLI_GroupHelp: "tabletapi GROUP -h" lists the commands of the group.
func TestCLI_GroupHelp(t *testing.T) {
	t.Parallel()
	for group, lines := range map[string]string{
		"group": "  group add NAME [--upload-policy P] [--finalize-policy P] [--description D] [--ip-use LIST]\n" +
			"  group set NAME [--upload-policy P] [--finalize-policy P] [--description D] [--ip-use LIST]\n" +
			"  group list\n",
		"patient": "  patient add --group G --sex F|M|X --forename S --surname S --dob YYYY-MM-DD --idnum N=VALUE [--idnum …] " +
			"[--email E] [--address A] [--gp G] [--other O]\n" +
			"                                 (prints the patient's access key)\n" +
			"  patient list [--group G]\n",
		"schedule": "  schedule add NAME --group G --item TABLE:DUE_FROM_DAYS:DUE_WITHIN_DAYS [--item …]\n" +
			"  schedule assign NAME --patient KEY [--start RFC3339] [--settings JSON]\n",
		"user": "  user add NAME --group G [--may-upload] [--may-register-devices] [--may-use-webviewer] [--superuser]\n" +
			"                                 (password: one line on standard input)\n" +
			"  user passwd NAME               (password: one line on standard input)\n" +
			"  user unlock NAME\n" +
			"  user set NAME [--group G] [--may-upload=true|false] [--may-register-devices=true|false] " +
			"[--may-use-webviewer=true|false] [--superuser=true|false]\n" +
			"                                 (only the flags given change)\n" +
			"  user disable NAME              (ends the user's sessions)\n" +
			"  user enable NAME\n" +
			"  user list\n",
		"idnum": "  idnum add N --description D --short-description S [--validation uk_nhs_number]\n" +
			"  idnum list\n",
		"device": "  device list\n",
	} {
		for _, h := range []string{"-h", "--help"} {
			out, errOut, code := cliExit(t, nil, "", group, h)
			want := "usage: tabletapi " + group + " <command> [flags]\n\ncommands:\n" + lines +
				"\nRun \"tabletapi " + group + " <command> -h\" for a command's flags.\n"
			if code != 0 || errOut != "" || out != want {
				t.Errorf("tabletapi %s %s: exit %d, stderr %q, stdout\n%s\nwant exit 0 and\n%s", group, h, code, errOut, out, want)
			}
		}
	}
}

// TestCLI_RuntimeErrors: an unreachable database or a taken address is a
// runtime error (exit status 1), reported within seconds.
func TestCLI_RuntimeErrors(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"migrate", "--database", unreachablePostgres},
		{"serve", "--database", unreachablePostgres, "--listen", "127.0.0.1:0"},
		{"device", "list", "--database", unreachablePostgres},
		{"group", "add", "g", "--database", unreachablePostgres},
	} {
		start := time.Now()
		_, _, err := cliRun(t, nil, "", args...)
		wantRuntimeError(t, strings.Join(args, " "), err)
		if d := time.Since(start); d > 10*time.Second {
			t.Errorf("%s: took %v to fail", strings.Join(args, " "), d)
		}
	}

	// The listen address is taken.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, _, err = cliRun(t, nil, "", "serve", "--database", dbtest.NewURL(t), "--listen", ln.Addr().String(), "--bcrypt-cost", "4")
	wantRuntimeError(t, "serve on a taken address", err)
}

// TestCLI_Environment: every flag has its variable, TABLETAPI_DATABASE_URL
// for --database, and a flag wins over its variable.
func TestCLI_Environment(t *testing.T) {
	t.Parallel()
	t.Run("DatabaseURL", func(t *testing.T) {
		t.Parallel()
		u := dbtest.NewEmptyURL(t)
		if _, errOut, err := cliRun(t, map[string]string{"TABLETAPI_DATABASE_URL": u}, "", "migrate"); err != nil {
			t.Fatalf("migrate: %v\n%s", err, errOut)
		}
		if rows, _ := countMigrations(t, u); rows != migrationFiles(t) {
			t.Fatalf("TABLETAPI_DATABASE_URL not used: %d migrations recorded", rows)
		}
	})
	t.Run("DatabaseFlagWins", func(t *testing.T) {
		t.Parallel()
		u := dbtest.NewEmptyURL(t)
		env := map[string]string{"TABLETAPI_DATABASE_URL": "nosuch://x"}
		if _, errOut, err := cliRun(t, env, "", "migrate", "--database", u); err != nil {
			t.Fatalf("migrate --database with a bad TABLETAPI_DATABASE_URL: %v\n%s", err, errOut)
		}
		if rows, _ := countMigrations(t, u); rows != migrationFiles(t) {
			t.Fatalf("--database not used: %d migrations recorded", rows)
		}
	})
	t.Run("ServeFromEnv", func(t *testing.T) {
		t.Parallel()
		addr := freeAddr(t)
		env := map[string]string{
			"TABLETAPI_DATABASE_URL": dbtest.NewURL(t), "TABLETAPI_LISTEN": addr,
			"TABLETAPI_PATH_PREFIX": "/camcops", "TABLETAPI_BCRYPT_COST": "4", "TABLETAPI_LOG_FORMAT": "json",
		}
		log := cliServe(t, env, addr)
		body := testclient.EncodeForm(loginForm("check_device_registered", testclient.NewDeviceID(), "", ""))
		r := postBody(t, "http://"+addr+"/camcops/api", testclient.FormContentType, body)
		wantReply(t, r, http.StatusOK, "success:0\nerror:Unregistered device\nsession_id:\nsession_token:\n")
		if resp, _ := sendHTTP(t, http.MethodPost, "http://"+addr+"/api", testclient.FormContentType, body); resp.StatusCode != http.StatusNotFound {
			t.Errorf("/api with TABLETAPI_PATH_PREFIX=/camcops: status %d, want 404", resp.StatusCode)
		}
		if !strings.HasPrefix(log.String(), "{") || !strings.Contains(log.String(), `"bcrypt_cost":4`) {
			t.Errorf("TABLETAPI_LOG_FORMAT or TABLETAPI_BCRYPT_COST not applied; log:\n%s", log)
		}
	})
	t.Run("ListenFlagWins", func(t *testing.T) {
		t.Parallel()
		envAddr, flagAddr := freeAddr(t), freeAddr(t)
		env := map[string]string{"TABLETAPI_LISTEN": envAddr, "TABLETAPI_BCRYPT_COST": "5"}
		log := cliServe(t, env, flagAddr, "--listen", flagAddr, "--database", dbtest.NewURL(t), "--bcrypt-cost", "4")
		if resp, err := http.Get("http://" + envAddr + "/healthz"); err == nil {
			resp.Body.Close()
			t.Errorf("server also answers on TABLETAPI_LISTEN=%s", envAddr)
		}
		if !strings.Contains(log.String(), "bcrypt_cost=4") {
			t.Errorf("--bcrypt-cost 4 lost to TABLETAPI_BCRYPT_COST=5; log:\n%s", log)
		}
	})
}

// TestCLI_Accounts: group add, user add, user passwd, user unlock and idnum
// add against the real server's database, with logins through the API.
func TestCLI_Accounts(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	login := func(t *testing.T, user, pw string) bool {
		t.Helper()
		r, err := s.client(user, pw).CheckDeviceRegistered(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return r.Values["session_id"] != ""
	}

	t.Run("GroupAdd", func(t *testing.T) {
		out := s.mustAdmin(t, "", "group", "add", "g", "--upload-policy", "sex AND anyidnum", "--finalize-policy", "sex AND anyidnum", "--description", "Research")
		if !strings.HasPrefix(out, "group g added") {
			t.Errorf("group add printed %q", out)
		}
		if n := s.count(t, "groups", "name = 'g' AND description = 'Research' AND upload_policy = 'sex AND anyidnum'"); n != 1 {
			t.Errorf("group rows = %d, want 1", n)
		}
		_, err := s.admin(t, "", "group", "add", "g")
		wantRuntimeError(t, "duplicate group add", err)
	})
	t.Run("UserAdd", func(t *testing.T) {
		// Positional argument before and after the flags.
		s.mustAdmin(t, "bob pw 1\n", "user", "add", "bob", "--group", "g", "--may-upload", "--bcrypt-cost", "4")
		s.mustAdmin(t, "carol-pw\n", "user", "add", "--group", "g", "--bcrypt-cost", "4", "carol")
		// No final newline, and a CRLF line end.
		s.mustAdmin(t, "dave-pw-1", "user", "add", "dave", "--group", "g", "--bcrypt-cost", "4")
		s.mustAdmin(t, "erin-pw-1\r\n", "user", "add", "erin", "--group", "g", "--bcrypt-cost", "4")
		// Only the first line is the password.
		s.mustAdmin(t, "frank-pw\nsecond line\n", "user", "add", "frank", "--group", "g", "--bcrypt-cost", "4")
		pw72 := strings.Repeat("p", 70) + "é" // 72 bytes, the longest allowed
		s.mustAdmin(t, pw72+"\n", "user", "add", "grace", "--group", "g", "--bcrypt-cost", "4")
		for user, pw := range map[string]string{
			"bob": "bob pw 1", "carol": "carol-pw", "dave": "dave-pw-1", "erin": "erin-pw-1", "frank": "frank-pw", "grace": pw72,
		} {
			if !login(t, user, pw) {
				t.Errorf("%s cannot log in with the password given on stdin", user)
			}
		}
		if n := s.count(t, "memberships", "may_upload AND user_id = (SELECT id FROM users WHERE username = 'bob')"); n != 1 {
			t.Errorf("bob's --may-upload membership rows = %d, want 1", n)
		}
	})
	t.Run("UserAddErrors", func(t *testing.T) {
		for _, tc := range []struct {
			name, stdin string
			args        []string
		}{
			{"EmptyStdin", "", []string{"user", "add", "henry", "--group", "g"}},
			{"BlankLine", "\n", []string{"user", "add", "henry", "--group", "g"}},
			{"Password73Bytes", strings.Repeat("p", 73) + "\n", []string{"user", "add", "henry", "--group", "g"}},
			{"Duplicate", "pw-secret\n", []string{"user", "add", "bob", "--group", "g"}},
			{"UnknownGroup", "pw-secret\n", []string{"user", "add", "henry", "--group", "nosuch"}},
			{"ReservedName", "pw-secret\n", []string{"user", "add", "system", "--group", "g"}},
			{"BadName", "pw-secret\n", []string{"user", "add", "henry smith", "--group", "g"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := s.admin(t, tc.stdin, append(tc.args, "--bcrypt-cost", "4")...)
				wantRuntimeError(t, tc.name, err)
			})
		}
		if n := s.count(t, "users", "username IN ('henry', 'system', 'henry smith')"); n != 0 {
			t.Errorf("%d users created by failed user add", n)
		}
	})
	t.Run("UserPasswd", func(t *testing.T) {
		_, err := s.admin(t, "pw-secret\n", "user", "passwd", "nosuch", "--bcrypt-cost", "4")
		wantRuntimeError(t, "user passwd of an unknown user", err)
		_, err = s.admin(t, "", "user", "passwd", "bob", "--bcrypt-cost", "4")
		wantRuntimeError(t, "user passwd with empty stdin", err)

		if !login(t, "bob", "bob pw 1") {
			t.Fatal("bob cannot log in")
		}
		out := s.mustAdmin(t, "bob pw 2\n", "user", "passwd", "bob", "--bcrypt-cost", "4")
		if !strings.Contains(out, "session(s) ended") {
			t.Errorf("user passwd printed %q", out)
		}
		// A password change ends every session of the user (PROTOCOL 3.1).
		if n := s.count(t, "sessions", "user_id = (SELECT id FROM users WHERE username = 'bob')"); n != 0 {
			t.Errorf("bob has %d sessions after user passwd, want 0", n)
		}
		if login(t, "bob", "bob pw 1") {
			t.Error("the old password still logs in")
		}
		if !login(t, "bob", "bob pw 2") {
			t.Error("the new password does not log in")
		}
	})
	t.Run("UserUnlock", func(t *testing.T) {
		out := s.mustAdmin(t, "", "user", "unlock", "bob")
		if !strings.HasPrefix(out, "bob unlocked") {
			t.Errorf("user unlock printed %q", out)
		}
	})
	t.Run("IDNumAdd", func(t *testing.T) {
		s.mustAdmin(t, "", "idnum", "add", "1", "--description", "NHS number", "--short-description", "NHS", "--validation", "uk_nhs_number")
		// Flags before the positional argument too.
		s.mustAdmin(t, "", "idnum", "add", "--description", "Hospital number", "--short-description", "HN", "2")
		if n := s.count(t, "idnum_definitions", "1 = 1"); n != 2 {
			t.Errorf("idnum_definitions rows = %d, want 2", n)
		}
		_, err := s.admin(t, "", "idnum", "add", "1", "--description", "Again", "--short-description", "A")
		wantRuntimeError(t, "duplicate idnum add", err)
		_, err = s.admin(t, "", "idnum", "add", "0", "--description", "Zero", "--short-description", "Z")
		if !isUsage(err) {
			t.Errorf("idnum add 0: err = %v, want a usage error", err)
		}
	})
}

// TestCLI_MinPasswordLength: user add and user passwd refuse a password of
// fewer than --min-password-length characters (default 8, ASVS 5.0
// V6.2.1), counted in characters, not bytes, with one line and exit status
// 1, as for an empty password; the 72-byte maximum stays.
func TestCLI_MinPasswordLength(t *testing.T) {
	t.Parallel()
	u := dbtest.NewURL(t)
	db, err := sqldb.Open(u)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	hashOf := func(t *testing.T, user string) string {
		t.Helper()
		var h string
		if err := db.NewSelect().Table("users").Column("hashedpw").Where("username = ?", user).Scan(t.Context(), &h); err != nil {
			t.Fatalf("hash of %s: %v", user, err)
		}
		return h
	}
	// The database is migrated already, so stderr holds only main's line.
	cli := func(t *testing.T, env map[string]string, stdin string, args ...string) (string, int) {
		t.Helper()
		_, errOut, code := cliExit(t, env, stdin, append(args, "--database", u, "--bcrypt-cost", "4")...)
		return errOut, code
	}
	if _, err := runCLI(t, u, "", "group", "add", "g", "--upload-policy", "sex AND anyidnum", "--finalize-policy", "sex AND anyidnum"); err != nil {
		t.Fatal(err)
	}
	short := func(cmd string, n int) string {
		return fmt.Sprintf("tabletapi: %s: password shorter than %d characters (--min-password-length)\n", cmd, n)
	}
	for _, tc := range []struct {
		name    string
		env     map[string]string
		stdin   string
		args    []string
		wantErr string // "" for success
		code    int
	}{
		{"Seven", nil, "seven77\n", []string{"user", "add", "u1", "--group", "g"}, short("user add", 8), 1},
		{"Eight", nil, "eight888\n", []string{"user", "add", "u2", "--group", "g"}, "", 0},
		// 7 characters in 14 bytes, then 8 characters in 16 bytes.
		{"SevenRunes", nil, "ééééééé\n", []string{"user", "add", "u3", "--group", "g"}, short("user add", 8), 1},
		{"EightRunes", nil, "éééééééé\n", []string{"user", "add", "u4", "--group", "g"}, "", 0},
		{"OneCharacter", nil, "x\n", []string{"user", "add", "u5", "--group", "g"}, short("user add", 8), 1},
		{"Flag12", nil, "eleven11111\n", []string{"user", "add", "u6", "--group", "g", "--min-password-length", "12"}, short("user add", 12), 1},
		{"Env4", map[string]string{"TABLETAPI_MIN_PASSWORD_LENGTH": "4"}, "four\n", []string{"user", "add", "u7", "--group", "g"}, "", 0},
		{"FlagWinsOverEnv", map[string]string{"TABLETAPI_MIN_PASSWORD_LENGTH": "4"}, "four\n",
			[]string{"user", "add", "u8", "--group", "g", "--min-password-length", "5"}, short("user add", 5), 1},
		{"Zero", nil, "x\n", []string{"user", "add", "u9", "--group", "g", "--min-password-length", "0"},
			"tabletapi: user add: --min-password-length must be 1-72, not 0\n", 2},
		{"Over72", nil, "x\n", []string{"user", "add", "u9", "--group", "g", "--min-password-length", "73"},
			"tabletapi: user add: --min-password-length must be 1-72, not 73\n", 2},
		{"Password73Bytes", nil, strings.Repeat("p", 73) + "\n", []string{"user", "add", "u9", "--group", "g"},
			"tabletapi: user add: password longer than 72 bytes\n", 1},
		{"Empty", nil, "\n", []string{"user", "add", "u9", "--group", "g"},
			"tabletapi: user add: no password on standard input (give it as one line)\n", 1},
		{"PasswdSeven", nil, "seven77\n", []string{"user", "passwd", "u2"}, short("user passwd", 8), 1},
		{"PasswdFlag9", nil, "eight888\n", []string{"user", "passwd", "u2", "--min-password-length", "9"}, short("user passwd", 9), 1},
		{"PasswdZero", nil, "eight888\n", []string{"user", "passwd", "u2", "--min-password-length", "0"},
			"tabletapi: user passwd: --min-password-length must be 1-72, not 0\n", 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := ""
			if tc.args[1] == "passwd" {
				before = hashOf(t, tc.args[2])
			}
			errOut, code := cli(t, tc.env, tc.stdin, tc.args...)
			if code != tc.code || errOut != tc.wantErr {
				t.Fatalf("tabletapi %s <<< %q: exit %d, stderr\n%s\nwant exit %d, stderr\n%s",
					strings.Join(tc.args, " "), tc.stdin, code, errOut, tc.code, tc.wantErr)
			}
			if tc.args[1] == "passwd" {
				if hashOf(t, tc.args[2]) != before {
					t.Errorf("a refused user passwd changed the hash")
				}
				return
			}
			n, err := db.NewSelect().Table("users").Where("username = ?", tc.args[2]).Count(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if (n == 1) != (tc.code == 0) {
				t.Errorf("after exit %d, %d users named %s", tc.code, n, tc.args[2])
			}
		})
	}
}

// groupRow is what the groups table holds of one group, "<nil>" for NULL.
func groupRow(tb testing.TB, db bun.IDB, name string) [3]string {
	tb.Helper()
	var desc, up, fin sql.NullString
	err := db.NewSelect().Table("groups").Column("description", "upload_policy", "finalize_policy").
		Where("name = ?", name).Scan(context.Background(), &desc, &up, &fin)
	if err != nil {
		tb.Fatalf("group %s: %v", name, err)
	}
	str := func(s sql.NullString) string {
		if !s.Valid {
			return "<nil>"
		}
		return s.String
	}
	return [3]string{str(desc), str(up), str(fin)}
}

// TestCLI_GroupPolicies: group add and group set refuse an ID policy that
// the parser rejects (one line with its message and the flag, exit 2), and
// group set changes only the fields given.
func TestCLI_GroupPolicies(t *testing.T) {
	t.Parallel()
	u := dbtest.NewURL(t)
	db, err := sqldb.Open(u)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	const good = "sex AND ((forename AND surname AND dob) OR anyidnum)"
	for _, tc := range []struct {
		name    string
		args    []string
		stdout  string
		stderr  string
		code    int
		want    [3]string // the stored description, upload and finalize policies after
		wantErr bool      // no group z after
	}{
		{name: "AddBadUpload", args: []string{"group", "add", "z", "--upload-policy", "sex AND (", "--finalize-policy", good},
			stderr: "tabletapi: group add: --upload-policy: idpolicy: invalid policy: missing operand at end\n", code: 2, wantErr: true},
		{name: "AddBadFinalize", args: []string{"group", "add", "z", "--upload-policy", good, "--finalize-policy", "sex OR OR dob"},
			stderr: "tabletapi: group add: --finalize-policy: idpolicy: invalid policy: missing operand before \"OR\" at token 3\n", code: 2, wantErr: true},
		{name: "AddOK", args: []string{"group", "add", "z", "--upload-policy", good, "--finalize-policy", "sex AND idnum1", "--description", "Ward 3"},
			stdout: "group z added (id 1)\n", want: [3]string{"Ward 3", good, "sex AND idnum1"}},
		{name: "SetUpload", args: []string{"group", "set", "z", "--upload-policy", "sex AND anyidnum"},
			stdout: "group z changed (id 1)\n", want: [3]string{"Ward 3", "sex AND anyidnum", "sex AND idnum1"}},
		{name: "SetFinalizeAndDescription", args: []string{"group", "set", "--finalize-policy", "SEX AND IDNUM2", "z", "--description", "Ward 4"},
			stdout: "group z changed (id 1)\n", want: [3]string{"Ward 4", "sex AND anyidnum", "SEX AND IDNUM2"}},
		{name: "SetBadUpload", args: []string{"group", "set", "z", "--upload-policy", "sex AND (", "--description", "not stored"},
			stderr: "tabletapi: group set: --upload-policy: idpolicy: invalid policy: missing operand at end\n", code: 2,
			want: [3]string{"Ward 4", "sex AND anyidnum", "SEX AND IDNUM2"}},
		{name: "SetEmptyFinalize", args: []string{"group", "set", "z", "--finalize-policy", ""},
			stderr: "tabletapi: group set: --finalize-policy: idpolicy: invalid policy: empty\n", code: 2,
			want: [3]string{"Ward 4", "sex AND anyidnum", "SEX AND IDNUM2"}},
		{name: "SetNothing", args: []string{"group", "set", "z"},
			stderr: "tabletapi: group set: give at least one of --upload-policy, --finalize-policy, --description and --ip-use\n", code: 2,
			want: [3]string{"Ward 4", "sex AND anyidnum", "SEX AND IDNUM2"}},
		{name: "SetNoName", args: []string{"group", "set", "--description", "x"},
			stderr: "tabletapi: group set: want NAME\n", code: 2, want: [3]string{"Ward 4", "sex AND anyidnum", "SEX AND IDNUM2"}},
		{name: "SetClearDescription", args: []string{"group", "set", "z", "--description", ""},
			stdout: "group z changed (id 1)\n", want: [3]string{"<nil>", "sex AND anyidnum", "SEX AND IDNUM2"}},
		{name: "SetUnknownGroup", args: []string{"group", "set", "nosuch", "--description", "x"},
			stderr: "tabletapi: group set: no group named \"nosuch\"\n", code: 1, want: [3]string{"<nil>", "sex AND anyidnum", "SEX AND IDNUM2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, code := cliExit(t, nil, "", append(tc.args, "--database", u)...)
			if code != tc.code || out != tc.stdout || errOut != tc.stderr {
				t.Fatalf("tabletapi %q: exit %d, stdout %q, stderr %q\nwant exit %d, stdout %q, stderr %q",
					tc.args, code, out, errOut, tc.code, tc.stdout, tc.stderr)
			}
			if tc.wantErr {
				if n, err := db.NewSelect().Table("groups").Where("name = 'z'").Count(t.Context()); err != nil || n != 0 {
					t.Fatalf("group z rows = %d (%v), want 0", n, err)
				}
				return
			}
			if got := groupRow(t, db, "z"); got != tc.want {
				t.Fatalf("stored (description, upload, finalize) = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestServe_BadStoredPolicy: at start-up, serve logs one WARN line for
// each stored group policy that does not parse, naming the group, the
// policy and the parser's message, and still serves.
func TestServe_BadStoredPolicy(t *testing.T) {
	t.Parallel()
	u := dbtest.NewURL(t)
	for _, g := range []string{"good", "z", "y"} {
		if _, err := runCLI(t, u, "", "group", "add", g, "--upload-policy", "sex AND anyidnum", "--finalize-policy", "sex AND anyidnum"); err != nil {
			t.Fatal(err)
		}
	}
	db, err := sqldb.Open(u)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// As an older version or a hand edit could have left them.
	for _, q := range []string{
		"UPDATE groups SET upload_policy = 'sex AND (' WHERE name = 'z'",
		"UPDATE groups SET upload_policy = 'sex OR', finalize_policy = 'sex AND idnum' WHERE name = 'y'",
	} {
		if _, err := db.ExecContext(t.Context(), q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	s := startServerOn(t, u)
	const msg = `level=WARN msg="group ID policy does not parse; the group accepts no patient until \"tabletapi group set\" fixes it" `
	want := []string{
		msg + `group=y policy=upload error="idpolicy: invalid policy: missing operand at end"`,
		msg + `group=y policy=finalize error="idpolicy: invalid policy: unknown token \"IDNUM\""`,
		msg + `group=z policy=upload error="idpolicy: invalid policy: missing operand at end"`,
	}
	var got []string
	for _, line := range strings.Split(s.Log.String(), "\n") {
		if _, rest, ok := strings.Cut(line, " "); ok && strings.Contains(line, "group ID policy") {
			got = append(got, rest) // without the time
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("policy WARN lines (-want +got):\n%s\nlog:\n%s", diff, s.Log)
	}
}

// TestCLI_DeviceList: `device list` prints a header and each registered
// device.
func TestCLI_DeviceList(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	s.addUser(t, "g", "alice", "pw!-secret", "--may-register-devices")
	out := s.mustAdmin(t, "", "device", "list")
	if !strings.HasPrefix(out, "ID") || !strings.Contains(out, "FRIENDLY NAME") {
		t.Fatalf("device list has no header:\n%s", out)
	}
	c := s.client("alice", "pw!-secret")
	if _, err := c.RegisterSequence(context.Background(), "Ward 3 tablet"); err != nil {
		t.Fatal(err)
	}
	out = s.mustAdmin(t, "", "device", "list")
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if !strings.HasPrefix(lines[0], "ID") || !strings.Contains(lines[0], "NAME") || !strings.Contains(lines[0], "FRIENDLY NAME") {
		t.Fatalf("device list header = %q", lines[0])
	}
	found := false
	for _, l := range lines[1:] {
		if strings.Contains(l, c.Device()) {
			found = true
			if !strings.Contains(l, "Ward 3 tablet") || !strings.Contains(l, "2.4.24") {
				t.Errorf("device line = %q, want the friendly name and version", l)
			}
		}
	}
	if !found {
		t.Fatalf("device list lacks %s:\n%s", c.Device(), out)
	}
}

// TestCLI_DeviceListOneStepUpload: a one-step upload shows under LAST
// UPLOAD as its batch time, which it records once its data is stored; a
// one-step upload that fails leaves the previous time (PROTOCOL 8.8).
func TestCLI_DeviceListOneStepUpload(t *testing.T) {
	t.Parallel()
	f := newUploadFixture(t)
	lastUpload := func() string {
		t.Helper()
		out := f.s.mustAdmin(t, "", "device", "list")
		for l := range strings.SplitSeq(out, "\n") {
			if strings.Contains(l, f.c.Device()) {
				return l
			}
		}
		t.Fatalf("device list lacks %s:\n%s", f.c.Device(), out)
		return ""
	}
	if l := lastUpload(); !strings.HasSuffix(l, " -") {
		t.Fatalf("device line before any upload = %q, want LAST UPLOAD -", l)
	}
	params, err := bmiOneStepParams(map[int64]bmiVersion{1: {wlm: wlm1, comment: "one-step"}}, false)
	if err != nil {
		t.Fatal(err)
	}
	f.s.step(t, f.c, "upload_entire_database", params, "Success")
	added := oneRow(t, f.rows(t, "bmi"), 1).AddedBatch
	if added == nil {
		t.Fatal("the uploaded row has no batch time")
	}
	want := added.UTC().Format("2006-01-02 15:04:05")
	if l := lastUpload(); !strings.HasSuffix(l, "  "+want) {
		t.Fatalf("device line after a one-step upload = %q, want LAST UPLOAD %s", l, want)
	}

	f.s.Clock.Set(added.Truncate(time.Second).Add(time.Second)) // a failure would show a new second
	bad, err := bmiOneStepParams(map[int64]bmiVersion{1: {wlm: wlm2, comment: "one-step"}}, false)
	if err != nil {
		t.Fatal(err)
	}
	bad["dbdata"] = strings.Replace(bad["dbdata"], `"mass_kg":"70.2"`, `"mass_kg":"'heavy'"`, 1)
	f.fail(t, "upload_entire_database", bad, `Invalid value for field 'mass_kg' in table 'bmi', record 0: "'heavy'"`)
	if l := lastUpload(); !strings.HasSuffix(l, "  "+want) {
		t.Fatalf("device line after a failed one-step upload = %q, want LAST UPLOAD still %s", l, want)
	}
}

// TestCLI_ConcurrentStart: two servers started at the same moment on one
// empty database both come up, and each migration is recorded once. The
// servers run in goroutines released together, so the two migrations
// really race.
func TestCLI_ConcurrentStart(t *testing.T) {
	t.Parallel()
	u := dbtest.NewEmptyURL(t)
	type server struct {
		addr string
		log  *syncBuffer
		done chan error
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	release := make(chan struct{})
	servers := make([]*server, 2)
	for i := range servers {
		sv := &server{addr: freeAddr(t), log: new(syncBuffer), done: make(chan error, 1)}
		servers[i] = sv
		go func() {
			<-release
			sv.done <- tabletapi.Run(ctx, []string{"tabletapi", "serve", "--listen", sv.addr, "--database", u, "--bcrypt-cost", "4"},
				tabletapi.Deps{Stderr: sv.log})
		}()
	}
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		for i, sv := range servers {
			select {
			case err := <-sv.done:
				if err != nil {
					t.Errorf("server %d: serve returned %v\nlog:\n%s", i, err, sv.log)
				}
			case <-time.After(30 * time.Second):
				t.Errorf("server %d did not stop", i)
			}
		}
	}
	defer stop()
	close(release)

	for _, sv := range servers {
		waitServing(t, sv.log, sv.done)
		r := postBody(t, "http://"+sv.addr+"/api", testclient.FormContentType,
			testclient.EncodeForm(loginForm("check_device_registered", testclient.NewDeviceID(), "", "")))
		wantReply(t, r, http.StatusOK, "success:0\nerror:Unregistered device\nsession_id:\nsession_token:\n")
	}
	stop()
	if rows, dup := countMigrations(t, u); rows != migrationFiles(t) || dup != 0 {
		t.Fatalf("schema_migrations has %d rows (%d names duplicated), want %d", rows, dup, migrationFiles(t))
	}
	if applied := strings.Count(servers[0].log.String()+servers[1].log.String(), "migrations applied"); applied != 1 {
		t.Errorf("%d servers applied migrations, want exactly 1", applied)
	}
}

// TestCLI_Binary builds the command and checks what only a process shows:
// exit statuses and a graceful stop on SIGTERM.
func TestCLI_Binary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	t.Parallel()
	dir := t.TempDir()
	bin := filepath.Join(dir, "tabletapi")
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("no go command to build with: %v", err)
	}
	build := exec.Command(goTool, "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	// A clean environment: no TABLETAPI_* from the caller, and the working
	// directory a temporary one, so the default database lands there.
	var environ []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TABLETAPI_") {
			environ = append(environ, kv)
		}
	}
	command := func(ctx context.Context, args ...string) (*exec.Cmd, *syncBuffer, *syncBuffer) {
		cmd := exec.CommandContext(ctx, bin, args...)
		cmd.Env, cmd.Dir = environ, dir
		var out, errOut syncBuffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		return cmd, &out, &errOut
	}
	exitCode := func(t *testing.T, err error) int {
		t.Helper()
		if err == nil {
			return 0
		}
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			t.Fatalf("not an exit status: %v", err)
		}
		return ee.ExitCode()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	t.Run("Version", func(t *testing.T) {
		cmd, out, _ := command(ctx, "version")
		if err := cmd.Run(); err != nil {
			t.Fatal(err)
		}
		if out.String() != "tabletapi 0.1.0 (CamCOPS server API 2.4.24)\n" {
			t.Fatalf("version printed %q", out)
		}
	})
	t.Run("BadFlagExits2", func(t *testing.T) {
		for _, args := range [][]string{{"serve", "--nosuch"}, {"frobnicate"}, {"serve", "--bcrypt-cost", "99"}} {
			cmd, _, errOut := command(ctx, args...)
			if code := exitCode(t, cmd.Run()); code != 2 {
				t.Errorf("tabletapi %s: exit status %d, want 2\n%s", strings.Join(args, " "), code, errOut)
			}
		}
	})
	// The README's promise: a bad command line is one line on stderr and
	// exit status 2.
	t.Run("BadCommandLineOneLine", func(t *testing.T) {
		badStrings := malformedExtraStrings(t)
		for _, tc := range []struct {
			args []string
			want string
		}{
			{nil, `tabletapi: no command; run "tabletapi -h" for the list`},
			{[]string{"serve", "--no-such-flag"}, "tabletapi: serve: flag provided but not defined: -no-such-flag"},
			{[]string{"group", "add", "--no-such-flag"}, "tabletapi: group add: flag provided but not defined: -no-such-flag"},
			{[]string{"version", "--x"}, "tabletapi: version: flag provided but not defined: -x"},
			{[]string{"group"}, `tabletapi: group: missing command; run "tabletapi group -h" for the list`},
			{[]string{"group", "bogus"}, `tabletapi: unknown command "group bogus"; run "tabletapi group -h" for the list`},
			{[]string{"frobnicate"}, `tabletapi: unknown command "frobnicate"; run "tabletapi -h" for the list`},
			{[]string{"user", "add", "bob"}, "tabletapi: user add: --group is required"},
			{[]string{"serve", "--extra-strings", filepath.Join(dir, "none")},
				"tabletapi: serve: --extra-strings: extrastrings: stat " + filepath.Join(dir, "none") + ": no such file or directory"},
			{[]string{"serve", "--extra-strings", badStrings},
				"tabletapi: serve: --extra-strings: extrastrings: " + filepath.Join(badStrings, "b.xml") + ":3: element <string> closed by </task>"},
		} {
			cmd, out, errOut := command(ctx, tc.args...)
			code := exitCode(t, cmd.Run())
			if code != 2 || out.String() != "" || errOut.String() != tc.want+"\n" {
				t.Errorf("tabletapi %s: exit status %d, stdout %q, stderr\n%s\nwant 2, no stdout, stderr\n%s",
					strings.Join(tc.args, " "), code, out, errOut, tc.want)
			}
		}
	})
	t.Run("HelpExits0", func(t *testing.T) {
		for _, args := range [][]string{
			{"-h"}, {"serve", "-h"}, {"serve", "--help"}, {"group", "-h"}, {"group", "add", "-h"}, {"user", "add", "-h"},
			{"user", "-h"}, {"idnum", "-h"}, {"device", "-h"}, {"version", "-h"},
		} {
			cmd, out, errOut := command(ctx, args...)
			code := exitCode(t, cmd.Run())
			if code != 0 || errOut.String() != "" || !strings.HasPrefix(out.String(), "usage: tabletapi ") {
				t.Errorf("tabletapi %s: exit status %d, stderr %q, stdout\n%s\nwant 0, no stderr, the usage on stdout",
					strings.Join(args, " "), code, errOut, out)
			}
		}
	})
	t.Run("UnreachableDatabaseExits1", func(t *testing.T) {
		start := time.Now()
		cmd, _, errOut := command(ctx, "serve", "--database", unreachablePostgres, "--listen", "127.0.0.1:0")
		if code := exitCode(t, cmd.Run()); code != 1 {
			t.Errorf("exit status %d, want 1\n%s", code, errOut)
		}
		if d := time.Since(start); d > 10*time.Second {
			t.Errorf("took %v to fail", d)
		}
	})
	t.Run("GracefulShutdown", func(t *testing.T) {
		addr := freeAddr(t)
		cmd, _, errOut := command(context.Background(), "serve", "--database", "sqlite:"+filepath.Join(dir, "smoke.db"),
			"--listen", addr, "--bcrypt-cost", "4")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		waited := make(chan error, 1)
		go func() { waited <- cmd.Wait() }()
		defer func() {
			select {
			case <-waited:
			default:
				cmd.Process.Kill()
				<-waited
			}
		}()
		waitServing(t, errOut, waited)
		r := postBody(t, "http://"+addr+"/api", testclient.FormContentType,
			testclient.EncodeForm(loginForm("check_device_registered", testclient.NewDeviceID(), "", "")))
		wantReply(t, r, http.StatusOK, "success:0\nerror:Unregistered device\nsession_id:\nsession_token:\n")

		if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		select {
		case err := <-waited:
			waited <- err // for the deferred check
			if code := exitCode(t, err); code != 0 {
				t.Fatalf("exit status %d after SIGTERM, want 0\n%s", code, errOut)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("no exit within 10 s of SIGTERM\n%s", errOut)
		}
		if !strings.Contains(errOut.String(), "shutting down") || !strings.Contains(errOut.String(), "stopped") {
			t.Errorf("log lacks the shutdown lines:\n%s", errOut)
		}
		if _, err := os.Stat(filepath.Join(dir, "tabletapi.db")); err == nil {
			t.Errorf("serve with --database created the default database too")
		}
	})
}
