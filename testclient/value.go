package testclient

import (
	"bytes"
	"fmt"
	"math"
)

// ValueKind is the type of a Value: the storage classes of SQLite, which the
// client's values come from.
type ValueKind int

// The kinds of Value. The zero Value is NULL.
const (
	KindNull ValueKind = iota
	KindInt
	KindReal
	KindText
	KindBytes
)

// String returns the kind's name, e.g. "int".
func (k ValueKind) String() string {
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
	return fmt.Sprintf("ValueKind(%d)", int(k))
}

// Value is one SQL literal: Kind says which of the other fields holds it.
type Value struct {
	Kind  ValueKind
	Int   int64
	Real  float64
	Text  string
	Bytes []byte
}

// NullValue returns a NULL Value.
func NullValue() Value { return Value{} }

// IntValue returns an integer Value.
func IntValue(i int64) Value { return Value{Kind: KindInt, Int: i} }

// RealValue returns a real Value.
func RealValue(f float64) Value { return Value{Kind: KindReal, Real: f} }

// TextValue returns a text Value.
func TextValue(s string) Value { return Value{Kind: KindText, Text: s} }

// BytesValue returns a bytes Value.
func BytesValue(b []byte) Value { return Value{Kind: KindBytes, Bytes: b} }

// Equal reports whether v and w have the same kind and the same value in the
// field of that kind. Reals compare with ==, except that NaN equals NaN; a
// nil and an empty byte slice are equal.
func (v Value) Equal(w Value) bool {
	if v.Kind != w.Kind {
		return false
	}
	switch v.Kind {
	case KindInt:
		return v.Int == w.Int
	case KindReal:
		return v.Real == w.Real || math.IsNaN(v.Real) && math.IsNaN(w.Real)
	case KindText:
		return v.Text == w.Text
	case KindBytes:
		return bytes.Equal(v.Bytes, w.Bytes)
	}
	return true
}

// String describes v for test failure messages, e.g. int 7 or text "a b".
func (v Value) String() string {
	switch v.Kind {
	case KindNull:
		return "NULL"
	case KindInt:
		return fmt.Sprintf("int %d", v.Int)
	case KindReal:
		return fmt.Sprintf("real %v", v.Real)
	case KindText:
		return fmt.Sprintf("text %q", v.Text)
	case KindBytes:
		return fmt.Sprintf("bytes %x", v.Bytes)
	}
	return v.Kind.String()
}
