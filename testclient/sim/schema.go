package sim

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/tabletapi/tabletapi/internal/registry"
)

// Column is one column of a tablet table, typed as the server's registry
// types it (PROTOCOL Appendix A); the type decides how Verify compares a
// stored value with the value that was sent.
type Column struct {
	Name string
	Type registry.FieldType
}

// Names of the tables every CamCOPS tablet has, whatever its tasks.
const (
	TableBlobs        = "blobs"
	TablePatient      = "patient"
	TablePatientIDNum = "patient_idnum"
)

// Names of the fields the simulator gives special values.
const (
	FieldID      = "id"
	FieldMoveOff = "_move_off_tablet"
	FieldWLM     = "when_last_modified"
	// FieldPatient is the patient's PK in patient_idnum and in the tables
	// of tasks about a patient.
	FieldPatient = "patient_id"
	// fieldUUID is patient.uuid, which the server generates and the
	// client never sends (PROTOCOL Appendix A).
	fieldUUID = "uuid"
)

// Schema is the tables of a simulated tablet: every table of a server's
// registry, with its columns in registry order, plus one table the server
// does not know. That table stands for the tables a real tablet has and
// the server lacks: it is always empty, so multi-step skips it and
// one-step sends it with no rows (PROTOCOL 12.3, 8.8 step 6).
//
// The registry does not say which nontask table belongs to which task. A
// Schema takes a nontask table with an integer field <task>_id, <task>
// being a task table, for that task's child (ancillary) table, as CamCOPS
// names nearly all of them; its rows are then made for rows of that task.
// A Schema is read-only and safe for concurrent use.
type Schema struct {
	names   []string // every table, sorted, the unknown one included
	tables  map[string]*tableDef
	unknown string
	known   int // tables of the registry
}

// tableDef is one table of a Schema.
type tableDef struct {
	kind       registry.Kind
	pk         string
	minVersion string
	columns    []Column
	parent     string // for a child table, its task table; else ""
	parentFK   string // for a child table, the field that holds its task's PK
	children   []string
	byName     map[string]registry.FieldType
}

// NewSchema returns the schema of tablets uploading to a server that runs
// with reg. It fails if reg lacks what every tablet needs: patient and
// patient_idnum tables with the fields the simulator fills (forename,
// surname, sex, dob; patient_id, which_idnum, idnum_value), and at least
// one task table.
func NewSchema(reg *registry.Registry) (*Schema, error) {
	s := &Schema{tables: map[string]*tableDef{}}
	for _, t := range reg.Tables() {
		d := &tableDef{kind: t.Kind, pk: t.PK, minVersion: t.MinVersion, byName: map[string]registry.FieldType{}}
		for _, f := range t.Fields {
			if t.Kind == registry.KindPatient && f.Name == fieldUUID {
				continue
			}
			d.columns = append(d.columns, Column{f.Name, f.Type})
			d.byName[f.Name] = f.Type
		}
		s.tables[t.Name] = d
		s.names = append(s.names, t.Name)
	}
	s.known = len(s.names)
	if err := s.check(); err != nil {
		return nil, err
	}
	s.linkChildren()
	s.unknown = unknownName(s.names)
	s.tables[s.unknown] = &tableDef{
		pk:      FieldID,
		columns: []Column{{FieldID, registry.Integer}, {FieldMoveOff, registry.Boolean}, {FieldWLM, registry.DateTime}},
	}
	s.names = append(s.names, s.unknown)
	slices.Sort(s.names)
	return s, nil
}

