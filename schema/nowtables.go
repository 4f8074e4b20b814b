package schema

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/uptrace/bun"

	"github.com/tabletapi/tabletapi/internal/registry"
)

// nowTablesVersion names the body that createNowTables writes; change it
// with the body, so that a server of another version keeps its own.
const nowTablesVersion = "2"

// NowTablesFunction is the name of the PostgreSQL function that
// SyncTables creates for reg: called with a device id, it returns the
// names of reg's tables in which that device has rows of era NOW, in
// commit order. The upload engine asks it which tables an upload must
// visit, in one round trip.
//
// A function, not a query, because PostgreSQL plans a query anew each time
// it is sent, and planning one query over 150 tables costs about 15 ms of
// the database's CPU; the function's statements are planned once per
// connection and then cost about 1 ms in all (BENCHMARKS.md). The name
// holds a hash of reg's table names, so servers with different registries
// on one database (a rolling upgrade) each find the function they need.
func NowTablesFunction(reg *registry.Registry) string {
	h := sha256.New()
	h.Write([]byte(nowTablesVersion))
	for _, t := range reg.Tables() {
		h.Write([]byte{0})
		h.Write([]byte(t.Name))
	}
	return "tabletapi_now_tables_" + hex.EncodeToString(h.Sum(nil)[:6])
}

// createNowTables creates the function NowTablesFunction(reg) on
// PostgreSQL unless it exists; its body depends only on what the name
// hashes, so an existing one is the same.
func createNowTables(ctx context.Context, db bun.IDB, reg *registry.Registry) error {
	name := NowTablesFunction(reg)
	var exists bool
	if err := db.NewRaw("SELECT to_regproc(?) IS NOT NULL", name).Scan(ctx, &exists); err != nil {
		return fmt.Errorf("schema: look up %s: %w", name, err)
	}
	if exists {
		return nil
	}
	var b strings.Builder
	// The settings hold inside the function only. Its statements get one
	// generic plan each at once, not a custom plan on each of a
	// connection's first five calls (planning 150 statements costs about
	// 20 ms of the database's CPU each time). And the plans use the index:
	// when a table's rows belong to a few devices, PostgreSQL's statistics
	// make a scan of the whole table look cheaper for a generic plan, and
	// for a device with no rows in that table it reads every row, at every
	// upload (BENCHMARKS.md, full registry).
	fmt.Fprintf(&b, "CREATE FUNCTION %s(device BIGINT) RETURNS SETOF TEXT LANGUAGE plpgsql STABLE\n"+
		"SET plan_cache_mode = force_generic_plan SET enable_seqscan = off SET enable_bitmapscan = off\n"+
		"AS $body$\nBEGIN\n", quote(name))
	for _, t := range reg.Tables() {
		// Each probe is answered by the partial index on era NOW.
		fmt.Fprintf(&b, "  IF EXISTS (SELECT 1 FROM %s WHERE _device_id = device AND _era = 'NOW') THEN RETURN NEXT '%s'; END IF;\n",
			quote(t.Name), t.Name)
	}
	b.WriteString("  RETURN;\nEND\n$body$")
	if _, err := db.ExecContext(ctx, b.String()); err != nil {
		return fmt.Errorf("schema: create %s: %w", name, err)
	}
	return nil
}
