package testclient

import (
	"encoding/base64"
	"encoding/hex"
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// Fixed patterns of the classification rules of PROTOCOL 7.2.
var (
	hexLiteralRE    = regexp.MustCompile(`^X'(?:[0-9A-Fa-f]{2})+'$`)
	base64LiteralRE = regexp.MustCompile(`^64'(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}[AEIMQUYcgkosw048]=|[A-Za-z0-9+/][AQgw]==)?'$`)
	integerRE       = regexp.MustCompile(`^[+-]?[0-9]+$`)
	decimalRE       = regexp.MustCompile(`^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$`)
)

// DecodeLiterals decodes a CSV of SQL literals as the server does (PROTOCOL
// 7.2): "" gives no values; otherwise the input is split at commas outside
// single quotes, each item is trimmed and classified by DecodeLiteral.
// Decoding never fails.
func DecodeLiterals(s string) []Value {
	if s == "" {
		return nil
	}
	items := splitLiterals(s)
	values := make([]Value, len(items))
	for i, item := range items {
		values[i] = DecodeLiteral(item)
	}
	return values
}

// DecodeLiteral classifies one trimmed item by the rules of PROTOCOL 7.2, the
// first match winning: empty or NULL (any case) → NULL; X'hex' or 64'base64'
// (white space ignored) → bytes; '…' → text, with each doubled quote undoubled
// and the newline-escaping undone; a decimal integer that fits in 64 bits →
// integer; a decimal floating-point number, nan, inf or infinity → real;
// anything else → the item itself as text.
func DecodeLiteral(item string) Value {
	if item == "" || strings.EqualFold(item, "NULL") {
		return NullValue()
	}
	compact := strings.Map(dropSpace, item)
	if hexLiteralRE.MatchString(compact) {
		b, _ := hex.DecodeString(compact[2 : len(compact)-1]) // valid: the pattern matched
		return BytesValue(b)
	}
	if base64LiteralRE.MatchString(compact) {
		b, _ := base64.StdEncoding.DecodeString(compact[3 : len(compact)-1]) // valid: the pattern matched
		return BytesValue(b)
	}
	if len(item) >= 2 && item[0] == '\'' && item[len(item)-1] == '\'' {
		return TextValue(unescapeNewlines(sqlDequote(item)))
	}
	if integerRE.MatchString(item) {
		if i, err := strconv.ParseInt(item, 10, 64); err == nil {
			return IntValue(i)
		}
	}
	if f, ok := parseReal(item); ok {
		return RealValue(f)
	}
	return TextValue(item)
}

// parseReal accepts rule 7: a decimal floating-point number, or nan, inf or
// infinity in any case with an optional sign. Out-of-range numbers give ±Inf
// or 0, as a float parser does.
func parseReal(s string) (float64, bool) {
	if decimalRE.MatchString(s) {
		f, _ := strconv.ParseFloat(s, 64) // only range errors are possible here
		return f, true
	}
	body, sign := s, 1.0
	if body != "" && (body[0] == '+' || body[0] == '-') {
		if body[0] == '-' {
			sign = -1
		}
		body = body[1:]
	}
	switch strings.ToLower(body) {
	case "nan":
		return math.NaN(), true
	case "inf", "infinity":
		return math.Inf(int(sign)), true
	}
	return 0, false
}

// dropSpace is a strings.Map function that removes white space.
func dropSpace(r rune) rune {
	if unicode.IsSpace(r) {
		return -1
	}
	return r
}