// check reports what the registry lacks.
func (s *Schema) check() error {
	need := map[string][]Column{
		TablePatient: {{"forename", registry.Text}, {"surname", registry.Text}, {"sex", registry.Text}, {"dob", registry.Date}},
		TablePatientIDNum: {
			{FieldPatient, registry.Integer}, {"which_idnum", registry.Integer}, {"idnum_value", registry.Integer},
		},
	}
	for _, table := range []string{TablePatient, TablePatientIDNum} {
		d := s.tables[table]
		if d == nil || string(d.kind) != table || d.pk != FieldID {
			return fmt.Errorf("sim: the registry has no table %s of kind %s with PK %s, which every tablet fills", table, table, FieldID)
		}
		for _, c := range need[table] {
			if !d.has(c.Name, c.Type) {
				return fmt.Errorf("sim: table %s of the registry lacks the %s field %s, which the simulator fills", table, c.Type, c.Name)
			}
		}
	}
	if len(s.Tasks()) == 0 {
		return errors.New("sim: the registry has no table of kind task: a simulated tablet would have nothing to fill")
	}
	return nil
}

// linkChildren finds the child tables of each task (see Schema).
func (s *Schema) linkChildren() {
	for _, name := range s.names {
		d := s.tables[name]
		if d.kind != registry.KindNonTask {
			continue
		}
		for _, c := range d.columns {
			task, ok := strings.CutSuffix(c.Name, "_id")
			if p := s.tables[task]; ok && c.Type == registry.Integer && p != nil && p.kind == registry.KindTask {
				d.parent, d.parentFK = task, c.Name
				p.children = append(p.children, name)
				break
			}
		}
	}
}

// unknownName returns a table name that none of names equals, ignoring
// case as the registry does.
func unknownName(names []string) string {
	taken := map[string]bool{}
	for _, n := range names {
		taken[strings.ToLower(n)] = true
	}
	name := "tabletsim_unknown"
	for i := 2; taken[name]; i++ {
		name = "tabletsim_unknown_" + strconv.Itoa(i)
	}
	return name
}

// has reports whether the table has a field of that name and type.
func (d *tableDef) has(name string, ft registry.FieldType) bool {
	t, ok := d.byName[name]
	return ok && t == ft
}

// defaultSchema is the schema of the compiled-in registry, made once.
var defaultSchema = sync.OnceValues(func() (*Schema, error) { return NewSchema(registry.Default()) })

// DefaultSchema returns the schema of the server's compiled-in registry
// (registry.Default). It panics if that registry lacks what NewSchema
// needs, which the package's tests rule out.
func DefaultSchema() *Schema {
	s, err := defaultSchema()
	if err != nil {
		panic(err)
	}
	return s
}

// TableNames returns the tablet's tables in alphabetical order, the order
// in which the client catalogues and sends them; the unknown table is
// among them.
func (s *Schema) TableNames() []string { return slices.Clone(s.names) }

// RegistryTables returns the number of tables of the registry, the
// unknown one not counted.
func (s *Schema) RegistryTables() int { return s.known }

// Unknown returns the name of the table the server does not know.
func (s *Schema) Unknown() string { return s.unknown }

// Columns returns the columns of table in the client's column order, or
// nil for a table the tablet does not have.
func (s *Schema) Columns(table string) []Column {
	if d := s.tables[table]; d != nil {
		return d.columns
	}
	return nil
}

// FieldNames returns the names of Columns(table), in order.
func (s *Schema) FieldNames(table string) []string {
	cols := s.Columns(table)
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Name
	}
	return names
}

// Tasks returns the task tables of the registry, sorted.
func (s *Schema) Tasks() []string {
	var out []string
	for _, name := range s.names {
		if name != s.unknown && s.tables[name].kind == registry.KindTask {
			out = append(out, name)
		}
	}
	return out
}

// Parent returns the task table whose child table is table, and the field
// of table that holds the task's PK; both are "" if table is no child.
func (s *Schema) Parent(table string) (task, field string) {
	if d := s.tables[table]; d != nil {
		return d.parent, d.parentFK
	}
	return "", ""
}

// isPatientTable reports whether table is one of the two tables that Move
// keeping patients keeps on the tablet.
func isPatientTable(table string) bool {
	return table == TablePatient || table == TablePatientIDNum
}
