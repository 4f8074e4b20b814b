package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tabletapi/tabletapi/internal/registry"
	"github.com/tabletapi/tabletapi/testclient/sim/simtest"
)

// runCmd runs the command with args and environment env.
func runCmd(t *testing.T, env map[string]string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err = run(context.Background(), append([]string{"tabletsim"}, args...), func(k string) string { return env[k] }, &out, &errOut)
	return out.String(), errOut.String(), err
}

func TestRun_Usage(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"NoURL", nil, []string{"--user", "a"}, "--url is required"},
		{"NoUser", nil, []string{"--url", "http://x/api"}, "--user is required"},
		{"VerifyWithoutDatabase", nil, []string{"--url", "u", "--user", "a", "--verify"}, "--verify needs --database"},
		{"BadSteps", nil, []string{"--url", "u", "--user", "a", "--steps", "two"}, `--steps "two"`},
		{"BadMethod", nil, []string{"--url", "u", "--user", "a", "--method", "copy,swap"}, `unknown upload method "swap"`},
		{"BadTablets", nil, []string{"--url", "u", "--user", "a", "--tablets", "0"}, "--tablets and --records must be positive"},
		{"BadChaosRate", nil, []string{"--url", "u", "--user", "a", "--chaos", "--chaos-rate", "1"}, "--chaos-rate must be in (0, 1)"},
		{"StrayArgument", nil, []string{"--url", "u", "--user", "a", "extra"}, `unexpected argument "extra"`},
		{"UnknownFlag", nil, []string{"--nope"}, "flag provided but not defined: -nope"},
		{"PatientsWithoutGroup", nil, []string{"--url", "u", "--user", "a", "--patients", "2", "--database", "sqlite:x"}, "--patients needs --database and --group"},
		{"PatientsWithoutDatabase", nil, []string{"--url", "u", "--user", "a", "--patients", "2", "--group", "g"}, "--patients needs --database and --group"},
		{"NegativePatients", nil, []string{"--url", "u", "--user", "a", "--patients", "-1"}, "--patients must not be negative"},
		{"BadEnv", map[string]string{"TABLETSIM_TABLETS": "many"}, nil, "TABLETSIM_TABLETS"},
		{"MissingCAFile", nil, []string{"--url", "u", "--user", "a", "--ca-file", "/nonexistent/ca.pem"}, "--ca-file: open /nonexistent/ca.pem: no such file or directory"},
		{"CAFileWithoutCertificate", nil, []string{"--url", "u", "--user", "a", "--ca-file", "run_test.go"}, "--ca-file run_test.go: no PEM certificate in it"},
		{"CAFileAndInsecure", map[string]string{"TABLETSIM_INSECURE": "true"}, []string{"--url", "u", "--user", "a", "--ca-file", "x.pem"}, "--ca-file and --insecure exclude each other"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := runCmd(t, tc.env, tc.args...)
			var usage *usageError
			if !errors.As(err, &usage) || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("err = %v, want a usage error containing %q", err, tc.want)
			}
		})
	}
	t.Run("Help", func(t *testing.T) {
		_, stderr, err := runCmd(t, nil, "-h")
		if err != nil || !strings.Contains(stderr, "usage: tabletsim --url URL") || !strings.Contains(stderr, "-chaos-rate") {
			t.Fatalf("err = %v, stderr:\n%s", err, stderr)
		}
	})
}

func TestRun_Load(t *testing.T) {
	srv := simtest.New(t)
	jsonFile := filepath.Join(t.TempDir(), "summary.json")
	env := map[string]string{"TABLETSIM_URL": srv.URL, "TABLETSIM_PASSWORD": "pw"}
	stdout, stderr, err := runCmd(t, env, "--user", "alice", "--tablets", "3", "--records", "4", "--rounds", "2",
		"--method", "move", "--steps", "multi", "--seed", "3", "--json", jsonFile, "--progress", "lines")
	if err != nil {
		t.Fatalf("run: %v\nstderr:\n%s", err, stderr)
	}
	for _, want := range []string{"tabletsim: 3 tablets × 4 records, 2 rounds", "9 done: 3 registrations, 6 uploads", "errors      none", "latency "} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	if !strings.Contains(stderr, "tabletsim: 9/9 sequences") {
		t.Errorf("stderr (progress) = %q", stderr)
	}
	data, err := os.ReadFile(jsonFile)
	if err != nil {
		t.Fatal(err)
	}
	var sum struct {
		Uploads  int `json:"uploads"`
		Requests int `json:"requests"`
		Seed     uint64
	}
	if err := json.Unmarshal(data, &sum); err != nil || sum.Uploads != 6 || sum.Requests == 0 || sum.Seed != 3 {
		t.Errorf("JSON summary %+v (%v):\n%s", sum, err, data)
	}
	if srv.Requests()[1].Params["password"] != "pw" {
		t.Error("TABLETSIM_PASSWORD was not used")
	}
}

