package upload

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/tabletapi/tabletapi/internal/registry"
)

// tableChange is one table's line of the upload audit (PROTOCOL 8.9).
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
// bounded by the device's pending rows. It returns the audit summary.
func (e *Engine) commit(ctx context.Context, c *Call, b *batch) (string, error) {
	tables, err := e.dirtyTables(ctx, c)
	if err != nil {
		return "", err
	}
	if b.alreadyReceived {
		pure, err := e.pureRetry(ctx, c, b, tables)
		if err != nil {
			return "", err
		}
		if pure {
			// A repeat of an upload that was already stored: drop the
			// re-sent patients and store nothing (PROTOCOL 8.4.2).
			return "No changes", e.rollbackAll(ctx, c)
		}
	}
	var changes []*tableChange
	for _, t := range tables {
		tc, err := e.commitTable(ctx, c, b, t)
		if err != nil {
			return "", err
		}
		changes = append(changes, tc)
	}
	if _, err := c.Tx.NewDelete().Table("dirty_tables").Where("device_id = ?", c.DeviceID).Exec(ctx); err != nil {
		return "", fmt.Errorf("upload: clear dirty set: %w", err)
	}
	return summary(changes), nil
}

func (e *Engine) commitTable(ctx context.Context, c *Call, b *batch, t *registry.Table) (*tableChange, error) {
	tc := &tableChange{table: t.Name}
	tbl, pk := ident(t.Name), ident(t.PK)
	where := func(cond string) string { return " WHERE _device_id = ? AND " + cond }
	var err error
	if tc.added, err = e.updateReturning(ctx, c, "UPDATE "+tbl+" SET _current = TRUE, _addition_pending = FALSE,"+
		" _adding_user_id = ?, _when_added_exact = ?, _when_added_batch_utc = ?"+where("_addition_pending")+
		" RETURNING "+pk, c.UserID, c.Now, b.time, c.DeviceID); err != nil {
		return nil, err
	}
	rows, err := c.Tx.QueryContext(ctx, "UPDATE "+tbl+" SET _current = FALSE, _removal_pending = FALSE,"+
		" _removing_user_id = ?, _when_removed_exact = ?, _when_removed_batch_utc = ?"+where("_removal_pending")+
		" RETURNING "+pk+", _successor_pk", c.UserID, c.Now, b.time, c.DeviceID)
	if err != nil {
		return nil, fmt.Errorf("upload: commit %s: %w", t.Name, err)
	}
	for rows.Next() {
		var cpk int64
		var succ *int64
		if err := rows.Scan(&cpk, &succ); err != nil {
			rows.Close()
			return nil, fmt.Errorf("upload: commit %s: %w", t.Name, err)
		}
		if succ != nil {
			tc.modifiedOut = append(tc.modifiedOut, cpk)
		} else {
			tc.deleted = append(tc.deleted, cpk)
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
	if tc.preserved, err = e.updateReturning(ctx, c, "UPDATE "+tbl+" SET _era = ?, _preserving_user_id = ?,"+
		" _move_off_tablet = FALSE, _forcibly_preserved = FALSE"+where(cond)+" RETURNING "+pk,
		b.era(), c.UserID, c.DeviceID); err != nil {
		return nil, err
	}
	if err := c.Tx.NewRaw("SELECT "+pk+" FROM "+tbl+where("_era = 'NOW' AND _current"), c.DeviceID).
		Scan(ctx, &tc.current); err != nil {
		return nil, fmt.Errorf("upload: commit %s: %w", t.Name, err)
	}
	return tc, nil
}

// updateReturning runs an UPDATE … RETURNING of one integer column.
func (e *Engine) updateReturning(ctx context.Context, c *Call, q string, args ...any) ([]int64, error) {
	rows, err := c.Tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("upload: commit: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			return nil, fmt.Errorf("upload: commit: %w", err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
