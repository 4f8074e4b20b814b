package main_test

import (
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tabletapi/tabletapi/internal/patient"
	"github.com/tabletapi/tabletapi/testclient"
)

// The tests in this file drive get_task_schedules (PROTOCOL 6.7) through
// the wire: the patient found by its access key, the start set on the
// first fetch, the items and their completion by uploaded rows.

// schedAnnInfo is the patient_info of the patient that schedFixture creates.
const schedAnnInfo = `[{"surname": "Smith", "forename": "Ann", "sex": "F", "dob": "1980-02-29", "email": null, ` +
	`"address": null, "gp": null, "other": null, "idnum1": 9434765919}]`

// schedFixture is a server with alice's registered tablet and the server
// patient Ann Smith (NHS number nhs1), made by the CLI.
type schedFixture struct {
	e   *tabletEnv
	key string
}

func newSchedFixture(t *testing.T, flags ...string) *schedFixture {
	t.Helper()
	e := newTabletEnv(t, startUploadServer(t, flags...))
	key := strings.TrimSuffix(e.s.mustAdmin(t, "", "patient", "add", "--group", "research", "--sex", "F",
		"--forename", "Ann", "--surname", "Smith", "--dob", "1980-02-29", "--idnum", "1="+nhs1), "\n")
	return &schedFixture{e: e, key: key}
}

// fetch sends get_task_schedules with key as alice, in a new sequence.
func (f *schedFixture) fetch(t *testing.T, key string) *testclient.Reply {
	t.Helper()
	f.e.c.ResetSession()
	return mustDo(t, f.e.c, "get_task_schedules", map[string]string{"patient_proquint": key})
}

// wantSchedules fails unless a fetch of Ann's schedules answers exactly
// schedules (the task_schedules JSON).
func (f *schedFixture) wantSchedules(t *testing.T, schedules string) {
	t.Helper()
	wantReply(t, f.fetch(t, f.key), http.StatusOK, "patient_info:"+schedAnnInfo+"\ntask_schedules:"+schedules+
		"\nsuccess:1\nsession_id:{session_id}\nsession_token:{session_token}\n")
}

// schedItem is one item of task_schedules; when is when_completed, ""
// when the item is not complete.
func schedItem(table string, anonymous bool, settings, from, by, when string) string {
	anon, complete, completed := "false", "false", "null"
	if anonymous {
		anon = "true"
	}
	if when != "" {
		complete, completed = "true", `"`+when+`"`
	}
	return `{"table": "` + table + `", "anonymous": ` + anon + `, "settings": ` + settings + `, "due_from": "` + from +
		`", "due_by": "` + by + `", "complete": ` + complete + `, "when_completed": ` + completed + `}`
}

// schedObject is one schedule of task_schedules.
func schedObject(name string, items ...string) string {
	return `{"task_schedule_name": "` + name + `", "task_schedule_items": [` + strings.Join(items, ", ") + `]}`
}

func TestGetTaskSchedules_Patient(t *testing.T) {
	t.Parallel()
	f := newSchedFixture(t)
	t.Run("NoSchedules", func(t *testing.T) {
		f.wantSchedules(t, "[]")
	})
	noPatient := func(key string) string {
		return failureReply("There is no patient with access key '" + key + "'. Have you entered the key correctly?")
	}
	t.Run("ErrUnknownKey", func(t *testing.T) {
		unknown := patient.AccessKey([16]byte{0xc3, 0xe8, 0x15, 0xde, 0x93, 0xa7, 0x4c, 0x2d, 0x8c, 0xbb, 0x82, 0x3e, 0x69, 0x7c, 0x79, 0xfe})
		wrongCheck := f.key[:len(f.key)-1] + map[bool]string{true: "b", false: "d"}[f.key[len(f.key)-1] != 'b']
		for _, key := range []string{unknown, strings.ToUpper(f.key), wrongCheck, f.key + "-", "sazom-diliv", " " + f.key, "x y"} {
			wantReply(t, f.fetch(t, key), http.StatusOK, noPatient(key))
		}
		if strings.Contains(f.e.s.Log.String(), unknown) || !strings.Contains(f.e.s.Log.String(), "There is no patient with access key 'sazom-…'") {
			t.Errorf("the log shows a whole key, or not its first word:\n%s", f.e.s.Log)
		}
	})
	t.Run("ErrMissing", func(t *testing.T) {
		for _, params := range []map[string]string{nil, {"patient_proquint": ""}, {"patient_proquint": "  "}} {
			f.e.c.ResetSession()
			wantReply(t, mustDo(t, f.e.c, "get_task_schedules", params), http.StatusOK, failureReply("Must provide the variable: patient_proquint"))
		}
	})
	t.Run("ErrNoIDNumbers", func(t *testing.T) {
		f.e.s.mustAdmin(t, "", "schedule", "add", "weekly", "--group", "research", "--item", "phq9:0:7")
		f.e.s.mustAdmin(t, "", "schedule", "assign", "weekly", "--patient", f.key)
		mustExec(t, f.e.s, "UPDATE patient_idnum SET _current = FALSE WHERE _device_id = (SELECT id FROM devices WHERE name = 'server')")
		wantReply(t, f.fetch(t, f.key), http.StatusServiceUnavailable, failureReply("Patient has no ID numbers"))
		if n := f.e.s.count(t, "patient_task_schedules", "start_utc IS NOT NULL"); n != 0 {
			t.Errorf("%d schedules started by a refused fetch", n)
		}
	})
}