// TestRun_Database: --database falls back to the server's variable, so
// that one environment serves tabletapi and tabletsim.
func TestRun_Database(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"Own", map[string]string{"TABLETSIM_DATABASE_URL": "sqlite:sim.db", "TABLETAPI_DATABASE_URL": "sqlite:api.db"}, nil, "sqlite:sim.db"},
		{"Server", map[string]string{"TABLETAPI_DATABASE_URL": "sqlite:api.db"}, nil, "sqlite:api.db"},
		{"Flag", map[string]string{"TABLETAPI_DATABASE_URL": "sqlite:api.db"}, []string{"--database", "sqlite:flag.db"}, "sqlite:flag.db"},
		{"None", nil, nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"--url", "u", "--user", "a"}, tc.args...)
			s, err := parseFlags(args, func(k string) string { return tc.env[k] }, io.Discard)
			if err != nil || s.database != tc.want {
				t.Fatalf("database = %q, %v; want %q", s.database, err, tc.want)
			}
		})
	}
}

// TestRun_TLS runs against a fake serving https:// with a certificate no
// system trusts: it needs --ca-file with that certificate, or --insecure.
func TestRun_TLS(t *testing.T) {
	srv := simtest.NewTLS(t)
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, srv.CertPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{"--url", srv.URL, "--user", "a", "--tablets", "2", "--records", "3", "--progress", "none"}
	t.Run("CAFile", func(t *testing.T) {
		srv.Reset()
		stdout, stderr, err := runCmd(t, nil, append(args, "--ca-file", caFile)...)
		if err != nil || !strings.Contains(stdout, "errors      none") || stderr != "" {
			t.Fatalf("err = %v\nstdout:\n%s\nstderr:\n%s", err, stdout, stderr)
		}
		if n := len(srv.Requests()); n < 10 {
			t.Errorf("the server saw %d requests", n)
		}
	})
	t.Run("ErrUntrusted", func(t *testing.T) {
		srv.Reset()
		_, _, err := runCmd(t, nil, args...)
		var usage *usageError
		if err == nil || errors.As(err, &usage) || strings.Contains(err.Error(), "\n") ||
			!strings.Contains(err.Error(), "certificate is not trusted: x509: certificate signed by unknown authority (give its CA with --ca-file)") {
			t.Fatalf("err = %v, want one line about the untrusted certificate", err)
		}
		if n := len(srv.Requests()); n != 0 {
			t.Errorf("the server saw %d requests, want none", n)
		}
	})
	t.Run("Insecure", func(t *testing.T) {
		srv.Reset()
		stdout, stderr, err := runCmd(t, map[string]string{"TABLETSIM_INSECURE": "1"}, args...)
		if err != nil || !strings.Contains(stdout, "errors      none") {
			t.Fatalf("err = %v\nstdout:\n%s", err, stdout)
		}
		if stderr != "tabletsim: warning: --insecure: the server's TLS certificate is not verified\n" {
			t.Errorf("stderr = %q, want the one-line warning", stderr)
		}
	})
}

