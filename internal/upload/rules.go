package upload

import (
	"context"
	"fmt"

	"github.com/tabletapi/tabletapi/internal/registry"
)

// The values a rule of PROTOCOL 8 writes into a client table's bookkeeping
// columns, each in one place: every statement that applies the rule,
// whatever else it does, writes its SET list with these functions.

// removalValues appends the removal values of PROTOCOL 8.6 (the "remove"
// set: the row stops being current, by U, now, in batch b), which a commit
// applies to pending removals and one-step applies at once to the rows it
// modifies out (8.4.2) or deletes now (8.5). The successor link is not
// among them: each caller knows what it must be.
func removalValues(q *literalSQL, c *Call, b *batch) *literalSQL {
	return q.raw("_current = FALSE, _removal_pending = FALSE, _removing_user_id = ").value(c.UserID).
		raw(", _when_removed_exact = ").value(c.Now).raw(", _when_removed_batch_utc = ").value(b.time)
}

// additionValues appends the addition values of PROTOCOL 8.6 (the "add"
// set: the row becomes current, by U, now, in batch b). One-step writes
// the same values as constant columns of its INSERT (constantColumns).
func additionValues(q *literalSQL, c *Call, b *batch) *literalSQL {
	return q.raw("_current = TRUE, _addition_pending = FALSE, _adding_user_id = ").value(c.UserID).
		raw(", _when_added_exact = ").value(c.Now).raw(", _when_added_batch_utc = ").value(b.time)
}

// preservationValues appends the preservation values of PROTOCOL 8.7: the
// row leaves era NOW for b's era, preserved by U; _current is unchanged.
func preservationValues(q *literalSQL, c *Call, b *batch) *literalSQL {
	return q.raw("_era = ").value(b.era()).raw(", _preserving_user_id = ").value(c.UserID).
		raw(", _move_off_tablet = FALSE, _forcibly_preserved = FALSE")
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
