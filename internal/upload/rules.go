package upload

import (
	"context"
	"fmt"

	"github.com/tabletapi/tabletapi/internal/registry"
)

// The values a rule of PROTOCOL 8 writes into a client table's bookkeeping
// columns, each in one place: every statement that applies the rule,
// whatever else it does, writes the rule's columns with these functions.
// Only the version links are written by the callers, as they are each
// row's own: a new row's _predecessor_pk, and the _successor_pk of the row
// it replaces. Where one-step applies a rule at once and multi-step at
// commit, both forms are here, side by side.

// constantColumns are the bookkeeping columns that are the same for every
// row a request inserts (PROTOCOL 8.1 "On insert"), with their values: a
// one-step row is added at once (additionColumns), a multi-step row is a
// pending addition. _predecessor_pk is each row's own.
func constantColumns(c *Call, b *batch, oneStep bool) ([]string, []any) {
	cols := []string{"_device_id", "_era", "_removal_pending", "_camcops_version", "_group_id",
		"_forcibly_preserved", "_manually_erased"}
	vals := []any{c.DeviceID, "NOW", false, c.Version, c.GroupID, false, false}
	if !oneStep {
		return append(cols, "_current", "_addition_pending"), append(vals, false, true)
	}
	acols, avals := additionColumns(c, b)
	return append(cols, acols...), append(vals, avals...)
}

// additionColumns are the addition values of PROTOCOL 8.6 (the "add" set:
// the row becomes current, by U, now, in batch b), by column: a commit
// sets them on pending additions (additionValues), and one-step inserts
// its rows with them (constantColumns, 8.1).
func additionColumns(c *Call, b *batch) ([]string, []any) {
	return []string{"_current", "_addition_pending", "_adding_user_id", "_when_added_exact", "_when_added_batch_utc"},
		[]any{true, false, c.UserID, c.Now, b.time}
}

// additionValues appends additionColumns as a SET list.
func additionValues(q *literalSQL, c *Call, b *batch) *literalSQL {
	cols, vals := additionColumns(c, b)
	for i, col := range cols {
		if i > 0 {
			q.raw(", ")
		}
		q.raw(col + " = ").value(vals[i])
	}
	return q
}

// deletionValues appends what deletion detection writes on a live row
// that was not sent (PROTOCOL 8.5): no successor, and delete now
// (one-step) or delete-later (multi-step).
func deletionValues(q *literalSQL, c *Call, b *batch, oneStep bool) *literalSQL {
	return removeValues(q.raw("_successor_pk = NULL, "), c, b, oneStep)
}

// removeValues appends what retiring a live row writes but its successor
// link, which a modification sets to the new row (PROTOCOL 8.4.2 Modified)
// and a deletion clears (deletionValues): one-step removes the row now
// (removalValues); multi-step flags it for removal at commit.
func removeValues(q *literalSQL, c *Call, b *batch, oneStep bool) *literalSQL {
	if oneStep {
		return removalValues(q, c, b)
	}
	return q.raw("_removal_pending = TRUE")
}

// removalValues appends the removal values of PROTOCOL 8.6 (the "remove"
// set: the row stops being current, by U, now, in batch b), which a commit
// applies to pending removals and one-step applies at once to the rows it
// modifies out (8.4.2) or deletes now (8.5). The successor link is not
// among them: each caller knows what it must be.
func removalValues(q *literalSQL, c *Call, b *batch) *literalSQL {
	return q.raw("_current = FALSE, _removal_pending = FALSE, _removing_user_id = ").value(c.UserID).
		raw(", _when_removed_exact = ").value(c.Now).raw(", _when_removed_batch_utc = ").value(b.time)
}

// preserveValues appends what a record's _move_off_tablet does to the rows
// it flags (PROTOCOL 8.4.2 Preservation): one-step preserves them now
// (preservationValues); multi-step flags them for preservation at commit.
func preserveValues(q *literalSQL, c *Call, b *batch, oneStep bool) *literalSQL {
	if oneStep {
		return preservationValues(q, c, b)
	}
	return q.raw("_move_off_tablet = TRUE")
}

// preservationValues appends the preservation values of PROTOCOL 8.7: the
// row leaves era NOW for b's era, preserved by U; _current is unchanged.
func preservationValues(q *literalSQL, c *Call, b *batch) *literalSQL {
	return q.raw("_era = ").value(b.era()).raw(", _preserving_user_id = ").value(c.UserID).
		raw(", _move_off_tablet = FALSE, _forcibly_preserved = FALSE")
}

// undoRemovalValues appends what Rollback writes on a pending removal
// (PROTOCOL 8.3.4 step 2): it is no longer pending, and its successor link
// and removal values are gone; _when_added_exact is kept (C6).
func undoRemovalValues(q *literalSQL) *literalSQL {
	return q.raw("_removal_pending = FALSE, _successor_pk = NULL, _removing_user_id = NULL," +
		" _when_removed_batch_utc = NULL, _when_removed_exact = NULL")
}

// undoMoveOffValues appends what Rollback writes on an era-NOW row flagged
// for preservation (PROTOCOL 8.3.4 step 3).
func undoMoveOffValues(q *literalSQL) *literalSQL {
	return q.raw("_move_off_tablet = FALSE")
}

// preserveRows preserves D's rows of t that meet cond (PROTOCOL 8.7) and
// returns their _pk, each with whether it is current: at commit the flagged
// (or, in a preserving batch, all) era-NOW rows (8.6), and in a finalizing
// one-step upload every era-NOW row (8.8 step 9).
func preserveRows(ctx context.Context, c *Call, b *batch, t *registry.Table, cond string) (map[int64]bool, error) {
	q := preservationValues(newLiteralSQL(c.Tx.Dialect(), "UPDATE "+ident(t.Name)+" SET "), c, b).
		raw(" WHERE _device_id = ").value(c.DeviceID).raw(" AND " + cond + " RETURNING _pk, _current")
	out, err := preserveReturning(ctx, c, q)
	if err != nil {
		return nil, fmt.Errorf("upload: preserve %s: %w", t.Name, err)
	}
	return out, nil
}

// preserveReturning runs a preserving UPDATE … RETURNING _pk, _current and
// returns the preserved _pk values, each with whether it is current.
func preserveReturning(ctx context.Context, c *Call, q *literalSQL) (map[int64]bool, error) {
	rows, err := c.Tx.queryLiteral(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]bool{}
	for rows.Next() {
		var pk int64
		var cur bool
		if err := rows.Scan(&pk, &cur); err != nil {
			return nil, err
		}
		out[pk] = cur
	}
	return out, rows.Err()
}