func TestGetTaskSchedules_Items(t *testing.T) {
	t.Parallel()
	f := newSchedFixture(t)
	s := f.e.s
	// Items given out of order; phq9 twice with one due_from.
	s.mustAdmin(t, "", "schedule", "add", "weekly", "--group", "research",
		"--item", "bmi:7:14", "--item", "ref_satis_gen:0:30", "--item", "phq9:0:7", "--item", "phq9:0:3")
	s.mustAdmin(t, "", "schedule", "add", "fixed", "--group", "research", "--item", "phq9:1:1")
	s.mustAdmin(t, "", "schedule", "assign", "weekly", "--patient", f.key, "--settings", `{"bmi":{"units":"metric","max":1.50,"l":[1,"é"]}}`)
	s.mustAdmin(t, "", "schedule", "assign", "fixed", "--patient", f.key, "--start", "2026-01-31T10:00:00.25+01:00")

	fixed := schedObject("fixed", schedItem("phq9", false, "{}", "2026-02-01T09:00:00.250000+00:00", "2026-02-02T09:00:00.250000+00:00", ""))
	weekly := func(d1, d3, d7, d21, d30 string) string {
		return schedObject("weekly",
			schedItem("phq9", false, "{}", d1, d3, ""),
			schedItem("phq9", false, "{}", d1, d7, ""),
			schedItem("ref_satis_gen", true, "{}", d1, d30, ""),
			schedItem("bmi", false, `{"units": "metric", "max": 1.5, "l": [1, "\u00e9"]}`, d7, d21, ""))
	}
	s.Clock.Set(time.Date(2026, 3, 4, 5, 6, 30, 123456000, time.UTC))
	want := "[" + weekly("2026-03-04T05:06:00+00:00", "2026-03-07T05:06:00+00:00", "2026-03-11T05:06:00+00:00",
		"2026-03-25T05:06:00+00:00", "2026-04-03T05:06:00+00:00") + ", " + fixed + "]"
	f.wantSchedules(t, want)
	if n := s.count(t, "patient_task_schedules", "start_utc IS NOT NULL"); n != 2 {
		t.Errorf("%d schedules with a start, want 2", n)
	}
	// The start is kept: a later fetch answers the same.
	s.Clock.Advance(26*time.Hour + 30*time.Second)
	f.wantSchedules(t, want)
}

