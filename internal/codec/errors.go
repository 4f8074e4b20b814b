package codec

import (
	"errors"
	"strconv"

	"github.com/tabletapi/tabletapi/internal/fault"
)

// ErrInvalidValue is returned by Convert when a decoded value is not
// acceptable for a field type.
var ErrInvalidValue = errors.New("codec: invalid value")

// maxLiteral is the most characters of the literal that an Invalid value
// message quotes (PROTOCOL.md, 10.2).
const maxLiteral = 100

// InvalidValueError returns the refusal of the literal raw of field in
// table, in record number record (PROTOCOL.md, 7.5): a Refused
// *fault.Error whose Message is
//
//	Invalid value for field '<field>' in table '<table>', record <r>: <literal>
//
// where <literal> is Repr(raw) cut to its first 100 characters (runes). The
// cut is made after repr, so the quoted literal is never longer than 100
// characters, even when escapes lengthen it; a cut literal lacks its closing
// quote and may end inside an escape. Its Log is the same without ": " and
// the literal, which may be patient data. It is built only for a value
// that is refused, once per request, so it costs nothing on the path of
// values that convert.
func InvalidValueError(table, field string, record int, raw string) error {
	b := make([]byte, 0, 64+len(table)+len(field)+maxLiteral)
	b = append(b, "Invalid value for field '"...)
	b = append(b, field...)
	b = append(b, "' in table '"...)
	b = append(b, table...)
	b = append(b, "', record "...)
	b = strconv.AppendInt(b, int64(record), 10)
	logText := len(b)
	b = append(b, ": "...)
	b = appendRepr(b, raw, maxLiteral)
	msg := string(b)
	return &fault.Error{Kind: fault.Refused, Message: msg, Log: msg[:logText]}
}
