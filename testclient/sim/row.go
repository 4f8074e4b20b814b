package sim

import (
	"maps"
	"strings"

	"github.com/tabletapi/tabletapi/testclient"
)

// Row is one local record: field name → value, as the tablet's SQLite
// stores it. A field that is absent is NULL.
type Row map[string]testclient.Value

// ID returns the row's client PK.
func (r Row) ID() int64 { return r[FieldID].Int }

// WLM returns the row's when_last_modified text.
func (r Row) WLM() string { return r[FieldWLM].Text }

// MoveOff reports whether the row's _move_off_tablet flag is set (non-NULL
// and non-zero).
func (r Row) MoveOff() bool {
	v := r[FieldMoveOff]
	return v.Kind == testclient.KindInt && v.Int != 0
}

// Clone returns a copy of r that shares no mutable state with it.
func (r Row) Clone() Row {
	c := maps.Clone(r)
	for k, v := range c {
		if v.Kind == testclient.KindBytes {
			v.Bytes = append([]byte(nil), v.Bytes...)
			c[k] = v
		}
	}
	return c
}

// Record returns the row as the client sends it in upload_table's
// record<N> and upload_record's values: the literal of each of its table's
// columns in column order, joined with commas (PROTOCOL 7.4).
func (r Row) Record(cols []Column) string {
	lits := make([]string, 0, len(cols))
	for _, c := range cols {
		lits = append(lits, testclient.EncodeLiteral(r[c.Name]))
	}
	return strings.Join(lits, ",")
}

// Object returns the row as one element of upload_entire_database's
// dbdata: every column of its table mapped to its literal (PROTOCOL 8.8).
func (r Row) Object(cols []Column) map[string]string {
	o := make(map[string]string, len(cols))
	for _, c := range cols {
		o[c.Name] = testclient.EncodeLiteral(r[c.Name])
	}
	return o
}

// plainText is the client's plain text conversion of a value, used for
// which_keys_to_send's lists (PROTOCOL 7.4): NULL is an empty item, text is
// unquoted.
func plainText(v testclient.Value) string {
	switch v.Kind {
	case testclient.KindNull:
		return ""
	case testclient.KindText:
		return v.Text
	}
	return testclient.EncodeLiteral(v)
}

// Record is a row of a named table, as Verify expects to find it.
type Record struct {
	Table string
	Row   Row
}
