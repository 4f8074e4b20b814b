package main_test

import (
	"testing"

	"github.com/tabletapi/tabletapi/internal/dbtest"
	"github.com/tabletapi/tabletapi/testclient"
)

// benchTasks is the number of task rows of the benchmark's tablet.
const benchTasks = 20

// costDevice is a registered device on one of the benchmark's servers.
type costDevice struct {
	ts *tripServer
	c  *testclient.Client
}

// BenchmarkFewOfManyTables: uploads of a tablet with data in 3 tables
// (a patient, its NHS number and benchTasks task rows) of a synthetic
// registry of 150 tables of 35 fields, the other 147 sent empty as the
// client sends them (issue 9, Bad input). Each sub-benchmark reports the
// time of the request (of the sequence, multi-step) over loopback, the CPU
// time of this process and of PostgreSQL's backends (cpuUse), and the round
// trips to the database, counted once through pgTrips on a second server
// on the same database, so that the proxy does not slow the timed server.
// On SQLite it reports the time alone.
func BenchmarkFewOfManyTables(b *testing.B) {
	path, reg := manyTablesRegistry(b, 150)
	dbURL := dbtest.NewURL(b)
	timed := &tripServer{s: startServerOn(b, dbURL, "--tables", path), reg: reg}
	addCostUsers(b, timed.s)
	var counted *tripServer
	if dbtest.Postgres() {
		trips := startPGTrips(b, dbURL)
		counted = &tripServer{s: startServerOn(b, trips.URL, "--tables", path), trips: trips, reg: reg}
	}
	data := manyTablesTablet(reg, benchTasks)
	copyParams, moveParams := typedOneStepParams(b, reg, data, false), typedOneStepParams(b, reg, data, true)
	// Warm the timed server up as a server in service is: its pooled
	// connections have read the tables' catalog entries, and PostgreSQL
	// plans a function's statement for each of its first 5 runs on a
	// connection before it keeps a plan.
	for range 8 {
		d := costDevice{timed, timed.newClient(b)}
		d.ts.do(b, d.c, "warm-up", "upload_entire_database", copyParams, "Success")
	}

	// run times upload on devices that prepare readies outside the timer,
	// after counting the round trips of one upload on the counting server.
	run := func(b *testing.B, prepare func(tb testing.TB, ts *tripServer) costDevice,
		upload func(tb testing.TB, d costDevice) int64,
	) {
		var cpu *cpuUse
		var trips int64
		if counted != nil {
			trips = upload(b, prepare(b, counted))
			cpu = newCPUUse(&benchEnv{s: timed.s})
		}
		for b.Loop() {
			b.StopTimer()
			d := prepare(b, timed)
			if cpu != nil {
				cpu.begin(b)
			}
			b.StartTimer()
			upload(b, d)
			b.StopTimer()
			if cpu != nil {
				cpu.end(b)
			}
			b.StartTimer()
		}
		if cpu != nil {
			// After the loop: b.Loop drops metrics reported before it.
			b.ReportMetric(float64(trips), "round-trips/op")
			cpu.report(b)
		}
	}
	newDevice := func(tb testing.TB, ts *tripServer) costDevice { return costDevice{ts, ts.newClient(tb)} }
	oneStep := func(params map[string]string) func(tb testing.TB, d costDevice) int64 {
		return func(tb testing.TB, d costDevice) int64 {
			return d.ts.do(tb, d.c, "upload_entire_database", "upload_entire_database", params, "Success").trips
		}
	}
	b.Run("OneStepCopyNewDevice", func(b *testing.B) { run(b, newDevice, oneStep(copyParams)) })
	b.Run("OneStepCopyUnchanged", func(b *testing.B) {
		uploaded := map[*tripServer]costDevice{}
		run(b, func(tb testing.TB, ts *tripServer) costDevice {
			d, ok := uploaded[ts]
			if !ok {
				d = newDevice(tb, ts)
				oneStep(copyParams)(tb, d)
				uploaded[ts] = d
			}
			return d
		}, oneStep(copyParams))
	})
	b.Run("OneStepMoveNewDevice", func(b *testing.B) { run(b, newDevice, oneStep(moveParams)) })
	b.Run("MultiStepMoveNewDevice", func(b *testing.B) {
		run(b, newDevice, func(tb testing.TB, d costDevice) int64 {
			var n int64
			for _, st := range d.ts.multiStep(tb, d.c, "multi-step Move", data, true) {
				n += st.trips
			}
			return n
		})
	})
}
