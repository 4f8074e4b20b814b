package codec

import (
	"errors"
	"strconv"
)

// ErrInvalidValue is returned by Convert when a decoded value is not
// acceptable for a field type, and wrapped by the errors of
// InvalidValueError.
var ErrInvalidValue = errors.New("codec: invalid value")

// maxLiteral is the most characters of the literal that an Invalid value
// message quotes (PROTOCOL.md, 10.2).
const maxLiteral = 100

// ValueError is the error of a value that does not convert to its field's
// type. It wraps ErrInvalidValue; Message is the client-visible text.
type ValueError struct {
	Table  string // the client table
	Field  string // the field
	Record int    // the record's position (PROTOCOL.md, 7.5)
	Raw    string // the literal as received
}

// InvalidValueError returns a *ValueError for the literal raw of field in
// table, in record number record. Its Message is
//
//	Invalid value for field '<field>' in table '<table>', record <r>: <literal>
//
// where <literal> is Repr(raw) cut to its first 100 characters (runes). The
// cut is made after repr, so the quoted literal is never longer than 100
// characters, even when escapes lengthen it; a cut literal lacks its closing
// quote and may end inside an escape.
func InvalidValueError(table, field string, record int, raw string) error {
	return &ValueError{Table: table, Field: field, Record: record, Raw: raw}
}

// Message returns the exact client-visible error text (see
// InvalidValueError).
func (e *ValueError) Message() string {
	b := make([]byte, 0, 64+len(e.Table)+len(e.Field)+maxLiteral)
	b = append(b, "Invalid value for field '"...)
	b = append(b, e.Field...)
	b = append(b, "' in table '"...)
	b = append(b, e.Table...)
	b = append(b, "', record "...)
	b = strconv.AppendInt(b, int64(e.Record), 10)
	b = append(b, ": "...)
	b = appendRepr(b, e.Raw, maxLiteral)
	return string(b)
}

// Error returns the message prefixed with the package name.
func (e *ValueError) Error() string { return "codec: " + e.Message() }

// LogText is the message without the literal, which may be patient data.
func (e *ValueError) LogText() string {
	return "Invalid value for field '" + e.Field + "' in table '" + e.Table + "', record " + strconv.Itoa(e.Record)
}

// Unwrap returns ErrInvalidValue.
func (e *ValueError) Unwrap() error { return ErrInvalidValue }
