// Package records reads the uploaded client tables for the operator's
// console: a table's current rows a page at a time (Page), filtered by
// device or by a patient's ID number, and every current task row of one
// patient across devices and eras (PatientView).
//
// Table names come from the caller (a request) and are looked up in the
// registry before use; the only identifiers written into SQL are the
// registry's table and field names and the reserved columns, which the
// registry's grammar restricts to [A-Za-z_][A-Za-z0-9_]*. Each query is
// answered from the indexes that package schema declares for it.
package records

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/uptrace/bun"

	"github.com/tabletapi/tabletapi/internal/registry"
	"github.com/tabletapi/tabletapi/internal/sqldb"
)

// Errors of Page and PatientView.
var (
	// ErrUnknownTable: the table is not in the registry.
	ErrUnknownTable = errors.New("records: unknown table")
	// ErrNoPatient: the table has no patient to filter by (no patient_id
	// field, and not the patient table), or the registry has no ID number
	// table.
	ErrNoPatient = errors.New("records: the table's rows have no patient")
)

// IDNumRef is a patient's ID number: its type (which_idnum) and value.
type IDNumRef struct {
	Which int64
	Value int64
}

// Filter narrows a page. Zero values select every current row.
type Filter struct {
	DeviceID int64     // only this device's rows; 0 for all
	IDNum    *IDNumRef // only the rows of patients with this ID number; nil for all
}

// TablePage is one page of a table's current rows, in _pk order.
type TablePage struct {
	Table   string
	Columns []string    // reserved columns first (pageReserved), then the table's fields
	Rows    [][]*string // one value per column as text; nil is NULL
	Next    int64       // the after of the next page; 0 when this is the last
}

// pageReserved are the bookkeeping columns a page shows before the
// fields; _pk must stay first (Next is read from it).
var pageReserved = []string{"_pk", "_device_id", "_era", "_when_added_exact"}

// DefaultLimit is the page size when the caller gives none; MaxLimit caps
// what a caller may ask for.
const (
	DefaultLimit = 50
	MaxLimit     = 1000
)

// Page returns up to limit current rows (_current) of table with _pk >
// after, in _pk order, that f selects. Blob values are shown as their
// size. The error wraps ErrUnknownTable or ErrNoPatient, or comes from
// the database.
func Page(ctx context.Context, db bun.IDB, reg *registry.Registry, table string, f Filter,
	after int64, limit int,
) (*TablePage, error) {
	t, ok := reg.Table(table)
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrUnknownTable, table)
	}
	if limit <= 0 {
		limit = DefaultLimit
	}
	limit = min(limit, MaxLimit)
	var keys []patientKey
	if f.IDNum != nil {
		if _, err := patientColumn(reg, t); err != nil {
			return nil, err
		}
		var err error
		if keys, err = patientKeys(ctx, db, reg, *f.IDNum, f.DeviceID); err != nil {
			return nil, err
		}
		if len(keys) == 0 {
			return &TablePage{Table: t.Name, Columns: names(t)}, nil
		}
	}
	return readPage(ctx, db, t, f.DeviceID, keys, after, limit)
}

// readPage is Page once the patients of its ID number, if any, are known.
func readPage(ctx context.Context, db bun.IDB, t *registry.Table, device int64, keys []patientKey,
	after int64, limit int,
) (*TablePage, error) {
	query, args, kinds := pageQuery(t, device, keys, after, limit+1, sqldb.IsPostgres(db))
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("records: %s: %w", t.Name, err)
	}
	defer rows.Close()
	p := &TablePage{Table: t.Name, Columns: names(t)}
	vals := make([]any, len(kinds))
	ptrs := make([]any, len(kinds))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return nil, fmt.Errorf("records: %s: %w", t.Name, err)
		}
		if len(p.Rows) == limit {
			p.Next = after // more rows follow the last one kept
			break
		}
		row := make([]*string, len(vals))
		for i, v := range vals {
			row[i] = render(v, kinds[i])
		}
		p.Rows = append(p.Rows, row)
		after = asInt(vals[0])
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("records: %s: %w", t.Name, err)
	}
	return p, nil
}

// pageQuery is the statement of Page, with its arguments and how to
// render each column: t's current rows after after, at most limit, of the
// device unless 0, and of the patients keys unless nil.
func pageQuery(t *registry.Table, device int64, keys []patientKey, after int64, limit int, pg bool,
) (string, []any, []kind) {
	cols, kinds := columns(t, pg)
	var q strings.Builder
	args := []any{after}
	q.WriteString("SELECT " + strings.Join(cols, ", ") + " FROM " + quote(t.Name) + " AS t WHERE t._current AND t._pk > ?")
	if device != 0 {
		q.WriteString(" AND t._device_id = ?")
		args = append(args, device)
	}
	if keys != nil {
		col, _ := patientColumn(nil, t)
		cond, kargs := keysCond("t", col, keys)
		q.WriteString(" AND " + cond)
		args = append(args, kargs...)
	}
	q.WriteString(" ORDER BY t._pk LIMIT ?")
	args = append(args, limit)
	return q.String(), args, kinds
}

// names are the column names of t's page.
func names(t *registry.Table) []string {
	out := append([]string(nil), pageReserved...)
	for _, f := range t.Fields {
		out = append(out, f.Name)
	}
	return out
}

// columns are the select expressions of t's page, with how to render
// each. A blob is selected as its length, so that a page never reads the
// blobs themselves.
func columns(t *registry.Table, pg bool) ([]string, []kind) {
	cols := []string{"t._pk", "t._device_id", "t._era", "t._when_added_exact"}
	kinds := []kind{kindPlain, kindPlain, kindPlain, kindInstant}
	length := "length"
	if pg {
		length = "octet_length"
	}
	for _, f := range t.Fields {
		c := "t." + quote(f.Name)
		if f.Type == registry.Blob {
			c = length + "(" + c + ")"
		}
		cols = append(cols, c)
		kinds = append(kinds, fieldKind(f.Type))
	}
	return cols, kinds
}

// patientColumn is the column of t that names a row's patient: the PK of
// the patient table, patient_id elsewhere. The error wraps ErrNoPatient
// when t has none, or when reg (unless nil) has no ID number table to find
// patients by.
func patientColumn(reg *registry.Registry, t *registry.Table) (string, error) {
	if reg != nil && idnumTable(reg) == nil {
		return "", fmt.Errorf("%w: the registry has no ID number table", ErrNoPatient)
	}
	if t.Kind == registry.KindPatient {
		return t.PK, nil
	}
	if f, ok := t.Field("patient_id"); ok && f.Type == registry.Integer {
		return "patient_id", nil
	}
	return "", fmt.Errorf("%w: %s", ErrNoPatient, t.Name)
}

// idnumTable is the registry's ID number table, or nil.
func idnumTable(reg *registry.Registry) *registry.Table {
	for _, t := range reg.Tables() {
		if t.Kind == registry.KindPatientIDNum && hasFields(t, "patient_id", "which_idnum", "idnum_value") {
			return t
		}
	}
	return nil
}

// hasFields reports whether t has every one of the named fields.
func hasFields(t *registry.Table, names ...string) bool {
	for _, n := range names {
		if _, ok := t.Field(n); !ok {
			return false
		}
	}
	return true
}

// quote quotes a name from the registry, whose grammar allows only
// [A-Za-z_][A-Za-z0-9_]*.
func quote(name string) string { return `"` + name + `"` }
