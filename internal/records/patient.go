package records

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/tabletapi/tabletapi/internal/registry"
	"github.com/tabletapi/tabletapi/internal/sqldb"
	"github.com/tabletapi/tabletapi/schema"
)

// Patient is what the console shows of the patients with one ID number:
// their patient rows, on every device and in every era, and their current
// task rows.
type Patient struct {
	IDNum    IDNumRef
	Patients *TablePage // the current patient rows, as a page of the patient table
	Tasks    []TaskRows // tables with rows only, in registry order
	// Truncated is set when there were more than MaxTaskRows task rows;
	// Tasks then holds the first MaxTaskRows.
	Truncated bool
}

// TaskRows are the rows of one task table.
type TaskRows struct {
	Table string
	Rows  []TaskRow
}

// TaskRow is one current task row.
type TaskRow struct {
	DeviceID    int64
	Era         string
	PK          int64     // the server's _pk
	ClientPK    int64     // the tablet's PK (id)
	WhenCreated *string   // the task's when_created, as the tablet sent it; nil if none
	WhenAdded   time.Time // when the server stored this version (_when_added_exact), UTC; zero if unknown
}

// MaxTaskRows bounds the task rows of a patient view, so that one page
// stays small whatever the patient's history.
const MaxTaskRows = 5000

// PatientView returns the patients with ID number (which, value) and
// their current task rows, in three statements: the patients (by the ID
// number index), their patient rows, and every task table with a
// patient_id field at once (UNION ALL, by each table's patient index).
// The error wraps ErrNoPatient when the registry has no patient or ID
// number table, or comes from the database.
func PatientView(ctx context.Context, db bun.IDB, reg *registry.Registry, which, value int64) (*Patient, error) {
	ref := IDNumRef{Which: which, Value: value}
	var pt *registry.Table
	for _, t := range reg.Tables() {
		if t.Kind == registry.KindPatient {
			pt = t
			break
		}
	}
	if pt == nil {
		return nil, fmt.Errorf("%w: the registry has no patient table", ErrNoPatient)
	}
	if idnumTable(reg) == nil {
		return nil, fmt.Errorf("%w: the registry has no ID number table", ErrNoPatient)
	}
	keys, err := patientKeys(ctx, db, reg, ref, 0)
	if err != nil {
		return nil, err
	}
	out := &Patient{IDNum: ref, Patients: &TablePage{Table: pt.Name, Columns: names(pt)}}
	if len(keys) == 0 {
		return out, nil
	}
	if out.Patients, err = readPage(ctx, db, pt, 0, keys, 0, MaxLimit); err != nil {
		return nil, err
	}
	tables, err := withRows(ctx, db, reg, keys)
	if err != nil {
		return nil, err
	}
	if len(tables) == 0 {
		return out, nil
	}
	query, args := taskQuery(tables, keys)
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("records: patient view: %w", err)
	}
	defer rows.Close()
	type found struct {
		n int
		r TaskRow
	}
	var all []found
	count := 0
	for rows.Next() {
		var (
			f       found
			patient int64
			added   *time.Time
		)
		if err := rows.Scan(&f.n, &f.r.DeviceID, &f.r.Era, &f.r.PK, &f.r.ClientPK, &patient, &f.r.WhenCreated, &added); err != nil {
			return nil, fmt.Errorf("records: patient view: %w", err)
		}
		if count++; count > MaxTaskRows {
			out.Truncated = true
			break
		}
		if !match(keys, f.r.DeviceID, f.r.Era, patient) {
			continue
		}
		if added != nil {
			f.r.WhenAdded = added.UTC()
		}
		all = append(all, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("records: patient view: %w", err)
	}
	slices.SortFunc(all, func(a, b found) int { return cmp.Or(cmp.Compare(a.n, b.n), cmp.Compare(a.r.PK, b.r.PK)) })
	for _, f := range all {
		name := tables[f.n].Name
		if len(out.Tasks) == 0 || out.Tasks[len(out.Tasks)-1].Table != name {
			out.Tasks = append(out.Tasks, TaskRows{Table: name})
		}
		last := &out.Tasks[len(out.Tasks)-1]
		last.Rows = append(last.Rows, f.r)
	}
	return out, nil
}

// match reports whether a row of device and era, of client patient id,
// belongs to one of keys.
func match(keys []patientKey, device int64, era string, id int64) bool {
	for _, k := range keys {
		if k.device == device && k.era == era && slices.Contains(k.ids, id) {
			return true
		}
	}
	return false
}

// withRows returns the task tables that may hold rows of keys: on
// PostgreSQL those where schema.PatientTablesFunction finds some, so that
// the query of the rows is planned for a few tables instead of every one
// (planning costs PostgreSQL about 0.5 ms a table); on SQLite all of them.
func withRows(ctx context.Context, db bun.IDB, reg *registry.Registry, keys []patientKey) ([]*registry.Table, error) {
	all := schema.PatientTables(reg)
	if !sqldb.IsPostgres(db) || len(all) == 0 {
		return all, nil
	}
	devs, ids, _ := keySets(keys)
	var names []string
	if err := db.NewRaw("SELECT * FROM "+schema.PatientTablesFunction(reg)+"(?, ?)",
		pgdialect.Array(devs), pgdialect.Array(ids)).Scan(ctx, &names); err != nil {
		return nil, fmt.Errorf("records: patient view: tables: %w", err)
	}
	var out []*registry.Table
	for _, t := range all {
		if slices.Contains(names, t.Name) {
			out = append(out, t)
		}
	}
	return out, nil
}

// keySets are the devices, client patient ids and eras of keys, sorted.
func keySets(keys []patientKey) ([]int64, []int64, []string) {
	devs, eras, ids := map[int64]bool{}, map[string]bool{}, map[int64]bool{}
	for _, k := range keys {
		devs[k.device], eras[k.era] = true, true
		for _, id := range k.ids {
			ids[id] = true
		}
	}
	return slices.Sorted(maps.Keys(devs)), slices.Sorted(maps.Keys(ids)), slices.Sorted(maps.Keys(eras))
}

// taskQuery is the statement of PatientView's task rows, with its
// arguments: the current rows of tables of keys' devices, eras and client
// patient ids, at most MaxTaskRows+1. That is a superset of the patients'
// rows (a device's patient id may also be another patient's in another
// era) that the caller narrows with keys.match. The statement spans every
// task table, so each branch is kept as simple to plan as a statement can
// be: with the exact condition (one OR arm per patient), planning the
// branches cost PostgreSQL 100 ms.
func taskQuery(tables []*registry.Table, keys []patientKey) (string, []any) {
	devs, ids, eras := keySets(keys)
	in := []any{bun.List(devs), bun.List(ids), bun.List(eras)}
	var q strings.Builder
	var args []any
	for n, t := range tables {
		if n > 0 {
			q.WriteString("UNION ALL\n")
		}
		created := "NULL"
		if f, ok := t.Field("when_created"); ok && (f.Type == registry.DateTime || f.Type == registry.Text) {
			created = "when_created"
		}
		q.WriteString("SELECT " + strconv.Itoa(n) + ", _device_id, _era, _pk, " + quote(t.PK) + ", patient_id, " +
			created + ", _when_added_exact FROM " + quote(t.Name) +
			" WHERE _current AND _device_id IN (?) AND patient_id IN (?) AND _era IN (?)\n")
		args = append(args, in...)
	}
	q.WriteString("LIMIT ?")
	return q.String(), append(args, MaxTaskRows+1)
}
