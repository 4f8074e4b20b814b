// Package pyjson owns the JSON text of the reply values patient_info,
// task_schedules and ip_use_info (PROTOCOL 6.3, 6.7): JSON written as the
// reference's Python json.dumps writes it with its default arguments,
// members separated by ", " and keys by ": ", every character outside
// printable ASCII escaped (ensure_ascii), object members in the order
// given, numbers as Python writes an int or a float. The text is one line:
// a CR or LF is always escaped, as a reply value requires (PROTOCOL 1.3).
package pyjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/tabletapi/tabletapi/internal/codec"
)

// ErrDuplicateKey means JSON text given as Raw repeats a key within one
// object. Python would keep one of the two, so Append refuses rather than
// guess which the caller meant.
var ErrDuplicateKey = errors.New("pyjson: duplicate object key")

// ErrSyntax means text given as Raw is not RFC 8259 JSON in UTF-8.
var ErrSyntax = errors.New("pyjson: not JSON")

// Object is a JSON object whose members are written in their order.
type Object []Member

// Member is one key and value of an Object.
type Member struct {
	Key   string
	Value any
}

// Raw is JSON text that Append writes again in Python's form, as
// json.dumps(json.loads(text)) would, keeping the order of object keys.
type Raw []byte

// Marshal returns v as json.dumps writes it; see Append for the types.
func Marshal(v any) ([]byte, error) { return Append(nil, v) }

// Append appends v to b as json.dumps writes it. v may be nil (null), a
// bool, an int or int64, a string, a *string (nil is null), Raw, an
// Object, a []Object or a []any of these. The error wraps ErrSyntax or
// ErrDuplicateKey for a bad Raw, and names any other type.
func Append(b []byte, v any) ([]byte, error) {
	switch v := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case bool:
		return strconv.AppendBool(b, v), nil
	case int:
		return strconv.AppendInt(b, int64(v), 10), nil
	case int64:
		return strconv.AppendInt(b, v, 10), nil
	case string:
		return AppendString(b, v), nil
	case *string:
		if v == nil {
			return append(b, "null"...), nil
		}
		return AppendString(b, *v), nil
	case Raw:
		return appendRaw(b, v)
	case Object:
		b = append(b, '{')
		for i, m := range v {
			if i > 0 {
				b = append(b, ", "...)
			}
			b = append(AppendString(b, m.Key), ": "...)
			var err error
			if b, err = Append(b, m.Value); err != nil {
				return b, err
			}
		}
		return append(b, '}'), nil
	case []Object:
		elems := make([]any, len(v))
		for i := range v {
			elems[i] = v[i]
		}
		return Append(b, elems)
	case []any:
		b = append(b, '[')
		for i, e := range v {
			if i > 0 {
				b = append(b, ", "...)
			}
			var err error
			if b, err = Append(b, e); err != nil {
				return b, err
			}
		}
		return append(b, ']'), nil
	}
	return b, fmt.Errorf("pyjson: cannot write a %T", v)
}

// AppendString appends s as a JSON string with Python's ensure_ascii: '"'
// and '\' are escaped, so are \n \r \t \b \f, and every other character
// outside ' '…'~' is \u with four lower-case hex digits (a surrogate pair
// beyond U+FFFF). Bytes that are not UTF-8 are written as U+FFFD.
func AppendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b = append(b, '\\', byte(r))
		case r == '\n':
			b = append(b, `\n`...)
		case r == '\r':
			b = append(b, `\r`...)
		case r == '\t':
			b = append(b, `\t`...)
		case r == '\b':
			b = append(b, `\b`...)
		case r == '\f':
			b = append(b, `\f`...)
		case r >= ' ' && r <= '~':
			b = append(b, byte(r))
		default:
			units := []uint16{uint16(r)}
			if r > 0xffff {
				r1, r2 := utf16.EncodeRune(r)
				units = []uint16{uint16(r1), uint16(r2)}
			}
			for _, u := range units {
				b = append(b, '\\', 'u', hex[u>>12], hex[u>>8&15], hex[u>>4&15], hex[u&15])
			}
		}
	}
	return append(b, '"')
}

// appendRaw re-writes the JSON text raw token by token.
func appendRaw(b []byte, raw Raw) ([]byte, error) {
	if !json.Valid(raw) || !utf8.Valid(raw) {
		return b, ErrSyntax
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	return appendValue(b, dec)
}

// appendValue writes the next value of dec, which holds valid JSON.
func appendValue(b []byte, dec *json.Decoder) ([]byte, error) {
	tok, err := dec.Token()
	if err != nil {
		return b, ErrSyntax
	}
	switch t := tok.(type) {
	case json.Delim:
		open, close := byte(t), byte(']')
		var keys map[string]bool
		if open == '{' {
			close, keys = '}', map[string]bool{}
		}
		b = append(b, open)
		for i := 0; dec.More(); i++ {
			if i > 0 {
				b = append(b, ", "...)
			}
			if keys != nil {
				tok, err := dec.Token()
				key, ok := tok.(string)
				if err != nil || !ok {
					return b, ErrSyntax
				}
				if keys[key] {
					return b, fmt.Errorf("%w: %q", ErrDuplicateKey, key)
				}
				keys[key] = true
				b = append(AppendString(b, key), ": "...)
			}
			if b, err = appendValue(b, dec); err != nil {
				return b, err
			}
		}
		if _, err := dec.Token(); err != nil {
			return b, ErrSyntax
		}
		return append(b, close), nil
	case json.Number:
		return append(b, pyNumber(string(t))...), nil
	}
	return Append(b, tok) // nil, bool or string
}

// pyNumber writes a JSON number literal as Python does after json.loads:
// an integer literal is an int, written in full ("-0" becomes "0"); any
// other is a float, written by repr, or Infinity when it overflows.
func pyNumber(s string) string {
	if !strings.ContainsAny(s, ".eE") {
		if s == "-0" {
			return "0"
		}
		return s
	}
	f, _ := strconv.ParseFloat(s, 64) // valid JSON; an overflow is ±Inf
	switch {
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	return codec.PyFloat(f)
}
