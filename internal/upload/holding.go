package upload

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/tabletapi/tabletapi/internal/registry"
)

// holdingChunk bounds the tables that one statement of holding probes on
// SQLite, which allows at most 500 terms in a compound SELECT.
const holdingChunk = 200

// holding returns the tables of ts, in their order, that hold rows of D of
// era NOW, in one statement (one per holdingChunk tables on SQLite): a
// tablet sends every table it has, most of them empty, and an upload must
// cost statements for the tables that hold data, not for the whole
// registry (issue 9).
//
// The other tables have nothing for a rollback, a commit, deletion
// detection or preservation to change: live rows are of era NOW, and so
// is every pending row and every row flagged _move_off_tablet, because
// rows leave era NOW only by preservation, which clears the flag and which
// a commit applies after its additions and removals, and one-step after
// its full rollback.
func (e *Engine) holding(ctx context.Context, c *Call, ts []*registry.Table) ([]*registry.Table, error) {
	if len(ts) == 0 {
		return nil, nil
	}
	if c.Tx.postgres() {
		return e.holdingPG(ctx, c, ts)
	}
	var out []*registry.Table
	dev := strconv.FormatInt(c.DeviceID, 10)
	for start := 0; start < len(ts); start += holdingChunk {
		part := ts[start:min(start+holdingChunk, len(ts))]
		var q strings.Builder
		for i, t := range part {
			if i > 0 {
				q.WriteString(" UNION ALL ")
			}
			// The partial index on (_device_id) WHERE _era = 'NOW'
			// answers each probe (schema.indexes).
			fmt.Fprintf(&q, "SELECT %d WHERE EXISTS (SELECT 1 FROM %s WHERE _device_id = %s AND _era = 'NOW')",
				i, ident(t.Name), dev)
		}
		var found []int64
		if err := c.Tx.NewRaw(q.String()).Scan(ctx, &found); err != nil {
			return nil, fmt.Errorf("upload: find the tables holding rows: %w", err)
		}
		slices.Sort(found)
		for _, i := range found {
			out = append(out, part[i])
		}
	}
	return out, nil
}

// holdingPG is holding on PostgreSQL, through the function that
// schema.SyncTables created for the registry: it probes every registry
// table with statements planned once per connection, where a query
// naming the tables would be planned anew each time.
func (e *Engine) holdingPG(ctx context.Context, c *Call, ts []*registry.Table) ([]*registry.Table, error) {
	var names []string
	if err := c.Tx.NewRaw("SELECT * FROM "+ident(e.nowTables)+"(?)", c.DeviceID).Scan(ctx, &names); err != nil {
		return nil, fmt.Errorf("upload: find the tables holding rows: %w", err)
	}
	var out []*registry.Table
	for _, t := range ts {
		if slices.Contains(names, t.Name) {
			out = append(out, t)
		}
	}
	return out, nil
}
