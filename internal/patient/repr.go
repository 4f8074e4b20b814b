package patient

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
)

// repr writes v as Python's repr writes the value that json.loads gives:
// None, True, False, ints, floats, 'strings', [lists] and {dicts}.
func repr(v *jvalue) string {
	var b strings.Builder
	writeRepr(&b, v)
	return b.String()
}

// writeRepr appends the repr of v to b.
func writeRepr(b *strings.Builder, v *jvalue) {
	switch v.kind {
	case jNull:
		b.WriteString("None")
	case jBool:
		if v.b {
			b.WriteString("True")
		} else {
			b.WriteString("False")
		}
	case jNumber:
		b.WriteString(reprNumber(v.s))
	case jString:
		b.WriteString(reprString(v.s))
	case jArray:
		b.WriteByte('[')
		for i, e := range v.elems {
			if i > 0 {
				b.WriteString(", ")
			}
			writeRepr(b, e)
		}
		b.WriteByte(']')
	case jObject:
		b.WriteByte('{')
		for i, k := range v.keys {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(reprString(k))
			b.WriteString(": ")
			writeRepr(b, v.vals[i])
		}
		b.WriteByte('}')
	}
}

// reprOpt is repr for an optional string: None when s is nil.
func reprOpt(s *string) string {
	if s == nil {
		return "None"
	}
	return reprString(*s)
}

// reprString quotes s as in PROTOCOL.md's Conventions: single quotes, or
// double quotes when s contains ' and no "; backslash, the quote, LF, CR
// and TAB escaped; other control characters as \xNN.
func reprString(s string) string {
	quote := byte('\'')
	if strings.Contains(s, "'") && !strings.Contains(s, `"`) {
		quote = '"'
	}
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte(quote)
	for _, r := range s {
		switch {
		case r == '\\' || r == rune(quote):
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case unicode.IsControl(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte(quote)
	return b.String()
}

// reprNumber writes a JSON number literal as Python does after json.loads:
// an integer literal becomes an int of any size, anything else a float.
func reprNumber(lit string) string {
	if isInteger(lit) {
		if lit == "-0" {
			return "0"
		}
		return lit // JSON forbids leading zeros, so this is canonical
	}
	f, err := strconv.ParseFloat(lit, 64)
	if err != nil && !math.IsInf(f, 0) {
		return lit // unreachable for valid JSON
	}
	return reprFloat(f)
}

// reprFloat formats f as Python's float repr: the shortest digits that
// round-trip, in positional notation for decimal exponents -4 to 15 (always
// with a fractional part) and in scientific notation otherwise.
func reprFloat(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	sci := strconv.FormatFloat(f, 'e', -1, 64) // [-]d[.ddd]e±XX
	mant, expStr, _ := strings.Cut(sci, "e")
	exp, _ := strconv.Atoi(expStr)
	if exp < -4 || exp >= 16 {
		return sci
	}
	sign := ""
	if mant[0] == '-' {
		sign, mant = "-", mant[1:]
	}
	digits := strings.Replace(mant, ".", "", 1)
	if exp < 0 {
		return sign + "0." + strings.Repeat("0", -exp-1) + digits
	}
	if len(digits) <= exp+1 {
		return sign + digits + strings.Repeat("0", exp+1-len(digits)) + ".0"
	}
	return sign + digits[:exp+1] + "." + digits[exp+1:]
}
