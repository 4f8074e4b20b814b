package main_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tabletapi/tabletapi/internal/dbtest"
	"github.com/tabletapi/tabletapi/internal/registry"
	"github.com/tabletapi/tabletapi/testclient"
)

// Helpers of the tests and the benchmark of what a registry's empty tables
// cost an upload (emptytables_test.go, bench_tablecost_test.go): a
// synthetic registry of many tables, a tablet with data in three of them,
// and servers whose round trips to PostgreSQL are counted.

// taskFieldCount is the number of fields of each synthetic task table.
const taskFieldCount = 35

// manyTablesRegistry writes a registry of n tables and returns its path and the
// registry: patient and patient_idnum as in the default registry, then
// task tables task000, task001, … of taskFieldCount fields of mixed types.
func manyTablesRegistry(tb testing.TB, n int) (string, *registry.Registry) {
	tb.Helper()
	var b strings.Builder
	def := registry.Default()
	for _, name := range []string{"patient", "patient_idnum"} {
		t, _ := def.Table(name)
		fmt.Fprintf(&b, "table %s kind=%s pk=%s min_version=%s\n", t.Name, t.Kind, t.PK, t.MinVersion)
		for _, f := range t.Fields {
			fmt.Fprintf(&b, "    %s %s\n", f.Name, f.Type)
		}
	}
	types := []registry.FieldType{
		registry.Integer, registry.Real, registry.Text, registry.DateTime,
		registry.Date, registry.Boolean, registry.Blob,
	}
	for i := range n - 2 {
		fmt.Fprintf(&b, "table task%03d kind=task pk=id min_version=2.0.0\n", i)
		b.WriteString("    id integer\n    when_last_modified datetime\n    _move_off_tablet boolean\n" +
			"    patient_id integer\n    when_created datetime\n")
		for j := 5; j < taskFieldCount; j++ {
			fmt.Fprintf(&b, "    f%02d %s\n", j, types[j%len(types)])
		}
	}
	path := filepath.Join(tb.TempDir(), fmt.Sprintf("synthetic%d.tables", n))
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		tb.Fatal(err)
	}
	reg, err := registry.Load(path)
	if err != nil {
		tb.Fatal(err)
	}
	return path, reg
}

// manyTablesTablet is a tablet with data in three tables: one patient, its NHS
// number, and tasks rows of task000.
func manyTablesTablet(reg *registry.Registry, tasks int) map[string][]map[string]fieldValue {
	data := map[string][]map[string]fieldValue{}
	p, _ := reg.Table("patient")
	data["patient"] = []map[string]fieldValue{typedRecord(p, typedPatientPK, 0)}
	idn, _ := reg.Table("patient_idnum")
	data["patient_idnum"] = []map[string]fieldValue{typedRecord(idn, 1, 0)}
	task, _ := reg.Table("task000")
	for i := range tasks {
		data["task000"] = append(data["task000"], typedRecord(task, i+1, i))
	}
	return data
}

// tripServer is a server on PostgreSQL with the registry reg whose round
// trips to the database go through a counting proxy (trips), unless trips
// is nil.
type tripServer struct {
	s     *testServer
	trips *pgTrips
	reg   *registry.Registry
}

// startTCServer starts a server with a synthetic registry of the given
// number of tables, counting its round trips, with alice and ID type 1
// set up as startWithUploader does.
func startTCServer(tb testing.TB, tables int) *tripServer {
	tb.Helper()
	path, reg := manyTablesRegistry(tb, tables)
	trips := startPGTrips(tb, dbtest.NewURL(tb))
	s := startServerOn(tb, trips.URL, "--tables", path)
	addCostUsers(tb, s)
	return &tripServer{s: s, trips: trips, reg: reg}
}

// addCostUsers sets up alice and ID type 1 as startWithUploader does.
func addCostUsers(tb testing.TB, s *testServer) {
	tb.Helper()
	s.addUser(tb, "research", "alice", "pw!-secret", "--may-upload", "--may-register-devices")
	s.mustAdmin(tb, "", "idnum", "add", "1", "--description", "NHS number", "--short-description", "NHS", "--validation", "uk_nhs_number")
}

// newClient registers a new device for alice and returns its client,
// logged in.
func (ts *tripServer) newClient(tb testing.TB) *testclient.Client {
	tb.Helper()
	c := ts.s.client("alice", "pw!-secret")
	if _, err := c.RegisterSequence(context.Background(), "tablet"); err != nil {
		tb.Fatal(err)
	}
	if err := checkUpload(context.Background(), c); err != nil {
		tb.Fatal(err)
	}
	return c
}

// tripStep is one request of a scripted upload and its round trips.
type tripStep struct {
	name    string
	trips   int64
	queries []string
}

