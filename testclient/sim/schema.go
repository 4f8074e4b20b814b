package sim

// FieldType is the type of a column of the tablet's tables, as the server's
// table registry types it (PROTOCOL Appendix A). It decides how Verify
// compares a stored value with the value that was sent.
type FieldType int

// The field types of PROTOCOL Appendix A.
const (
	Integer FieldType = iota
	Real
	Text
	DateTime
	Date
	Boolean
	Blob
	// Time is a time of day, sent as 'HH:mm:ss'.
	Time
)

// Column is one column of a tablet table.
type Column struct {
	Name string
	Type FieldType
}

// Names of the tablet's tables.
const (
	TableACE3         = "ace3"
	TableBlobs        = "blobs"
	TableBMI          = "bmi"
	TablePatient      = "patient"
	TablePatientIDNum = "patient_idnum"
	TablePHQ9         = "phq9"
)

// Names of the fields every table has.
const (
	FieldID      = "id"
	FieldMoveOff = "_move_off_tablet"
	FieldWLM     = "when_last_modified"
)

// TableNames returns the tablet's tables in alphabetical order, the order in
// which the client catalogues and sends them. ace3 stands for the many task
// tables a real tablet has and the server does not know: it is always
// empty, so multi-step skips it and one-step sends it with no rows
// (PROTOCOL 12.3, 8.8 step 6).
func TableNames() []string {
	return []string{TableACE3, TableBlobs, TableBMI, TablePatient, TablePatientIDNum, TablePHQ9}
}

// Columns returns the columns of table in the client's column order, or nil
// for a table the tablet does not have.
func Columns(table string) []Column {
	common := []Column{{FieldID, Integer}, {FieldMoveOff, Boolean}, {FieldWLM, DateTime}}
	task := []Column{
		{"when_created", DateTime},
		{"firstexit_is_finish", Boolean},
		{"firstexit_is_abort", Boolean},
		{"when_firstexit", DateTime},
		{"editing_time_s", Real},
		{"patient_id", Integer},
	}
	var own []Column
	switch table {
	case TableACE3:
		own = task
	case TableBlobs:
		own = []Column{
			{"tablename", Text},
			{"tablepk", Integer},
			{"fieldname", Text},
			{"filename", Text},
			{"mimetype", Text},
			{"theblob", Blob},
			{"image_rotation_deg_cw", Integer},
		}
	case TableBMI:
		own = append(task, Column{"mass_kg", Real}, Column{"height_m", Real}, Column{"waist_cm", Real},
			Column{"comment", Text})
	case TablePatient:
		own = []Column{
			{"forename", Text},
			{"surname", Text},
			{"sex", Text},
			{"dob", Date},
			{"email", Text},
			{"address", Text},
			{"gp", Text},
			{"other", Text},
		}
	case TablePatientIDNum:
		own = []Column{{"patient_id", Integer}, {"which_idnum", Integer}, {"idnum_value", Integer}}
	case TablePHQ9:
		own = task
		for _, q := range []string{"q1", "q2", "q3", "q4", "q5", "q6", "q7", "q8", "q9", "q10"} {
			own = append(own, Column{q, Integer})
		}
	default:
		return nil
	}
	return append(common, own...)
}

// FieldNames returns the names of Columns(table), in order.
func FieldNames(table string) []string {
	cols := Columns(table)
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Name
	}
	return names
}

// isPatientTable reports whether table is one of the two tables that Move
// keeping patients keeps on the tablet.
func isPatientTable(table string) bool {
	return table == TablePatient || table == TablePatientIDNum
}
