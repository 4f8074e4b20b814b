package codec

import "strconv"

// Kind is the kind of a decoded value.
type Kind int

// The kinds of decoded values (PROTOCOL.md, 7.2).
const (
	KindNull  Kind = iota // NULL
	KindInt               // a 64-bit signed integer, in Value.Int
	KindReal              // a 64-bit float, in Value.Real
	KindText              // a string, in Value.Text
	KindBytes             // a byte string, in Value.Bytes
)

// String returns the kind's lower-case name, e.g. "int".
func (k Kind) String() string {
	switch k {
	case KindNull:
		return "null"
	case KindInt:
		return "int"
	case KindReal:
		return "real"
	case KindText:
		return "text"
	case KindBytes:
		return "bytes"
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// Value is one decoded SQL literal. Kind says which of Int, Real, Text and
// Bytes holds the value; the others are zero. Raw is the item as received,
// with surrounding white space trimmed; it is what error messages quote.
// Values built by hand for EncodeList may leave Raw empty.
type Value struct {
	Kind  Kind
	Int   int64
	Real  float64
	Text  string
	Bytes []byte
	Raw   string
}

// Null returns the NULL value.
func Null() Value { return Value{Kind: KindNull} }

// Int returns an integer value.
func Int(i int64) Value { return Value{Kind: KindInt, Int: i} }

// Real returns a real value.
func Real(f float64) Value { return Value{Kind: KindReal, Real: f} }

// Text returns a text value.
func Text(s string) Value { return Value{Kind: KindText, Text: s} }

// Bytes returns a byte-string value. It keeps b; it does not copy it.
func Bytes(b []byte) Value { return Value{Kind: KindBytes, Bytes: b} }
