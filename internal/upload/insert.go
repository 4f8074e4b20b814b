package upload

import (
	"context"
	"fmt"
	"strings"

	"github.com/tabletapi/tabletapi/internal/patient"
	"github.com/tabletapi/tabletapi/internal/registry"
)

// newRow is a record to insert, with its predecessor (for a modification).
type newRow struct {
	rec  *Record
	pred int64 // L._pk, or 0 for a new record
}

// insertRows inserts rows into t (PROTOCOL 8.1 "On insert") and returns the
// new _pk of each client PK: with COPY on PostgreSQL, in multi-row
// statements on SQLite.
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
	if c.Tx.postgres() {
		return e.copyInsert(ctx, c, b, t, fields, rows, addUUID, oneStep)
	}
	for start := 0; start < len(rows); start += chunk {
		part := rows[start:min(start+chunk, len(rows))]
		values := make([][]any, len(part))
		for i, r := range part {
			values[i] = rowValues(r, fields, addUUID)
		}
		q := e.valuesInsert(c, b, t, fields, values, oneStep)
		rs, err := c.Tx.queryLiteral(ctx, q)
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

// rowValues lists a row's values for fields, in order, as the database
// takes them; a patient without uuid gets a new one.
func rowValues(r newRow, fields []registry.Field, addUUID bool) []any {
	out := make([]any, len(fields)+1)
	for i, f := range fields {
		for j, g := range r.rec.Fields {
			if g.Name == f.Name {
				out[i] = dbValue(r.rec.Values[j])
				break
			}
		}
		if f.Name == "uuid" && addUUID {
			out[i] = patient.NewUUID()
		}
	}
	if r.pred != 0 {
		out[len(fields)] = r.pred // _predecessor_pk
	}
	return out
}

// columnList names the inserted columns: the fields, _predecessor_pk, then
// the constant columns.
func columnList(fields []registry.Field, consts []string) string {
	cols := make([]string, 0, len(fields)+1+len(consts))
	for _, f := range fields {
		cols = append(cols, ident(f.Name))
	}
	cols = append(cols, "_predecessor_pk")
	return strings.Join(append(cols, consts...), ", ")
}

// valuesInsert is a multi-row INSERT … VALUES of literals (SQLite).
func (e *Engine) valuesInsert(c *Call, b *batch, t *registry.Table, fields []registry.Field, values [][]any, oneStep bool) *literalSQL {
	consts, constVals := constantColumns(c, b, oneStep)
	q := newLiteralSQL(c.Tx.Dialect(), "INSERT INTO "+ident(t.Name)+" ("+columnList(fields, consts)+") VALUES ")
	for i, row := range values {
		if i > 0 {
			q.raw(", ")
		}
		q.raw("(")
		for j, v := range append(row, constVals...) {
			if j > 0 {
				q.raw(", ")
			}
			q.value(v)
		}
		q.raw(")")
	}
	return q.raw(" RETURNING _pk, " + ident(t.PK))
}