func TestRun_Tables(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	synthetic := write("synthetic.tables", simtest.SyntheticRegistry(4, true))
	t.Run("OK", func(t *testing.T) {
		reg, err := registry.Load(synthetic)
		if err != nil {
			t.Fatal(err)
		}
		srv := simtest.New(t)
		srv.SetRegistry(reg)
		stdout, stderr, err := runCmd(t, map[string]string{"TABLETSIM_TABLES": synthetic}, "--url", srv.URL, "--user", "a",
			"--tablets", "2", "--records", "20", "--rounds", "2", "--method", "move", "--seed", "5", "--progress", "none")
		if err != nil {
			t.Fatalf("run: %v\nstderr:\n%s", err, stderr)
		}
		// 13 tables: 3 need a newer client or belong to a task that does.
		if want := "records of 10 of the registry's 13 tables uploaded"; !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
		tables := map[string]bool{}
		for _, r := range srv.Requests() {
			tables[r.Params["table"]] = true
		}
		for _, want := range []string{"task01", "task01_item", "task02", "task03_item", "task04", "loose_notes", "blobs"} {
			if !tables[want] {
				t.Errorf("no request wrote %s", want)
			}
		}
	})
	for _, tc := range []struct{ name, path, want string }{
		{"ErrMissingFile", filepath.Join(dir, "none.tables"), "registry: open " + filepath.Join(dir, "none.tables") + ": no such file or directory"},
		{"ErrBadFile", write("bad.tables", "table x kind=task\n"), "registry: " + filepath.Join(dir, "bad.tables") + ":1: missing attribute"},
		{"ErrNoTasks", write("notasks.tables", strings.Split(simtest.SyntheticRegistry(0, false), "table future_task ")[0]),
			"sim: the registry has no table of kind task: a simulated tablet would have nothing to fill"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := simtest.New(t)
			_, _, err := runCmd(t, nil, "--url", srv.URL, "--user", "a", "--tables", tc.path)
			var usage *usageError
			if err == nil || errors.As(err, &usage) || !strings.HasPrefix(err.Error(), tc.want) {
				t.Fatalf("err = %v, want an error starting %q", err, tc.want)
			}
			if n := len(srv.Requests()); n != 0 {
				t.Errorf("%d requests sent, want none", n)
			}
		})
	}
}

func TestRun_Failures(t *testing.T) {
	t.Run("ServerDown", func(t *testing.T) {
		down := httptest.NewServer(nil)
		down.Close()
		_, _, err := runCmd(t, nil, "--url", down.URL+"/api", "--user", "a")
		var usage *usageError
		if err == nil || errors.As(err, &usage) || !strings.Contains(err.Error(), "connection refused") || strings.Contains(err.Error(), "\n") {
			t.Fatalf("err = %v, want one line about the refused connection", err)
		}
	})
	t.Run("SequencesFail", func(t *testing.T) {
		srv := simtest.New(t)
		srv.SetFault(func(r simtest.Request) *simtest.Fault {
			if r.Op == "validate_patients" {
				return &simtest.Fault{Error: "Invalid patient: nobody -> Fails upload ID policy"}
			}
			return nil
		})
		stdout, _, err := runCmd(t, nil, "--url", srv.URL, "--user", "a", "--progress", "none")
		if err == nil || !strings.Contains(err.Error(), "1 sequences failed") ||
			!strings.Contains(stdout, "validate_patients: Invalid patient: nobody -> Fails upload ID policy") {
			t.Fatalf("err = %v, stdout:\n%s", err, stdout)
		}
	})
	t.Run("VerifyBadDatabase", func(t *testing.T) {
		srv := simtest.New(t)
		db := "sqlite:" + filepath.Join(t.TempDir(), "empty.db")
		_, _, err := runCmd(t, nil, "--url", srv.URL, "--user", "a", "--progress", "none", "--verify", "--database", db)
		if err == nil || !strings.Contains(err.Error(), "devices") {
			t.Fatalf("err = %v, want the failed query on devices", err)
		}
	})
}

func TestProgressTo(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "log"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, tc := range []struct {
		mode    string
		w       *os.File
		wantNil bool
		wantBar bool
	}{
		{"auto", f, false, false}, {"bar", f, false, true}, {"lines", f, false, false}, {"none", f, true, false},
	} {
		w, bar := progressTo(tc.mode, tc.w)
		if (w == nil) != tc.wantNil || bar != tc.wantBar {
			t.Errorf("progressTo(%q, file) = %v, %v", tc.mode, w, bar)
		}
	}
}

// TestAdmin: the admin function runs the binary with the arguments and
// --database, returns its standard output, and on failure names the
// command and carries its standard error.
func TestAdmin(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "tabletapi")
	script := "#!/bin/sh\nif [ \"$1\" = fail ]; then echo 'bad --group' >&2; exit 2; fi\necho \"$@\"\n"
	if err := os.WriteFile(bin, []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	run := admin(bin, "sqlite:/tmp/x.db")
	out, err := run(context.Background(), "patient", "add", "--group", "g")
	if err != nil || out != "patient add --group g --database sqlite:/tmp/x.db\n" {
		t.Errorf("out = %q, err = %v", out, err)
	}
	_, err = run(context.Background(), "fail", "now")
	if err == nil || err.Error() != "tabletapi fail now: exit status 2: bad --group" {
		t.Errorf("err = %v", err)
	}
}
