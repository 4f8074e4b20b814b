package main_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tabletapi/tabletapi/internal/registry"
	"github.com/tabletapi/tabletapi/testclient"
	"github.com/tabletapi/tabletapi/testclient/sim"
	"github.com/tabletapi/tabletapi/testclient/sim/simtest"
)

// TestSimulatedFleet: simulated tablets upload by every method, multi-step
// and one-step, with connections dropped at random and whole sequences
// retried as a tablet would; afterwards every record any tablet was told
// was uploaded is stored exactly once, and nothing else is (issue 4).
func TestSimulatedFleet(t *testing.T) {
	s := startSimServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	sum, err := sim.RunLoad(ctx, sim.LoadConfig{
		URL: s.API, User: "alice", Password: "pw!-secret",
		Tablets: 6, Records: 15, Rounds: 3, Concurrency: 3,
		ChaosRate: 0.05, Seed: 7, RetryPause: 10 * time.Millisecond,
	})
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	var out bytes.Buffer
	sum.WriteText(&out) //nolint:errcheck // a bytes.Buffer
	if !sum.OK() {
		t.Fatalf("load failed:\n%s", out.String())
	}
	rep, err := sim.Verify(ctx, s.DB, sum.Tablets)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if !rep.OK() {
		t.Fatalf("verify:\n%s\nsummary:\n%s", rep, out.String())
	}
	// A dropped connection is the tablet's doing, not a server fault.
	if strings.Contains(s.Log.String(), "level=ERROR") {
		t.Fatalf("server logged errors:\n%s", s.Log)
	}
}

// TestSimulatedFleet_ManyTables: tablets of a registry of many tables
// (tasks about a patient and anonymous ones, child tables, a table of no
// task, tables for newer clients, fields of every type) upload to a server
// started with that registry, with connections dropped at random; verify
// reads every table and finds everything as uploaded, then finds one
// wrongly stored value of a child table and names its table and field
// (issue 9, item 7). Its tasks have a time field (issue 9, item 3).
func TestSimulatedFleet_ManyTables(t *testing.T) {
	path := filepath.Join(t.TempDir(), "many.tables")
	if err := os.WriteFile(path, []byte(simtest.SyntheticRegistry(20, true)), 0o600); err != nil {
		t.Fatal(err)
	}
	s := startServer(t, "--tables", path)
	s.addUser(t, "research", "alice", "pw!-secret", "--may-upload", "--may-register-devices")
	s.mustAdmin(t, "", "idnum", "add", "1", "--description", "NHS number", "--short-description", "NHS", "--validation", "uk_nhs_number")
	reg, err := registry.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	schema, err := sim.NewSchema(reg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	sum, err := sim.RunLoad(ctx, sim.LoadConfig{
		URL: s.API, User: "alice", Password: "pw!-secret", Schema: schema,
		Tablets: 4, Records: 40, Rounds: 3, Concurrency: 2,
		ChaosRate: 0.05, Seed: 9, RetryPause: 10 * time.Millisecond,
	})
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	var out bytes.Buffer
	sum.WriteText(&out) //nolint:errcheck // a bytes.Buffer
	// 3 tables need a newer client or belong to a task that does.
	if !sum.OK() || sum.TablesWritten != len(reg.Names())-3 {
		t.Fatalf("load failed, or wrote %d tables, want %d:\n%s", sum.TablesWritten, len(reg.Names())-3, out.String())
	}
	rep, err := sim.Verify(ctx, s.DB, sum.Tablets)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if !rep.OK() || rep.Tables != len(reg.Names()) || rep.TablesWithRows < 20 {
		t.Fatalf("verify (want %d tables):\n%s\nsummary:\n%s", len(reg.Names()), rep, out.String())
	}
	if strings.Contains(s.Log.String(), "level=ERROR") {
		t.Fatalf("server logged errors:\n%s", s.Log)
	}

	table, device, id := childWithReal(t, sum.Tablets)
	q := fmt.Sprintf(`UPDATE %q SET item_real = -12345.5 WHERE id = ? AND _current AND _device_id = (SELECT id FROM devices WHERE name = ?)`, table)
	res, err := s.DB.ExecContext(ctx, q, id, device)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		t.Fatalf("%d rows changed (%v), want 1", n, err)
	}
	rep, err = sim.Verify(ctx, s.DB, sum.Tablets)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if len(rep.Problems) != 1 || rep.Problems[0].Table != table || rep.Problems[0].ID != id ||
		rep.Problems[0].Kind != "wrong values" || !strings.HasPrefix(rep.Problems[0].Detail, "item_real: want ") ||
		!strings.HasSuffix(rep.Problems[0].Detail, ", got -12345.5") {
		t.Fatalf("verify after %s %d was changed:\n%s", table, id, rep)
	}
}

