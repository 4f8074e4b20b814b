package upload

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/tabletapi/tabletapi/internal/audit"
	"github.com/tabletapi/tabletapi/internal/registry"
)

// tableChange is one table's line of the upload audit (PROTOCOL 8.9). The
// lists hold server PKs (_pk), as the reference's audit does.
type tableChange struct {
	table                                  string
	added, modifiedOut, deleted, preserved []int64
	current                                []int64
}

func (tc *tableChange) empty() bool {
	return len(tc.added)+len(tc.modifiedOut)+len(tc.deleted)+len(tc.preserved) == 0
}

func (tc *tableChange) String() string {
	for _, s := range [][]int64{tc.added, tc.modifiedOut, tc.deleted, tc.preserved, tc.current} {
		slices.Sort(s)
	}
	return fmt.Sprintf("%s (%d added, PKs %s; %d modified out, PKs %s; %d deleted, PKs %s; %d preserved, PKs %s; current PKs %s)",
		tc.table, len(tc.added), joinPKs(tc.added), len(tc.modifiedOut), joinPKs(tc.modifiedOut),
		len(tc.deleted), joinPKs(tc.deleted), len(tc.preserved), joinPKs(tc.preserved), joinPKs(tc.current))
}

// counts are the changed tables' counts, for the structured audit.
func counts(changes []*tableChange) []audit.TableCounts {
	var out []audit.TableCounts
	for _, tc := range changes {
		if !tc.empty() {
			out = append(out, audit.TableCounts{Table: tc.table, Added: len(tc.added),
				Modified: len(tc.modifiedOut), Deleted: len(tc.deleted), Preserved: len(tc.preserved)})
		}
	}
	return out
}

// summary joins the changed tables' lines, or says "No changes".
func summary(changes []*tableChange) string {
	var parts []string
	for _, tc := range changes {
		if !tc.empty() {
			parts = append(parts, tc.String())
		}
	}
	if len(parts) == 0 {
		return "No changes"
	}
	return strings.Join(parts, ", ")
}

// commit is Commit (PROTOCOL 8.6): each dirty table in commit order gets
// its pending additions and removals applied and its flagged (or, in a
// preserving batch, all) era-NOW rows preserved, with set-based updates
// bounded by the device's pending rows. It returns each table's change,
// none for a pure retry.
func (e *Engine) commit(ctx context.Context, c *Call, b *batch) ([]*tableChange, error) {
	tables, err := e.dirtyTables(ctx, c)
	if err != nil {
		return nil, err
	}
	// Dirty tables that hold no rows of D have nothing to commit or
	// preserve, and nothing to say to the pure-retry rule; a preserving
	// batch's dirty set is the whole registry.
	if tables, err = e.holding(ctx, c, tables); err != nil {
		return nil, err
	}
	ev, err := e.commitEvidence(ctx, c, b, tables)
	if err != nil {
		return nil, err
	}
	if ev.pureRetry() {
		// A repeat of an upload that was already stored: drop the re-sent
		// patients and store nothing (PROTOCOL 8.4.2).
		_, err := e.rollbackAll(ctx, c)
		return nil, err
	}
	var changes []*tableChange
	for _, t := range tables {
		tc, err := e.commitTable(ctx, c, b, t)
		if err != nil {
			return nil, err
		}
		changes = append(changes, tc)
	}
	if err := e.clearDirty(ctx, c); err != nil {
		return nil, err
	}
	return changes, nil
}

func (e *Engine) commitTable(ctx context.Context, c *Call, b *batch, t *registry.Table) (*tableChange, error) {
	tc := &tableChange{table: t.Name}
	tbl := ident(t.Name)
	where := func(q *literalSQL, cond string) *literalSQL {
		return q.raw(" WHERE _device_id = ").value(c.DeviceID).raw(" AND " + cond)
	}
	d := c.Tx.Dialect()
	var err error
	add := where(additionValues(newLiteralSQL(d, "UPDATE "+tbl+" SET "), c, b), "_addition_pending")
	if tc.added, err = updateReturning(ctx, c, add.raw(" RETURNING _pk")); err != nil {
		return nil, fmt.Errorf("upload: commit %s: %w", t.Name, err)
	}
	remove := where(removalValues(newLiteralSQL(d, "UPDATE "+tbl+" SET "), c, b), "_removal_pending")
	rows, err := c.Tx.queryLiteral(ctx, remove.raw(" RETURNING _pk, _successor_pk"))
	if err != nil {
		return nil, fmt.Errorf("upload: commit %s: %w", t.Name, err)
	}
	for rows.Next() {
		var pk int64
		var succ *int64
		if err := rows.Scan(&pk, &succ); err != nil {
			rows.Close()
			return nil, fmt.Errorf("upload: commit %s: %w", t.Name, err)
		}
		if succ != nil {
			tc.modifiedOut = append(tc.modifiedOut, pk)
		} else {
			tc.deleted = append(tc.deleted, pk)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("upload: commit %s: %w", t.Name, err)
	}
	cond := "_era = 'NOW' AND _move_off_tablet"
	if b.preserving {
		cond = "_era = 'NOW'"
	}
	preserved, err := preserveRows(ctx, c, b, t, cond)
	if err != nil {
		return nil, err
	}
	tc.preserved = keys(preserved)
	if tc.current, err = currentPKs(ctx, c, t, preserved); err != nil {
		return nil, err
	}
	return tc, nil
}

// currentPKs lists D's current rows of t after an upload: the live ones
// and, from preserved (rows this upload preserved, with their _current),
// the current ones; preserving a row does not change _current.
func currentPKs(ctx context.Context, c *Call, t *registry.Table, preserved map[int64]bool) ([]int64, error) {
	var pks []int64
	if err := c.Tx.NewRaw("SELECT _pk FROM "+ident(t.Name)+" WHERE _device_id = ? AND _current AND _era = 'NOW'",
		c.DeviceID).Scan(ctx, &pks); err != nil {
		return nil, fmt.Errorf("upload: current rows of %s: %w", t.Name, err)
	}
	for pk, cur := range preserved {
		if cur {
			pks = append(pks, pk)
		}
	}
	return pks, nil
}

// keys returns the keys of m.
func keys(m map[int64]bool) []int64 {
	out := make([]int64, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// updateReturning runs an UPDATE … RETURNING of one integer column.
func updateReturning(ctx context.Context, c *Call, q *literalSQL) ([]int64, error) {
	rows, err := c.Tx.queryLiteral(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
