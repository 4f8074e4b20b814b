package main_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tabletapi/tabletapi/internal/dbtest"
	"github.com/tabletapi/tabletapi/internal/patient"
	"github.com/tabletapi/tabletapi/internal/sqldb"
)

// The tests in this file drive the admin commands of single-patient mode:
// group add/set --ip-use, patient add and list, schedule add and assign.

// keyRE matches one access key alone on a line.
var keyRE = regexp.MustCompile(`^([bdfghjklmnprstvz][aiou][bdfghjklmnprstvz][aiou][bdfghjklmnprstvz]-){8}[bdfghjklmnprstvz]\n$`)

// patientCLI is a database prepared for the patient commands: group g
// (upload policy "sex AND anyidnum", finalize policy "sex AND idnum1", IP
// use clinical and research), group bare (no policies), and ID number
// types 1 (NHS, uk_nhs_number) and 2 (Study, no validation).
type patientCLI struct {
	env map[string]string
}

func newPatientCLI(t *testing.T) *patientCLI {
	t.Helper()
	c := &patientCLI{env: map[string]string{"TABLETAPI_DATABASE_URL": dbtest.NewURL(t)}}
	c.ok(t, "group", "add", "g", "--upload-policy", "sex AND anyidnum", "--finalize-policy", "sex AND idnum1", "--ip-use", "clinical,research")
	c.ok(t, "group", "add", "bare")
	c.ok(t, "idnum", "add", "1", "--description", "NHS number", "--short-description", "NHS", "--validation", "uk_nhs_number")
	c.ok(t, "idnum", "add", "2", "--description", "Study number", "--short-description", "Study")
	return c
}

// ok runs a command that must succeed and returns its standard output.
func (c *patientCLI) ok(t *testing.T, args ...string) string {
	t.Helper()
	out, errOut, code := cliExit(t, c.env, "", args...)
	if code != 0 {
		t.Fatalf("tabletapi %s: exit %d\n%s", strings.Join(args, " "), code, errOut)
	}
	return out
}

// bad runs a command that must fail with exit status 2, nothing on
// standard output, and the one line want on standard error.
func (c *patientCLI) bad(t *testing.T, want string, args ...string) {
	t.Helper()
	out, errOut, code := cliExit(t, c.env, "", args...)
	if code != 2 || out != "" || errOut != want+"\n" {
		t.Errorf("tabletapi %s: exit %d, stdout %q, stderr\n%s\nwant exit 2, no stdout, stderr\n%s",
			strings.Join(args, " "), code, out, errOut, want)
	}
}