// childWithReal returns a child record with item_real set that a tablet
// expects the server to hold, live or preserved: its table, device and
// client PK.
func childWithReal(t *testing.T, tablets []*sim.Tablet) (table, device string, id int64) {
	t.Helper()
	for _, tab := range tablets {
		e := tab.Expected()
		for _, r := range append(e.Live, e.Preserved...) {
			if parent, _ := tab.Schema().Parent(r.Table); parent != "" && r.Row["item_real"].Kind != testclient.KindNull {
				return r.Table, e.Device, r.Row.ID()
			}
		}
	}
	t.Fatal("no tablet has a child record with item_real set on the server")
	return "", "", 0
}

// TestSimulatedPatients: two single-patient tablets, whose patients and
// schedule the simulator creates through the admin CLI, register with their
// access keys, complete the tasks due and upload them multi-step alongside
// clinician tablets that upload one-step, with connections dropped at
// random; every record is
// stored as uploaded and get_task_schedules reports each completed task
// complete, until a completed row is made unfinished (issue 11, item 4).
func TestSimulatedPatients(t *testing.T) {
	s := startSimServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	sum, err := sim.RunLoad(ctx, sim.LoadConfig{
		URL: s.API, User: "alice", Password: "pw!-secret",
		Tablets: 2, Records: 10, Rounds: 2, Concurrency: 4, Steps: sim.OneStepOnly,
		Patients: 2, PatientGroup: "research",
		Admin:     func(_ context.Context, args ...string) (string, error) { return s.admin(t, "", args...) },
		ChaosRate: 0.05, Seed: 11, RetryPause: 10 * time.Millisecond,
	})
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	var out bytes.Buffer
	sum.WriteText(&out) //nolint:errcheck // a bytes.Buffer
	// The clinician tablets upload one-step only, the patient tablets never.
	if !sum.OK() || sum.PatientRegistrations != 2 || sum.TasksCompleted != 6 || sum.Uploads != 6 || sum.OneStepUploads != 4 ||
		!strings.Contains(out.String(), "patients    2 of 2 registered; 6 scheduled tasks completed and uploaded\n") {
		t.Fatalf("load failed, or not 2 patients with 3 tasks each:\n%s", out.String())
	}
	if n := s.count(t, "users", "auto_generated"); n != 2 {
		t.Errorf("%d generated users, want 2", n)
	}
	rep, err := sim.Verify(ctx, s.DB, sum.Tablets)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if err := sim.VerifySchedules(ctx, sum.Tablets, rep); err != nil || !rep.OK() || rep.ScheduledTasks != 6 ||
		!strings.HasSuffix(rep.String(), "\n            and get_task_schedules reports all 6 completed scheduled tasks complete\n") {
		t.Fatalf("verify (%v):\n%s\nsummary:\n%s", err, rep, out.String())
	}
	if strings.Contains(s.Log.String(), "level=ERROR") {
		t.Fatalf("server logged errors:\n%s", s.Log)
	}

	for _, tab := range sum.Tablets {
		if done := tab.Completed(); len(done) > 0 {
			q := fmt.Sprintf(`UPDATE %q SET firstexit_is_finish = NULL WHERE _device_id = (SELECT id FROM devices WHERE name = ?)`, done[0])
			if _, err := s.DB.ExecContext(ctx, q, tab.Device()); err != nil {
				t.Fatal(err)
			}
			rep := &sim.Report{}
			err := sim.VerifySchedules(ctx, sum.Tablets, rep)
			if err != nil || len(rep.Problems) != 1 || rep.Problems[0].String() != tab.Device()+" "+done[0]+
				" id 0: incomplete: uploaded a finished task, but get_task_schedules does not report it complete" {
				t.Fatalf("verify schedules after %s was unfinished (%v):\n%s", done[0], err, rep)
			}
			return
		}
	}
	t.Fatal("no tablet completed a task")
}

// startSimServer starts a server with user alice of group research, who
// may upload and register devices, and NHS numbers as ID number type 1:
// what the simulator needs.
func startSimServer(t *testing.T) *testServer {
	t.Helper()
	s := startServer(t)
	s.addUser(t, "research", "alice", "pw!-secret", "--may-upload", "--may-register-devices")
	s.mustAdmin(t, "", "idnum", "add", "1", "--description", "NHS number", "--short-description", "NHS", "--validation", "uk_nhs_number")
	return s
}
