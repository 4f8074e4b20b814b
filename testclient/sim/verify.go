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

// Verify checks the server's database against what each tablet was told:
// for every tablet, each table's current rows of its device must be
// exactly the rows the tablet expects (Tablet.Expected) — each live row
// once in era NOW with the values sent, each preserved record as many
// times as it was preserved, in any other era — and no other current rows,
// and no pending additions or removals may be left. Nothing lost, nothing
// duplicated. Rows that are no longer current (earlier versions, deleted
// records) are history and not checked. An unsettled tablet is reported
// and not checked.
//
// The error is for a failed query; what differs is in the Report.
func Verify(ctx context.Context, db *bun.DB, tablets []*Tablet) (*Report, error) {
	rep := &Report{}
	for _, t := range tablets {
		e := t.Expected()
		rep.Devices++
		if e.Unsettled {
			rep.add(Problem{Device: e.Device, Kind: "unsettled", Detail: "the last upload got no reply; its outcome is unknown"})
			continue
		}
		if err := verifyDevice(ctx, db, e, rep); err != nil {
			return nil, err
		}
	}
	return rep, nil
}

// verifyDevice checks one device.
func verifyDevice(ctx context.Context, db *bun.DB, e Expectation, rep *Report) error {
	var id int64
	err := db.QueryRowContext(ctx, "SELECT id FROM devices WHERE name = ?", e.Device).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		if e.Uploads > 0 {
			rep.add(Problem{Device: e.Device, Kind: "unregistered", Detail: "the device is not in the devices table"})
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("sim: verify: device %s: %w", e.Device, err)
	}
	for _, table := range TableNames() {
		if table == TableACE3 {
			continue // never has rows, and the server need not have it
		}
		rows, err := readRows(ctx, db, table, id)
		if err != nil {
			return err
		}
		compareTable(e, table, rows, rep)
	}
	return nil
}

// readRows reads the device's current and pending rows of table.
func readRows(ctx context.Context, db *bun.DB, table string, device int64) ([]storedRow, error) {
	cols := Columns(table)
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = `"` + c.Name + `"`
	}
	q := `SELECT ` + strings.Join(names, ", ") + `, _era, _current, _addition_pending, _removal_pending FROM "` + table +
		`" WHERE _device_id = ? AND (_current OR _addition_pending OR _removal_pending)`
	rows, err := db.QueryContext(ctx, q, device)
	if err != nil {
		return nil, fmt.Errorf("sim: verify: %s: %w", table, err)
	}
	defer rows.Close()
	var out []storedRow
	for rows.Next() {
		vals := make([]any, len(cols))
		var r storedRow
		dest := make([]any, 0, len(cols)+4)
		for i := range vals {
			dest = append(dest, &vals[i])
		}
		var cur, add, rem any
		dest = append(dest, &r.era, &cur, &add, &rem)
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("sim: verify: %s: %w", table, err)
		}
		r.current, r.addPending, r.remPending = truthy(cur), truthy(add), truthy(rem)
		byName := map[string]any{}
		for i, c := range cols {
			byName[c.Name] = vals[i]
		}
		r.id, _ = byName[FieldID].(int64)
		r.values = canonicalRow(table, func(c Column) string { return canonical(c.Type, byName[c.Name]) })
		out = append(out, r)
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
