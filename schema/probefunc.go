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

// probeFunction is a PL/pgSQL function that returns the names of those of
// its tables in which one probe (an EXISTS on an index) finds a row. A
// function rather than a query because PostgreSQL plans a query anew each
// time it is sent, and a query over 150 tables costs 15–100 ms of planning;
// a function's statements are planned once per connection (BENCHMARKS.md).
// Its name holds a hash of its version and its tables' names, so servers
// with different registries on one database (a rolling upgrade) each find
// the function they need, and an existing function of that name is the
// same.
type probeFunction struct {
	prefix   string // name prefix, e.g. "tabletapi_now_tables_"
	version  string // names the body; change it with the body
	params   string // the parameter list, e.g. "device BIGINT"
	settings string // SET clauses that hold inside the function only
	where    string // the probe's condition, in terms of params
	tables   []*registry.Table
}

// name is the function's name.
func (f probeFunction) name() string {
	h := sha256.New()
	h.Write([]byte(f.version))
	for _, t := range f.tables {
		h.Write([]byte{0})
		h.Write([]byte(t.Name))
	}
	return f.prefix + hex.EncodeToString(h.Sum(nil)[:6])
}

// create creates the function on PostgreSQL unless it exists.
func (f probeFunction) create(ctx context.Context, db bun.IDB) error {
	name := f.name()
	var exists bool
	if err := db.NewRaw("SELECT to_regproc(?) IS NOT NULL", name).Scan(ctx, &exists); err != nil {
		return fmt.Errorf("schema: look up %s: %w", name, err)
	}
	if exists {
		return nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "CREATE FUNCTION %s(%s) RETURNS SETOF TEXT LANGUAGE plpgsql STABLE\n%s\nAS $body$\nBEGIN\n",
		quote(name), f.params, f.settings)
	for _, t := range f.tables {
		fmt.Fprintf(&b, "  IF EXISTS (SELECT 1 FROM %s WHERE %s) THEN RETURN NEXT '%s'; END IF;\n",
			quote(t.Name), f.where, t.Name)
	}
	b.WriteString("  RETURN;\nEND\n$body$")
	if _, err := db.ExecContext(ctx, b.String()); err != nil {
		return fmt.Errorf("schema: create %s: %w", name, err)
	}
	return nil
}