// do sends one request, which must give result:want, and returns its
// round trips to the database (none counted when trips is nil).
func (ts *tripServer) do(tb testing.TB, c *testclient.Client, name, op string, params map[string]string, want string) tripStep {
	tb.Helper()
	var mark int
	var before int64
	if ts.trips != nil {
		mark, before = ts.trips.Mark(), ts.trips.Trips()
	}
	r, err := c.Do(context.Background(), op, params)
	if err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
	if r.Values["result"] != want || r.Err() != nil {
		tb.Fatalf("%s: reply\n%s\nwant result:%s\nserver log:\n%s", name, r.Body, want, ts.s.Log)
	}
	if ts.trips == nil {
		return tripStep{name: name}
	}
	return tripStep{name: name, trips: ts.trips.Trips() - before, queries: ts.trips.Queries(mark)}
}

// emptyTablesParam lists the tables of reg that data has no rows for, sorted,
// as upload_empty_tables' parameter.
func emptyTablesParam(reg *registry.Registry, data map[string][]map[string]fieldValue) string {
	var names []string
	for _, n := range reg.Names() {
		if len(data[n]) == 0 {
			names = append(names, n)
		}
	}
	return strings.Join(names, ",")
}

// multiStep sends a multi-step upload of data: start_upload,
// start_preservation when moving, upload_empty_tables, upload_table for
// each table with rows, end_upload (PROTOCOL 12.3).
func (ts *tripServer) multiStep(tb testing.TB, c *testclient.Client, label string, data map[string][]map[string]fieldValue, move bool) []tripStep {
	tb.Helper()
	steps := []tripStep{ts.do(tb, c, label+" start_upload", "start_upload", nil, "start_upload")}
	if move {
		steps = append(steps, ts.do(tb, c, label+" start_preservation", "start_preservation", nil, "STARTPRESERVATION"))
	}
	steps = append(steps, ts.do(tb, c, label+" upload_empty_tables", "upload_empty_tables",
		map[string]string{"tables": emptyTablesParam(ts.reg, data)}, "UPLOAD-EMPTY-TABLES"))
	for _, n := range ts.reg.Names() {
		if len(data[n]) == 0 {
			continue
		}
		t, _ := ts.reg.Table(n)
		steps = append(steps, ts.do(tb, c, label+" upload_table "+n, "upload_table", typedUploadTable(t, data[n]),
			"Table "+n+" upload successful"))
	}
	return append(steps, ts.do(tb, c, label+" end_upload", "end_upload", nil, "end_upload"))
}

// script runs the uploads whose cost TestUploadCostOfEmptyTables compares:
// one-step and multi-step, Copy and Move, with changes and without, and
// the rollback of an abandoned preserving batch, whose dirty set holds
// every table.
func (ts *tripServer) script(tb testing.TB) []tripStep {
	tb.Helper()
	c := ts.newClient(tb)
	data := manyTablesTablet(ts.reg, 5)
	oneStep := func(label string, finalizing bool) tripStep {
		return ts.do(tb, c, label, "upload_entire_database", typedOneStepParams(tb, ts.reg, data, finalizing), "Success")
	}
	steps := []tripStep{oneStep("one-step Copy, first", false), oneStep("one-step Copy, unchanged", false)}
	task, _ := ts.reg.Table("task000")
	data["task000"][0]["when_last_modified"] = valueOfType(registry.DateTime, "", 999)
	data["task000"] = slices.Delete(data["task000"], 1, 2)
	steps = append(steps, oneStep("one-step Copy, 1 modified and 1 deleted", false), oneStep("one-step Move", true))
	steps = append(steps, ts.multiStep(tb, c, "multi-step Move", data, true)...)
	steps = append(steps, ts.multiStep(tb, c, "multi-step Copy", data, false)...)
	steps = append(steps,
		ts.do(tb, c, "abandoned start_upload", "start_upload", nil, "start_upload"),
		ts.do(tb, c, "abandoned start_preservation", "start_preservation", nil, "STARTPRESERVATION"),
		ts.do(tb, c, "abandoned upload_table", "upload_table", typedUploadTable(task, data["task000"]), "Table task000 upload successful"),
		oneStep("one-step Copy after an abandoned preserving batch", false),
		ts.do(tb, c, "abandoned again start_upload", "start_upload", nil, "start_upload"),
		ts.do(tb, c, "abandoned again start_preservation", "start_preservation", nil, "STARTPRESERVATION"),
		ts.do(tb, c, "start_upload after an abandoned preserving batch", "start_upload", nil, "start_upload"),
		ts.do(tb, c, "end_upload of an empty batch", "end_upload", nil, "end_upload"),
	)
	return steps
}
