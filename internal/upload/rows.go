package upload

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"github.com/tabletapi/tabletapi/internal/codec"
	"github.com/tabletapi/tabletapi/internal/registry"
)

// chunk bounds the length of IN lists and multi-row statements.
const chunk = 500

// liveRow is what record processing needs of a live row.
type liveRow struct {
	PK       int64 // _pk
	ClientPK int64
	WLM      *codec.DateTime
	MoveOff  bool // NULL read as false (C7)
}

// liveRows reads D's live rows of t, all of them when pks is nil,
// otherwise those with these client PKs.
func liveRows(ctx context.Context, c *Call, t *registry.Table, pks []int64) (map[int64]*liveRow, error) {
	base := "SELECT _pk, " + ident(t.PK) + ", when_last_modified, _move_off_tablet FROM " + ident(t.Name) +
		" WHERE _device_id = ? AND _era = 'NOW' AND _current"
	out := map[int64]*liveRow{}
	scan := func(q string, args ...any) error {
		rows, err := c.Tx.QueryContext(ctx, q, args...)
		if err != nil {
			return fmt.Errorf("upload: read live rows of %s: %w", t.Name, err)
		}
		defer rows.Close()
		for rows.Next() {
			var r liveRow
			var wlm sql.NullString
			var moveOff sql.NullBool
			if err := rows.Scan(&r.PK, &r.ClientPK, &wlm, &moveOff); err != nil {
				return fmt.Errorf("upload: read live rows of %s: %w", t.Name, err)
			}
			if wlm.Valid {
				if dt, err := codec.ParseDateTime(wlm.String); err == nil {
					r.WLM = &dt
				}
			}
			r.MoveOff = moveOff.Valid && moveOff.Bool
			out[r.ClientPK] = &r
		}
		return rows.Err()
	}
	if pks == nil {
		return out, scan(base, c.DeviceID)
	}
	for _, part := range chunks(pks) {
		if err := scan(base+" AND "+ident(t.PK)+" IN ("+intList(part)+")", c.DeviceID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// storedRow is a row with its client fields, for value comparisons.
type storedRow struct {
	PK       int64
	ClientPK int64
	Values   map[string]string // canonical values by field name
}

// readRows reads rows of D in t with the given client PKs and the extra
// condition, with every client field in canonical form.
func readRows(ctx context.Context, c *Call, t *registry.Table, pks []int64, cond string, args ...any) ([]storedRow, error) {
	cols := []string{"_pk", ident(t.PK)}
	for _, f := range t.Fields {
		cols = append(cols, ident(f.Name))
	}
	base := "SELECT " + strings.Join(cols, ", ") + " FROM " + ident(t.Name) + " WHERE _device_id = ? AND " + cond
	var out []storedRow
	for _, part := range chunks(pks) {
		rows, err := c.Tx.QueryContext(ctx, base+" AND "+ident(t.PK)+" IN ("+intList(part)+")",
			append([]any{c.DeviceID}, args...)...)
		if err != nil {
			return nil, fmt.Errorf("upload: read rows of %s: %w", t.Name, err)
		}
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				return nil, fmt.Errorf("upload: read rows of %s: %w", t.Name, err)
			}
			r := storedRow{PK: asInt(vals[0]), ClientPK: asInt(vals[1]), Values: make(map[string]string, len(t.Fields))}
			for i, f := range t.Fields {
				r.Values[f.Name] = canonical(vals[i+2], f.Type)
			}
			out = append(out, r)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// chunks splits xs into slices of at most chunk items.
func chunks(xs []int64) [][]int64 {
	var out [][]int64
	for len(xs) > chunk {
		out = append(out, xs[:chunk])
		xs = xs[chunk:]
	}
	if len(xs) > 0 {
		out = append(out, xs)
	}
	return out
}

// intList writes integers for an IN list; they are int64s, never text
// from a request, so inlining them is safe.
func intList(xs []int64) string {
	b := make([]byte, 0, len(xs)*8)
	for i, x := range xs {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, x, 10)
	}
	return string(b)
}

func asInt(v any) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case int32:
		return int64(x)
	case int:
		return int64(x)
	case float64:
		return int64(x)
	case []byte:
		n, _ := strconv.ParseInt(string(x), 10, 64)
		return n
	case string:
		n, _ := strconv.ParseInt(x, 10, 64)
		return n
	}
	return 0
}
