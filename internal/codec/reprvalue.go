package codec

import "strconv"

// ReprValue returns v written as Python's repr writes the decoded value: None
// for NULL, an integer in decimal, a real as Python writes a float (1.5,
// 67.0, 1e+20, inf, nan), text by Repr, and bytes as b'…'.
func ReprValue(v Value) string {
	switch v.Kind {
	case KindInt:
		return strconv.FormatInt(v.Int, 10)
	case KindReal:
		return PyFloat(v.Real)
	case KindText:
		return Repr(v.Text)
	case KindBytes:
		return string(appendBytesRepr(nil, v.Bytes))
	}
	return "None"
}
