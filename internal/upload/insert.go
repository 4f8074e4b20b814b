package upload

import (
	"context"
	"fmt"
	"strings"

	"github.com/tabletapi/tabletapi/internal/registry"
)

// newRow is a record to insert, with its predecessor (for a modification).
type newRow struct {
	rec  *Record
	pred int64 // L._pk, or 0 for a new record
}

// insertRows inserts rows into t (PROTOCOL 8.1 "On insert") in multi-row
// statements and returns the new _pk of each client PK.
func (e *Engine) insertRows(ctx context.Context, c *Call, b *batch, t *registry.Table, rows []newRow, oneStep bool) (map[int64]int64, error) {
	out := make(map[int64]int64, len(rows))
	if len(rows) == 0 {
		return out, nil
	}
	// The column set: every field any record sent, plus patient.uuid.
	sent := map[string]bool{}
	for _, r := range rows {
		for _, f := range r.rec.Fields {
			sent[f.Name] = true
		}
	}
	addUUID := t.Kind == registry.KindPatient && !sent["uuid"]
	if _, ok := t.Field("uuid"); !ok {
		addUUID = false
	}
	var fields []registry.Field
	for _, f := range t.Fields {
		if sent[f.Name] || (addUUID && f.Name == "uuid") {
			fields = append(fields, f)
		}
	}
	cols := make([]string, 0, len(fields)+12)
	for _, f := range fields {
		cols = append(cols, ident(f.Name))
	}
	cols = append(cols, "_device_id", "_era", "_current", "_addition_pending", "_removal_pending",
		"_predecessor_pk", "_camcops_version", "_group_id", "_forcibly_preserved", "_manually_erased")
	if oneStep {
		cols = append(cols, "_adding_user_id", "_when_added_exact", "_when_added_batch_utc")
	}
	prefix := "INSERT INTO " + ident(t.Name) + " (" + strings.Join(cols, ", ") + ") VALUES "
	suffix := " RETURNING _pk, " + ident(t.PK)
	tx, err := rawTx(c.Tx)
	if err != nil {
		return nil, err
	}
	for start := 0; start < len(rows); start += chunk {
		part := rows[start:min(start+chunk, len(rows))]
		q := newLiteralSQL(c.Tx.Dialect(), prefix)
		for i, r := range part {
			if i > 0 {
				q.raw(", ")
			}
			q.raw("(")
			vals := make(map[string]any, len(r.rec.Fields))
			for j, f := range r.rec.Fields {
				vals[f.Name] = r.rec.Values[j]
			}
			for _, f := range fields {
				v, ok := vals[f.Name]
				if !ok && f.Name == "uuid" && addUUID {
					v = newUUID()
				}
				q.value(dbValue(v)).raw(", ")
			}
			var pred any
			if r.pred != 0 {
				pred = r.pred
			}
			q.value(c.DeviceID).raw(", 'NOW', ").value(oneStep).raw(", ").value(!oneStep).raw(", ").value(false).
				raw(", ").value(pred).raw(", ").value(c.Version).raw(", ").value(c.GroupID).raw(", ").
				value(false).raw(", ").value(false)
			if oneStep {
				q.raw(", ").value(c.UserID).raw(", ").value(c.Now).raw(", ").value(b.time)
			}
			q.raw(")")
		}
		q.raw(suffix)
		rs, err := tx.QueryContext(ctx, q.String())
		if err != nil {
			return nil, fmt.Errorf("upload: insert into %s: %w", t.Name, err)
		}
		for rs.Next() {
			var pk, clientPK int64
			if err := rs.Scan(&pk, &clientPK); err != nil {
				rs.Close()
				return nil, fmt.Errorf("upload: insert into %s: %w", t.Name, err)
			}
			out[clientPK] = pk
		}
		err = rs.Err()
		rs.Close()
		if err != nil {
			return nil, fmt.Errorf("upload: insert into %s: %w", t.Name, err)
		}
	}
	return out, nil
}