func TestGetTaskSchedules_Completion(t *testing.T) {
	t.Parallel()
	f := newSchedFixture(t)
	s := f.e.s
	s.mustAdmin(t, "", "schedule", "add", "weekly", "--group", "research", "--item", "phq9:0:7", "--item", "bmi:7:14")
	s.mustAdmin(t, "", "schedule", "assign", "weekly", "--patient", f.key, "--start", "2024-05-01T10:00:00+01:00")
	const (
		phqFrom, phqBy = "2024-05-01T09:00:00+00:00", "2024-05-08T09:00:00+00:00"
		bmiFrom, bmiBy = "2024-05-08T09:00:00+00:00", "2024-05-22T09:00:00+00:00"
	)
	want := func(phqDone, bmiDone string) {
		t.Helper()
		f.wantSchedules(t, "["+schedObject("weekly",
			schedItem("phq9", false, "{}", phqFrom, phqBy, phqDone),
			schedItem("bmi", false, "{}", bmiFrom, bmiBy, bmiDone))+"]")
	}
	// Alice's tablet: Ann (the scheduled patient's NHS number) and Bob.
	tab := f.e.tab
	tab.add("patient", patientRow(1, "Ann", "Smith", "F", "1980-02-29", "2024-05-01T09:29:00.000+01:00", "0"))
	tab.add("patient", patientRow(2, "Bob", "Jones", "M", "1975-11-30", "2024-05-01T09:29:30.000+01:00", "0"))
	tab.add("patient_idnum", idNumRow(1, 1, nhs1, "2024-05-01T09:29:00.000+01:00", "NULL"))
	tab.add("patient_idnum", idNumRow(2, 2, nhs2, "2024-05-01T09:29:30.000+01:00", "NULL"))
	phq := phq9Row(1, 1, "2024-05-01T10:04:00.000+01:00")
	phq["when_created"] = "'2024-05-01T09:59:59.999999+01:00'" // a microsecond before due_from
	tab.add("phq9", phq)
	bob := phq9Row(2, 2, "2024-05-02T10:00:00.000+01:00") // another patient, another NHS number
	bob["when_created"] = "'2024-05-02T10:00:00.000+01:00'"
	tab.add("phq9", bob)
	notFinished := bmiRow(1, 1, "70", "2024-05-10T12:30:00.000+01:00")
	notFinished["when_created"], notFinished["firstexit_is_finish"] = "'2024-05-10T12:00:00.000+01:00'", "0"
	tab.add("bmi", notFinished)
	tab.upload(methodCopy, true)
	want("", "")

	// Modify Ann's phq9: each version is a new current row.
	for _, tc := range []struct{ created, modified, done string }{
		{"2024-05-01T10:00:00.000+01:00", "2024-05-01T10:05:00.123+01:00", "2024-05-01T10:05:00.123000+01:00"}, // at due_from
		{"2024-05-08T10:00:00.000001+01:00", "2024-05-08T10:05:00.000+01:00", ""},                              // a microsecond after due_by
		{"2024-05-08T09:00:00.000+00:00", "2024-05-08T10:06:00.000+01:00", "2024-05-08T10:06:00+01:00"},        // at due_by
	} {
		phq := tab.row("phq9", 1)
		phq["when_created"], phq["when_last_modified"] = "'"+tc.created+"'", "'"+tc.modified+"'"
		tab.upload(methodCopy, false)
		want(tc.done, "")
	}

	// Another device of another user uploads Ann under its own client ids,
	// with two finished bmi tasks: the one created last counts.
	s.addUser(t, "research", "bert", "pw!-secret", "--may-upload", "--may-register-devices")
	c := s.client("bert", "pw!-secret")
	if _, err := c.RegisterSequence(t.Context(), "bert's tablet"); err != nil {
		t.Fatal(err)
	}
	other := newTablet(t, s, c)
	other.add("patient", patientRow(7, "A", "S", "F", "1980-02-29", "2024-05-09T08:00:00.000+00:00", "0"))
	other.add("patient_idnum", idNumRow(7, 7, nhs1, "2024-05-09T08:00:00.000+00:00", "NULL"))
	later := bmiRow(3, 7, "71", "2024-05-09T09:30:00.000-04:00")
	later["when_created"] = "'2024-05-09T09:00:00.000-04:00'"
	other.add("bmi", later)
	earlier := bmiRow(4, 7, "72", "2024-05-21T09:00:00.000+00:00")
	earlier["when_created"] = "'2024-05-09T12:59:00.000+00:00'"
	other.add("bmi", earlier)
	other.upload(methodCopy, true)
	want("2024-05-08T10:06:00+01:00", "2024-05-09T09:30:00-04:00")
}

// A schedule naming a table that the serving registry lacks is a server
// fault: nothing is written.
func TestGetTaskSchedules_TableNotInRegistry(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile(filepath.Join("..", "..", "internal", "registry", "default.tables"))
	if err != nil {
		t.Fatal(err)
	}
	small := regexp.MustCompile(`(?s)\n# [^\n]*\ntable bmi .*?\n\n`).ReplaceAllString(string(src), "\n\n")
	tables := filepath.Join(t.TempDir(), "nobmi.tables")
	if err := os.WriteFile(tables, []byte(small), 0o600); err != nil {
		t.Fatal(err)
	}
	f := newSchedFixture(t, "--tables", tables)
	// The CLI's built-in registry has bmi.
	f.e.s.mustAdmin(t, "", "schedule", "add", "weekly", "--group", "research", "--item", "phq9:0:7", "--item", "bmi:7:14")
	f.e.s.mustAdmin(t, "", "schedule", "assign", "weekly", "--patient", f.key)
	wantReply(t, f.fetch(t, f.key), http.StatusServiceUnavailable, failureReply("Internal server error"))
	if n := f.e.s.count(t, "patient_task_schedules", "start_utc IS NOT NULL"); n != 0 {
		t.Errorf("%d schedules started by a failed fetch", n)
	}
	if log := f.e.s.Log.String(); !strings.Contains(log, `task schedule \"weekly\" names table \"bmi\", which is not in the table registry`) {
		t.Errorf("the log does not name the table:\n%s", log)
	}
}
