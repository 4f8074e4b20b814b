package codec

import (
	"math"
	"strconv"
	"strings"
)

// PyFloat returns f written as Python's repr (and str) writes a float: the
// shortest digits that give back f, in fixed notation with at least one
// fraction digit when 1e-4 <= |f| < 1e16 (or f is zero), else in scientific
// notation with a signed exponent of at least two digits: 67.0, 1.83,
// 0.0001, 1e-05, 1e+16, 1.5e+300, -0.0, inf, -inf, nan.
func PyFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return "nan"
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	// Go's shortest 'e' form is d[.ddd]e±XX, like Python's scientific form.
	e := strconv.FormatFloat(f, 'e', -1, 64)
	exp, _ := strconv.Atoi(e[strings.IndexByte(e, 'e')+1:])
	if f != 0 && (exp < -4 || exp >= 16) {
		return e
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if strings.IndexByte(s, '.') < 0 {
		s += ".0"
	}
	return s
}
