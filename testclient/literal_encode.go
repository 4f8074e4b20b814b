package testclient

import (
	"encoding/base64"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// EncodeLiteral encodes v as the real client does (PROTOCOL 7.4, the
// client's toSqlLiteral): NULL as NULL; an integer in decimal; a real in C
// %g style with 6 significant digits (1.83, 67, 1.23457e+06, 1e-05, nan,
// inf, -inf), so a whole real has no decimal point and decodes as an
// integer; text newline-escaped (\ → \\, LF → \n, CR → \r), then quoted with
// each ' doubled; bytes as 64'<padded standard base64>'.
//
// It panics if v.Kind is not one of the defined kinds, as the client stops on
// an unknown type.
func EncodeLiteral(v Value) string {
	switch v.Kind {
	case KindNull:
		return "NULL"
	case KindInt:
		return strconv.FormatInt(v.Int, 10)
	case KindReal:
		return formatReal(v.Real)
	case KindText:
		return sqlQuote(escapeNewlines(v.Text))
	case KindBytes:
		return "64'" + base64.StdEncoding.EncodeToString(v.Bytes) + "'"
	}
	panic(fmt.Sprintf("testclient: EncodeLiteral: invalid %v", v.Kind))
}

// EncodeLiterals encodes each value with EncodeLiteral and joins them with
// ",", with no spaces. It panics as EncodeLiteral does.
func EncodeLiterals(values []Value) string {
	literals := make([]string, len(values))
	for i, v := range values {
		literals[i] = EncodeLiteral(v)
	}
	return strings.Join(literals, ",")
}

// formatReal is QString::setNum(double): %g with precision 6. Go's 'g' picks
// the same notation and digits as C; only the special values are spelled
// differently.
func formatReal(f float64) string {
	switch {
	case math.IsNaN(f):
		return "nan"
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	return strconv.FormatFloat(f, 'g', 6, 64)
}
