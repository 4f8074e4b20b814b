package codec

import (
	"fmt"
	"math"
	"strconv"

	"github.com/tabletapi/tabletapi/internal/registry"
)

// Convert converts a decoded value to the Go value stored for a field of type
// t (PROTOCOL.md, 7.5). NULL gives nil for every known type; whether NULL is
// allowed (it is not for the client PK) is the caller's concern. Otherwise:
//
//   - Integer gives an int64, from an integer; from a real with an integral
//     value in the int64 range; or from text that is an integer by rule 6
//     (^[+-]?[0-9]+$, fitting in an int64).
//   - Real gives a float64, from an integer, a real, or text that is a number
//     by rule 6 or 7 (see ParseReal). NaN and ±Inf give nil.
//   - Text gives a string: text as is; an integer in decimal; a real as
//     Python's str writes it (1.83, 67.0, 1e+20, inf).
//   - Boolean gives a bool, from the integer 0 or 1, the real 0.0 or 1.0, or
//     the text "0" or "1".
//   - Date gives a Date, from text in the form of ParseDate; empty text gives
//     nil.
//   - DateTime gives a DateTime, from text in the grammar of ParseDateTime;
//     empty text gives nil (the client writes it for an invalid date-time).
//   - Blob gives a []byte, from bytes only.
//   - Time gives a Time, from text in the form of ParseTime; empty text
//     gives nil.
//
// Anything else returns ErrInvalidValue itself. An unknown field type
// returns another error, which is a bug of the caller.
func Convert(v Value, t registry.FieldType) (any, error) {
	switch t {
	case registry.Integer, registry.Real, registry.Text, registry.Boolean,
		registry.Date, registry.DateTime, registry.Blob, registry.Time:
	default:
		return nil, fmt.Errorf("codec: unknown field type %q", string(t))
	}
	if v.Kind == KindNull {
		return nil, nil
	}
	var (
		x  any
		ok bool
	)
	switch t {
	case registry.Integer:
		x, ok = toInteger(v)
	case registry.Real:
		x, ok = toReal(v)
	case registry.Text:
		x, ok = toText(v)
	case registry.Boolean:
		x, ok = toBoolean(v)
	case registry.Date:
		x, ok = toDate(v)
	case registry.DateTime:
		x, ok = toDateTime(v)
	case registry.Time:
		x, ok = toTime(v)
	case registry.Blob:
		if v.Kind == KindBytes {
			x, ok = v.Bytes, true
		}
	}
	if !ok {
		return nil, ErrInvalidValue
	}
	return x, nil
}

func toInteger(v Value) (any, bool) {
	switch v.Kind {
	case KindInt:
		return v.Int, true
	case KindReal:
		// -2^63 <= f < 2^63, exactly the floats that fit; NaN fails both.
		if f := v.Real; f == math.Trunc(f) && f >= math.MinInt64 && f < math.MaxInt64 {
			return int64(f), true
		}
	case KindText:
		if i, ok := parseInt(v.Text); ok {
			return i, true
		}
	}
	return nil, false
}

func toReal(v Value) (any, bool) {
	var f float64
	switch v.Kind {
	case KindInt:
		return float64(v.Int), true
	case KindReal:
		f = v.Real
	case KindText:
		var ok bool
		if f, ok = ParseReal(v.Text); !ok {
			return nil, false
		}
	default:
		return nil, false
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, true
	}
	return f, true
}

func toText(v Value) (any, bool) {
	switch v.Kind {
	case KindText:
		return v.Text, true
	case KindInt:
		return strconv.FormatInt(v.Int, 10), true
	case KindReal:
		return PyFloat(v.Real), true
	}
	return nil, false
}

func toBoolean(v Value) (any, bool) {
	switch {
	case v.Kind == KindInt && (v.Int == 0 || v.Int == 1):
		return v.Int == 1, true
	case v.Kind == KindReal && (v.Real == 0 || v.Real == 1):
		return v.Real == 1, true
	case v.Kind == KindText && (v.Text == "0" || v.Text == "1"):
		return v.Text == "1", true
	}
	return nil, false
}

func toDate(v Value) (any, bool) {
	if v.Kind != KindText {
		return nil, false
	}
	if v.Text == "" {
		return nil, true
	}
	if d, ok := parseDate(v.Text); ok {
		return d, true
	}
	return nil, false
}

func toDateTime(v Value) (any, bool) {
	if v.Kind != KindText {
		return nil, false
	}
	if v.Text == "" {
		return nil, true
	}
	if d, ok := parseDateTime(v.Text); ok {
		return d, true
	}
	return nil, false
}

func toTime(v Value) (any, bool) {
	if v.Kind != KindText {
		return nil, false
	}
	if v.Text == "" {
		return nil, true
	}
	if t, ok := parseTime(v.Text); ok {
		return t, true
	}
	return nil, false
}