// count returns a count(*) query's result.
func (c *patientCLI) count(t *testing.T, query string, args ...any) int {
	t.Helper()
	db, err := sqldb.Open(c.env["TABLETAPI_DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.NewRaw(query, args...).Scan(context.Background(), &n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// ann is patient add's arguments for a patient that group g accepts.
func ann(extra ...string) []string {
	return append([]string{"patient", "add", "--group", "g", "--sex", "F", "--forename", "Ann", "--surname", "Smith",
		"--dob", "1980-02-29", "--idnum", "1=9434765919"}, extra...)
}

// addAnn adds a patient and returns its key, checked to be alone on its line.
func (c *patientCLI) addAnn(t *testing.T, extra ...string) string {
	t.Helper()
	out := c.ok(t, ann(extra...)...)
	if !keyRE.MatchString(out) {
		t.Fatalf("patient add printed %q, want an access key alone on one line", out)
	}
	return strings.TrimSuffix(out, "\n")
}

func TestCLI_PatientAdd(t *testing.T) {
	t.Parallel()
	c := newPatientCLI(t)
	key := c.addAnn(t, "--idnum", "2=42", "--email", "ann@example.org", "--address", "1 High St", "--gp", "Dr Who", "--other", "x")

	t.Run("Stored", func(t *testing.T) {
		id, err := patient.ParseAccessKey(key)
		if err != nil {
			t.Fatalf("printed key %s: %v", key, err)
		}
		if n := c.count(t, `SELECT count(*) FROM patient AS p JOIN devices AS d ON d.id = p._device_id
WHERE d.name = 'server' AND p.uuid = ? AND p._era = 'NOW' AND p._current AND p.email = 'ann@example.org'
  AND p.address = '1 High St' AND p.gp = 'Dr Who' AND p.other = 'x'
  AND p._group_id = (SELECT id FROM groups WHERE name = 'g')`, patient.FormatUUID(id)); n != 1 {
			t.Errorf("%d server patient rows with the key's UUID, want 1", n)
		}
		if n := c.count(t, `SELECT count(*) FROM patient_idnum AS i JOIN devices AS d ON d.id = i._device_id
WHERE d.name = 'server' AND i._era = 'NOW' AND i._current AND ((i.which_idnum = 1 AND i.idnum_value = 9434765919)
  OR (i.which_idnum = 2 AND i.idnum_value = 42))`); n != 2 {
			t.Errorf("%d server patient_idnum rows, want 2", n)
		}
	})
	t.Run("List", func(t *testing.T) {
		bob := c.addAnn(t)
		want := key + "\tg\tSmith\tAnn\tF\t1980-02-29\tidnum1=9434765919,idnum2=42\n" +
			bob + "\tg\tSmith\tAnn\tF\t1980-02-29\tidnum1=9434765919\n"
		if out := c.ok(t, "patient", "list"); out != want {
			t.Errorf("patient list printed\n%s\nwant\n%s", out, want)
		}
		if out := c.ok(t, "patient", "list", "--group", "g"); out != want {
			t.Errorf("patient list --group g printed\n%s\nwant\n%s", out, want)
		}
		if out := c.ok(t, "patient", "list", "--group", "bare"); out != "" {
			t.Errorf("patient list --group bare printed %q, want nothing", out)
		}
		c.bad(t, `tabletapi: patient list: --group: no group named "nosuch"`, "patient", "list", "--group", "nosuch")
		c.bad(t, `tabletapi: patient list: unexpected argument "g"`, "patient", "list", "g")
	})

	before := c.count(t, "SELECT count(*) FROM patient")
	const types = "; defined types: 1 (NHS), 2 (Study)"
	refusals := []struct {
		name string
		args []string
		want string
	}{
		{"NHSCheckDigit", replaceFlag(ann(), "--idnum", "1=9434765918"),
			"--idnum: For ID type 1, ID number 9434765918 is invalid: Invalid UK NHS number" + types},
		{"UndefinedType", replaceFlag(ann(), "--idnum", "3=5"), "--idnum: Bad ID number type: 3" + types},
		{"FinalizePolicy", replaceFlag(ann(), "--idnum", "2=5"),
			"patient refused by group g: Fails finalizing ID policy (sex AND idnum1)"},
		{"NoPolicy", replaceFlag(ann(), "--group", "bare"),
			"patient refused by group bare: Fails upload ID policy (none: set it with tabletapi group set)"},
		{"UnknownGroup", replaceFlag(ann(), "--group", "nosuch"), `--group: no group named "nosuch"`},
		{"Sex", replaceFlag(ann(), "--sex", "female"), "--sex must be F, M or X (Bad sex value: 'female')"},
		{"SexLowerCase", replaceFlag(ann(), "--sex", "f"), "--sex must be F, M or X (Bad sex value: 'f')"},
		{"DOB", replaceFlag(ann(), "--dob", "1981-02-29"), "--dob must be a date YYYY-MM-DD (Invalid DOB: '1981-02-29')"},
		{"DOBDateTime", replaceFlag(ann(), "--dob", "1980-02-29T10:00"), "--dob must be a date YYYY-MM-DD (Invalid DOB: '1980-02-29T10:00')"},
		{"Email", ann("--email", "ann@"), "--email must be an e-mail address such as ann@example.org (Bad e-mail address: 'ann@')"},
		{"IDNumNoEquals", replaceFlag(ann(), "--idnum", "1"), `--idnum must be N=VALUE with positive integers, e.g. 1=9434765919, not "1"`},
		{"IDNumZero", replaceFlag(ann(), "--idnum", "1=0"), `--idnum must be N=VALUE with positive integers, e.g. 1=9434765919, not "1=0"`},
		{"IDNumText", replaceFlag(ann(), "--idnum", "nhs=9434765919"), `--idnum must be N=VALUE with positive integers, e.g. 1=9434765919, not "nhs=9434765919"`},
		{"IDNumTwice", ann("--idnum", "1=9434765919"), "--idnum: ID number type 1 given twice"},
		{"NoIDNum", dropFlag(ann(), "--idnum"), "--idnum is required: give at least one N=VALUE"},
		{"NoGroup", dropFlag(ann(), "--group"), "--group is required"},
		{"NoSex", dropFlag(ann(), "--sex"), "--sex is required"},
		{"NoForename", dropFlag(ann(), "--forename"), "--forename is required"},
		{"NoSurname", dropFlag(ann(), "--surname"), "--surname is required"},
		{"NoDOB", dropFlag(ann(), "--dob"), "--dob is required"},
		{"Argument", ann("extra"), `unexpected argument "extra"`},
	}
	for _, tc := range refusals {
		t.Run("Refused/"+tc.name, func(t *testing.T) {
			c.bad(t, "tabletapi: patient add: "+tc.want, tc.args...)
		})
	}
	t.Run("Refused/UploadPolicyFirst", func(t *testing.T) {
		c.ok(t, "group", "set", "g", "--upload-policy", "sex AND idnum1 AND email")
		c.bad(t, "tabletapi: patient add: patient refused by group g: Fails upload ID policy (sex AND idnum1 AND email)", ann()...)
		c.ok(t, "group", "set", "g", "--upload-policy", "sex AND anyidnum")
	})
	if after := c.count(t, "SELECT count(*) FROM patient"); after != before {
		t.Errorf("refused patients were written: %d patient rows before, %d after", before, after)
	}
}

// replaceFlag returns args with the value of flag replaced by value.
func replaceFlag(args []string, flag, value string) []string {
	out := append([]string(nil), args...)
	for i := range out {
		if out[i] == flag {
			out[i+1] = value
			break
		}
	}
	return out
}

// dropFlag returns args without flag and its value.
func dropFlag(args []string, flag string) []string {
	var out []string
	for i := 0; i < len(args); i++ {
		if args[i] == flag {
			i++
			continue
		}
		out = append(out, args[i])
	}
	return out
}

func TestCLI_GroupIPUse(t *testing.T) {
	t.Parallel()
	c := newPatientCLI(t)
	flags := func(group string) string {
		t.Helper()
		var parts []string
		for _, use := range []string{"commercial", "clinical", "educational", "research"} {
			if c.count(t, "SELECT count(*) FROM groups WHERE name = ? AND ip_use_"+use, group) == 1 {
				parts = append(parts, use)
			}
		}
		return strings.Join(parts, ",")
	}
	if got := flags("g"); got != "clinical,research" {
		t.Errorf("group add --ip-use clinical,research stored %q", got)
	}
	if got := flags("bare"); got != "" {
		t.Errorf("group add without --ip-use stored %q, want none", got)
	}
	if out := c.ok(t, "group", "set", "bare", "--ip-use", "commercial,educational"); out != "group bare changed (id 2)\n" {
		t.Errorf("group set --ip-use printed %q", out)
	}
	if got := flags("bare"); got != "commercial,educational" {
		t.Errorf("group set --ip-use commercial,educational stored %q", got)
	}
	c.ok(t, "group", "set", "bare", "--ip-use", "")
	if got := flags("bare"); got != "" {
		t.Errorf(`group set --ip-use "" stored %q, want none`, got)
	}
	const allowed = ": want a comma-separated subset of commercial,clinical,educational,research, each at most once"
	for _, bad := range []string{"Clinical", "clinical,", "clinical,clinical", "none"} {
		c.bad(t, `tabletapi: group add: --ip-use "`+bad+`"`+allowed, "group", "add", "h", "--ip-use", bad)
		c.bad(t, `tabletapi: group set: --ip-use "`+bad+`"`+allowed, "group", "set", "g", "--ip-use", bad)
	}
	if got := flags("g"); got != "clinical,research" {
		t.Errorf("a refused group set changed the flags to %q", got)
	}
}

func TestCLI_Schedules(t *testing.T) {
	t.Parallel()
	c := newPatientCLI(t)
	key := c.addAnn(t)
	prefix, _, _ := strings.Cut(key, "-")
	if out := c.ok(t, "schedule", "add", "weekly", "--group", "g", "--item", "phq9:0:7", "--item", "bmi:7:14"); out != "schedule weekly added (id 1) in group g with 2 item(s)\n" {
		t.Errorf("schedule add printed %q", out)
	}
	if n := c.count(t, `SELECT count(*) FROM task_schedule_items AS i JOIN task_schedules AS s ON s.id = i.schedule_id
WHERE s.name = 'weekly' AND ((i.table_name = 'phq9' AND i.due_from_days = 0 AND i.due_within_days = 7)
  OR (i.table_name = 'bmi' AND i.due_from_days = 7 AND i.due_within_days = 14))`); n != 2 {
		t.Errorf("%d stored items, want 2", n)
	}
	c.ok(t, "schedule", "add", "daily", "--group", "g", "--item", "phq9:0:1")

	t.Run("Assign", func(t *testing.T) {
		out := c.ok(t, "schedule", "assign", "weekly", "--patient", key, "--start", "2026-01-31T10:00:00+01:00", "--settings", `{"phq9": {"a": 1}}`)
		if want := "schedule weekly assigned to patient " + prefix + "… (starts 2026-01-31T09:00:00Z)\n"; out != want {
			t.Errorf("schedule assign printed %q, want %q", out, want)
		}
		if strings.Contains(out, key) {
			t.Errorf("schedule assign printed the whole key: %q", out)
		}
		out = c.ok(t, "schedule", "assign", "daily", "--patient", key)
		if want := "schedule daily assigned to patient " + prefix + "… (starts at the patient's first fetch)\n"; out != want {
			t.Errorf("schedule assign printed %q, want %q", out, want)
		}
		if n := c.count(t, `SELECT count(*) FROM patient_task_schedules WHERE settings = '{"phq9": {"a": 1}}' AND start_utc IS NOT NULL`); n != 1 {
			t.Errorf("%d assignments with the settings and a start, want 1", n)
		}
		if n := c.count(t, `SELECT count(*) FROM patient_task_schedules WHERE settings = '{}' AND start_utc IS NULL`); n != 1 {
			t.Errorf("%d assignments without settings or start, want 1", n)
		}
	})

	tables := filepath.Join(t.TempDir(), "small.tables")
	src, err := os.ReadFile(filepath.Join("..", "..", "internal", "registry", "default.tables"))
	if err != nil {
		t.Fatal(err)
	}
	// The default registry without bmi.
	small := regexp.MustCompile(`(?s)\n# [^\n]*\ntable bmi .*?\n\n`).ReplaceAllString(string(src), "\n\n")
	if small == string(src) {
		t.Fatal("bmi not found in the default registry")
	}
	if err := os.WriteFile(tables, []byte(small), 0o600); err != nil {
		t.Fatal(err)
	}
	noPatient := filepath.Join(t.TempDir(), "nopatient.tables")
	if err := os.WriteFile(noPatient, []byte("table phq9 kind=task pk=id min_version=2.0.0\n    id integer\n"+
		"    when_last_modified datetime\n    _move_off_tablet boolean\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	const itemForm = "--item must be TABLE:DUE_FROM_DAYS:DUE_WITHIN_DAYS with whole days, e.g. phq9:0:7, not "
	add := func(items ...string) []string {
		args := []string{"schedule", "add", "new", "--group", "g"}
		for _, it := range items {
			args = append(args, "--item", it)
		}
		return args
	}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"ItemTwoParts", add("phq9:0"), itemForm + `"phq9:0"`},
		{"ItemNotANumber", add("phq9:x:7"), itemForm + `"phq9:x:7"`},
		{"ItemFourParts", add("phq9:0:7:1"), itemForm + `"phq9:0:7:1"`},
		{"ItemUnknownTable", add("phq9:0:7", "nosuch:0:7"), `--item "nosuch:0:7": "nosuch" is not a task table of the registry`},
		{"ItemNotATask", add("patient:0:7"), `--item "patient:0:7": "patient" is not a task table of the registry`},
		{"ItemTableCase", add("PHQ9:0:7"), `--item "PHQ9:0:7": "PHQ9" is not a task table of the registry`},
		{"ItemNotInTables", append(add("bmi:0:7"), "--tables", tables), `--item "bmi:0:7": "bmi" is not a task table of the registry`},
		{"TablesWithoutPatient", append(add("phq9:0:7"), "--tables", noPatient),
			"--tables: the registry has no patient table of kind patient, which server patients need"},
		{"ItemNegativeFrom", add("phq9:-1:7"), `--item "phq9:-1:7": the due-from days must be at least 0, not -1`},
		{"ItemZeroWithin", add("phq9:0:0"), `--item "phq9:0:0": the due-within days must be at least 1, not 0`},
		{"NoItem", add(), "--item is required: give at least one TABLE:DUE_FROM_DAYS:DUE_WITHIN_DAYS"},
		{"NoGroup", []string{"schedule", "add", "new", "--item", "phq9:0:7"}, "--group is required"},
		{"UnknownGroup", []string{"schedule", "add", "new", "--group", "nosuch", "--item", "phq9:0:7"}, `--group: no group named "nosuch"`},
		{"NoName", []string{"schedule", "add", "--group", "g", "--item", "phq9:0:7"}, "want NAME"},
		{"Taken", []string{"schedule", "add", "weekly", "--group", "g", "--item", "phq9:0:7"}, `NAME: group g already has a schedule named "weekly"`},
		{"Blank", []string{"schedule", "add", " ", "--group", "g", "--item", "phq9:0:7"}, "NAME: the name must be 1-191 characters, not blank"},
	} {
		t.Run("AddRefused/"+tc.name, func(t *testing.T) {
			c.bad(t, "tabletapi: schedule add: "+tc.want, tc.args...)
		})
	}
	if out := c.ok(t, "schedule", "add", "other", "--group", "g", "--item", "phq9:0:7", "--tables", tables); !strings.HasPrefix(out, "schedule other added") {
		t.Errorf("schedule add --tables printed %q", out)
	}

	bob := c.addAnn(t)
	const noKey = "--patient must be an access key: eight five-letter words and a check letter, joined by -"
	assign := func(extra ...string) []string {
		return append([]string{"schedule", "assign", "weekly", "--patient", bob}, extra...)
	}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"KeyMalformed", replaceFlag(assign(), "--patient", strings.ToUpper(bob)), noKey},
		{"KeyCheckLetter", replaceFlag(assign(), "--patient", bob[:len(bob)-1]+map[bool]string{true: "b", false: "d"}[bob[len(bob)-1] != 'b']), noKey},
		{"KeyOfNobody", replaceFlag(assign(), "--patient", "sazom-diliv-navol-hubot-mufur-mamuv-kojus-loluv-v"), "--patient: no patient has that access key"},
		{"NoPatient", dropFlag(assign(), "--patient"), "--patient is required"},
		{"Start", assign("--start", "2026-01-31 09:00"), `--start must be an RFC 3339 time such as 2026-01-31T09:00:00Z, not "2026-01-31 09:00"`},
		{"StartNoZone", assign("--start", "2026-01-31T09:00:00"), `--start must be an RFC 3339 time such as 2026-01-31T09:00:00Z, not "2026-01-31T09:00:00"`},
		{"SettingsNotJSON", assign("--settings", "phq9"), "--settings: settings must be a JSON object keyed by table name"},
		{"SettingsArray", assign("--settings", "[]"), "--settings: settings must be a JSON object keyed by table name"},
		{"SettingsOtherTable", assign("--settings", `{"gad7": {}}`), `--settings: settings name table "gad7", which schedule "weekly" does not have`},
		{"SettingsNotObject", assign("--settings", `{"phq9": 3}`), `--settings: the settings of table "phq9" must be a JSON object`},
		{"UnknownSchedule", []string{"schedule", "assign", "monthly", "--patient", bob}, `NAME: the patient's group has no schedule named "monthly"`},
		{"Twice", []string{"schedule", "assign", "weekly", "--patient", key}, `NAME: the patient already has schedule "weekly"`},
		{"NoName", []string{"schedule", "assign", "--patient", bob}, "want NAME"},
	} {
		t.Run("AssignRefused/"+tc.name, func(t *testing.T) {
			c.bad(t, "tabletapi: schedule assign: "+tc.want, tc.args...)
		})
	}
	if n := c.count(t, "SELECT count(*) FROM patient_task_schedules"); n != 2 {
		t.Errorf("%d assignments after the refusals, want the 2 made", n)
	}
}
