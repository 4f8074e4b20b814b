package codec

import (
	"math"
	"strconv"
)

// parseInt parses s when it matches ^[+-]?[0-9]+$ and fits in an int64
// (rule 6). Leading zeros are allowed.
func parseInt(s string) (int64, bool) {
	i := 0
	neg := false
	if len(s) > 0 && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		i = 1
	}
	if i == len(s) {
		return 0, false
	}
	// Accumulate the magnitude as uint64; it may reach 1<<63 for a negative.
	var u uint64
	for ; i < len(s); i++ {
		d := s[i] - '0'
		if d > 9 {
			return 0, false
		}
		if u > (math.MaxUint64-9)/10 {
			// Far too large for an int64; rule 7 decides what it is.
			return 0, false
		}
		u = u*10 + uint64(d)
	}
	if neg {
		if u > 1<<63 {
			return 0, false
		}
		return -int64(u), true
	}
	if u > math.MaxInt64 {
		return 0, false
	}
	return int64(u), true
}

// ParseReal parses s when it is a real by rule 7 of PROTOCOL.md, 7.2:
//
//	real    = [ "+" / "-" ] ( decimal / special )
//	decimal = 1*DIGIT [ "." *DIGIT ] [ ( "e" / "E" ) [ "+" / "-" ] 1*DIGIT ]
//	special = "nan" / "inf" / "infinity"       ; any letter case
//
// So 1e3 and 1. are reals, but .5, 1e and 0x1p3 are not. A number too large
// for a float64 is ±Inf; one too small is 0. It reports false for anything
// else. Integers (rule 6) also parse here; Classify tries rule 6 first.
func ParseReal(s string) (float64, bool) {
	i := 0
	if len(s) > 0 && (s[0] == '+' || s[0] == '-') {
		i = 1
	}
	if f, ok := special(s[i:]); ok {
		if s[0] == '-' {
			f = -f
		}
		return f, true
	}
	if !isDecimal(s[i:]) {
		return 0, false
	}
	// The grammar is a subset of ParseFloat's, so the only error is ErrRange,
	// whose value (±Inf, or 0 on underflow) is the intended result.
	f, _ := strconv.ParseFloat(s, 64)
	return f, true
}

// special returns the value of nan, inf or infinity, in any letter case.
func special(s string) (float64, bool) {
	switch len(s) {
	case 3:
		if lowerEq(s, "nan") {
			return math.NaN(), true
		}
		if lowerEq(s, "inf") {
			return math.Inf(1), true
		}
	case 8:
		if lowerEq(s, "infinity") {
			return math.Inf(1), true
		}
	}
	return 0, false
}

// lowerEq reports whether s equals the lower-case ASCII word w, ignoring the
// case of s. s and w have the same length.
func lowerEq(s, w string) bool {
	for i := 0; i < len(w); i++ {
		if s[i]|0x20 != w[i] {
			return false
		}
	}
	return true
}

// isDecimal reports whether s matches the decimal production of ParseReal.
func isDecimal(s string) bool {
	i := digits(s, 0)
	if i == 0 {
		return false
	}
	if i < len(s) && s[i] == '.' {
		i = digits(s, i+1)
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		j := digits(s, i)
		if j == i {
			return false
		}
		i = j
	}
	return i == len(s)
}

// digits returns the index of the first non-digit of s at or after i.
func digits(s string, i int) int {
	for i < len(s) && s[i]-'0' <= 9 {
		i++
	}
	return i
}
