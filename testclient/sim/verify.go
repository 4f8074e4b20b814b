package sim

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/uptrace/bun"
)

// storedRow is a row of a device read back from the server's table.
type storedRow struct {
	id                  int64
	era                 string
	current, addPending bool
	remPending          bool
	values              []string // canonicalRow
}

// checkedDevice is a tablet's expectation and its device's id in the
// server's database.
type checkedDevice struct {
	e  Expectation
	id int64
}

// Verify checks the server's database against what each tablet was told:
// for every tablet, each table of its schema (but the one the server does
// not know) must hold exactly the current rows of its device that the
// tablet expects (Tablet.Expected) — each live row once in era NOW with
// the values sent, every field compared as its type, each preserved
// record as many times as it was preserved, in any other era — and no
// other current rows, and no pending additions or removals may be left.
// Nothing lost, nothing duplicated. Rows that are no longer current
// (earlier versions, deleted records) are history and not checked. An
// unsettled tablet is reported and not checked.
//
// It reads each table once for all the tablets of a schema. The error is
// for a failed query; what differs is in the Report.
func Verify(ctx context.Context, db *bun.DB, tablets []*Tablet) (*Report, error) {
	rep := &Report{}
	var schemas []*Schema
	bySchema := map[*Schema][]checkedDevice{}
	for _, t := range tablets {
		e := t.Expected()
		rep.Devices++
		if e.Unsettled {
			rep.add(Problem{Device: e.Device, Kind: "unsettled", Detail: "the last upload got no reply; its outcome is unknown"})
			continue
		}
		var id int64
		err := db.QueryRowContext(ctx, "SELECT id FROM devices WHERE name = ?", e.Device).Scan(&id)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			if e.Uploads > 0 {
				rep.add(Problem{Device: e.Device, Kind: "unregistered", Detail: "the device is not in the devices table"})
			}
			continue
		case err != nil:
			return nil, fmt.Errorf("sim: verify: device %s: %w", e.Device, err)
		}
		if bySchema[t.schema] == nil {
			schemas = append(schemas, t.schema)
		}
		bySchema[t.schema] = append(bySchema[t.schema], checkedDevice{e, id})
	}
	checked, withRows := map[string]bool{}, map[string]bool{}
	for _, s := range schemas {
		devices := bySchema[s]
		ids := make([]int64, len(devices))
		for i, d := range devices {
			ids[i] = d.id
		}
		for _, table := range s.TableNames() {
			if table == s.Unknown() {
				continue // never has rows, and the server need not have it
			}
			cols := s.Columns(table)
			rows, err := readRows(ctx, db, table, cols, ids)
			if err != nil {
				return nil, err
			}
			checked[table] = true
			if len(rows) > 0 {
				withRows[table] = true
			}
			for _, d := range devices {
				compareTable(d.e, table, cols, rows[d.id], rep)
			}
		}
	}
	rep.Tables, rep.TablesWithRows = len(checked), len(withRows)
	return rep, nil
}

// readRows reads the current and pending rows of table of the devices,
// by device.
func readRows(ctx context.Context, db *bun.DB, table string, cols []Column, devices []int64) (map[int64][]storedRow, error) {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = `"` + c.Name + `"`
	}
	q := `SELECT ` + strings.Join(names, ", ") + `, _device_id, _era, _current, _addition_pending, _removal_pending FROM "` +
		table + `" WHERE _device_id IN (?) AND (_current OR _addition_pending OR _removal_pending)`
	rows, err := db.QueryContext(ctx, q, bun.List(devices))
	if err != nil {
		return nil, fmt.Errorf("sim: verify: %s: %w", table, err)
	}
	defer rows.Close()
	out := map[int64][]storedRow{}
	for rows.Next() {
		vals := make([]any, len(cols))
		dest := make([]any, 0, len(cols)+5)
		for i := range vals {
			dest = append(dest, &vals[i])
		}
		var r storedRow
		var device int64
		var cur, add, rem any
		dest = append(dest, &device, &r.era, &cur, &add, &rem)
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("sim: verify: %s: %w", table, err)
		}
		r.current, r.addPending, r.remPending = truthy(cur), truthy(add), truthy(rem)
		byName := make(map[string]any, len(cols))
		for i, c := range cols {
			byName[c.Name] = vals[i]
		}
		r.id, _ = byName[FieldID].(int64)
		r.values = canonicalRow(cols, func(c Column) string { return canonical(c.Type, byName[c.Name]) })
		out[device] = append(out[device], r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sim: verify: %s: %w", table, err)
	}
	return out, nil
}

// truthy reads a boolean column, which SQLite returns as an integer.
func truthy(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case int64:
		return x != 0
	}
	return false
}
