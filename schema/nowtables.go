package schema

import (
	"context"

	"github.com/uptrace/bun"

	"github.com/tabletapi/tabletapi/internal/registry"
)

// nowTables is the function NowTablesFunction names.
//
// Its settings give each statement one generic plan at once, not a custom
// plan on each of a connection's first five calls (planning 150
// statements costs about 20 ms of the database's CPU each time), and make
// the plans use the index: when a table's rows belong to a few devices,
// PostgreSQL's statistics make a scan of the whole table look cheaper for
// a generic plan, and for a device with no rows in that table it reads
// every row, at every upload (BENCHMARKS.md, full registry). Each probe is
// answered by the partial index on era NOW.
func nowTables(reg *registry.Registry) probeFunction {
	return probeFunction{
		prefix:   "tabletapi_now_tables_",
		version:  "2", // change it with the body
		params:   "device BIGINT",
		settings: "SET plan_cache_mode = force_generic_plan SET enable_seqscan = off SET enable_bitmapscan = off",
		where:    "_device_id = device AND _era = 'NOW'",
		tables:   reg.Tables(),
	}
}

// NowTablesFunction is the name of the PostgreSQL function that
// SyncTables creates for reg: called with a device id, it returns the
// names of reg's tables in which that device has rows of era NOW, in
// commit order. The upload engine asks it which tables an upload must
// visit, in one round trip (about 1 ms of the database's CPU, where one
// query over 150 tables costs 15 ms of planning).
func NowTablesFunction(reg *registry.Registry) string { return nowTables(reg).name() }

// createNowTables creates NowTablesFunction(reg) on PostgreSQL unless it
// exists.
func createNowTables(ctx context.Context, db bun.IDB, reg *registry.Registry) error {
	return nowTables(reg).create(ctx, db)
}
