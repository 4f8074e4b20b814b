package registry

// FieldType is the type of a client field. Uploaded values are converted to
// it (PROTOCOL.md 7.5) and the server column is declared with it.
type FieldType string

// The field types of the file format.
const (
	Integer  FieldType = "integer"
	Real     FieldType = "real"
	Text     FieldType = "text"
	DateTime FieldType = "datetime"
	Date     FieldType = "date"
	Boolean  FieldType = "boolean"
	Blob     FieldType = "blob"
	// Time is a time of day; the client sends 'HH:mm:ss' (PROTOCOL 7.5).
	Time FieldType = "time"
)

// parseFieldType reports whether s names a field type.
func parseFieldType(s string) (FieldType, bool) {
	switch t := FieldType(s); t {
	case Integer, Real, Text, DateTime, Date, Boolean, Blob, Time:
		return t, true
	}
	return "", false
}

// Kind is the kind of a client table. It sets the table's commit-order group.
type Kind string

// The table kinds, in commit order.
const (
	KindPatient      Kind = "patient"
	KindPatientIDNum Kind = "patient_idnum"
	KindNonTask      Kind = "nontask"
	KindTask         Kind = "task"
)

// rank returns the commit-order group of k, or -1 if k is not a kind.
func (k Kind) rank() int {
	switch k {
	case KindPatient:
		return 0
	case KindPatientIDNum:
		return 1
	case KindNonTask:
		return 2
	case KindTask:
		return 3
	}
	return -1
}

// Field is one client field of a table.
type Field struct {
	Name string
	Type FieldType
}

// Table describes one client table. Tables returned by a Registry are shared
// and must not be modified.
type Table struct {
	Name       string
	Kind       Kind
	PK         string // name of the client PK field, always of type Integer
	MinVersion string // MAJOR.MINOR.PATCH, without leading zeros
	Fields     []Field
}

// Field returns the field of t with the given name, compared exactly, and
// reports whether there is one.
func (t *Table) Field(name string) (Field, bool) {
	for _, f := range t.Fields {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}
