package records

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/uptrace/bun"

	"github.com/tabletapi/tabletapi/internal/registry"
)

// patientKey names one patient: rows of a device and era whose patient
// column holds one of ids.
type patientKey struct {
	device int64
	era    string
	ids    []int64
}

// MaxPatients bounds the patients (device, era and client id) that one ID
// number may find; beyond it the filter fails rather than show part of the
// rows.
const MaxPatients = 1000

// patientKeys returns the patients with ID number ref (of device unless
// 0), found by the ID number table's index, grouped by device and era.
// They are read first so that the statement on the (large) table of rows
// is a plain index lookup: joined to the ID number table instead, it let
// PostgreSQL walk the whole table in _pk order (a quarter of a second at
// a million rows) and, over every task table, plan for 60 ms.
func patientKeys(ctx context.Context, db bun.IDB, reg *registry.Registry, ref IDNumRef, device int64) ([]patientKey, error) {
	q := db.NewSelect().Table(idnumTable(reg).Name).
		ColumnExpr("_device_id, _era, patient_id").Distinct().
		Where("_current AND which_idnum = ? AND idnum_value = ? AND patient_id IS NOT NULL", ref.Which, ref.Value).
		OrderExpr("1, 2, 3").Limit(MaxPatients + 1)
	if device != 0 {
		q = q.Where("_device_id = ?", device)
	}
	rows, err := q.Rows(ctx)
	if err != nil {
		return nil, fmt.Errorf("records: patients by ID number: %w", err)
	}
	defer rows.Close()
	var keys []patientKey
	n := 0
	for rows.Next() {
		var (
			dev, id int64
			era     string
		)
		if err := rows.Scan(&dev, &era, &id); err != nil {
			return nil, fmt.Errorf("records: patients by ID number: %w", err)
		}
		if n++; n > MaxPatients {
			return nil, fmt.Errorf("records: more than %d patients have ID number %d/%d", MaxPatients, ref.Which, ref.Value)
		}
		if l := len(keys); l > 0 && keys[l-1].device == dev && keys[l-1].era == era {
			keys[l-1].ids = append(keys[l-1].ids, id)
		} else {
			keys = append(keys, patientKey{device: dev, era: era, ids: []int64{id}})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("records: patients by ID number: %w", err)
	}
	return keys, nil
}

// keysCond is the condition, on the table aliased as alias, that a row's
// patient (column col) is one of keys, with its arguments.
func keysCond(alias, col string, keys []patientKey) (string, []any) {
	parts := make([]string, len(keys))
	var args []any
	for i, k := range keys {
		parts[i] = "(" + alias + "._device_id = ? AND " + alias + "._era = ? AND " + alias + "." + quote(col) + " IN (?))"
		args = append(args, k.device, k.era, bun.List(slices.Clone(k.ids)))
	}
	return "(" + strings.Join(parts, " OR ") + ")", args
}
