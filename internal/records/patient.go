package records

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/tabletapi/tabletapi/internal/registry"
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
// their current task rows, in two statements: the patient rows, then
// every task table with a patient_id field at once (UNION ALL). The error
// wraps ErrNoPatient when the registry has no patient or ID number table,
// or comes from the database.
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
	patients, err := Page(ctx, db, reg, pt.Name, Filter{IDNum: &ref}, 0, MaxLimit)
	if err != nil {
		return nil, err
	}
	out := &Patient{IDNum: ref, Patients: patients}
	if len(patients.Rows) == 0 {
		return out, nil
	}
	var tables []*registry.Table
	for _, t := range reg.Tables() {
		if f, ok := t.Field("patient_id"); ok && f.Type == registry.Integer && t.Kind == registry.KindTask {
			tables = append(tables, t)
		}
	}
	if len(tables) == 0 {
		return out, nil
	}
	idnums := idnumTable(reg) // not nil: Page found patients by it
	var q strings.Builder
	q.WriteString("WITH k AS (SELECT DISTINCT _device_id AS d, _era AS e, patient_id AS p FROM " + quote(idnums.Name) +
		" WHERE _current AND which_idnum = ? AND idnum_value = ?)\n")
	for n, t := range tables {
		if n > 0 {
			q.WriteString("UNION ALL\n")
		}
		created := "NULL"
		if f, ok := t.Field("when_created"); ok && (f.Type == registry.DateTime || f.Type == registry.Text) {
			created = "r.when_created"
		}
		q.WriteString("SELECT " + strconv.Itoa(n) + " AS t, r._device_id, r._era, r._pk, r." + quote(t.PK) +
			", " + created + " AS created, r._when_added_exact FROM " + quote(t.Name) +
			" AS r JOIN k ON k.d = r._device_id AND k.e = r._era AND k.p = r.patient_id WHERE r._current\n")
	}
	q.WriteString("ORDER BY 1, 4 LIMIT ?")
	rows, err := db.QueryContext(ctx, q.String(), which, value, MaxTaskRows+1)
	if err != nil {
		return nil, fmt.Errorf("records: patient view: %w", err)
	}
	defer rows.Close()
	count := 0
	for rows.Next() {
		var (
			n       int
			r       TaskRow
			created *string
			added   *time.Time
		)
		if err := rows.Scan(&n, &r.DeviceID, &r.Era, &r.PK, &r.ClientPK, &created, &added); err != nil {
			return nil, fmt.Errorf("records: patient view: %w", err)
		}
		if count++; count > MaxTaskRows {
			out.Truncated = true
			break
		}
		r.WhenCreated = created
		if added != nil {
			r.WhenAdded = added.UTC()
		}
		name := tables[n].Name
		if len(out.Tasks) == 0 || out.Tasks[len(out.Tasks)-1].Table != name {
			out.Tasks = append(out.Tasks, TaskRows{Table: name})
		}
		last := &out.Tasks[len(out.Tasks)-1]
		last.Rows = append(last.Rows, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("records: patient view: %w", err)
	}
	return out, nil
}
