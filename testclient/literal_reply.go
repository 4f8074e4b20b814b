package testclient

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
)

// ParseReplyLiteral decodes one trimmed literal of a server reply as the
// client's fromSqlLiteral does (PROTOCOL 7.3): empty or NULL (any case) →
// NULL; 64'…' → bytes (base64); X'…' → bytes (hex); '…' → text, with each
// doubled quote undoubled and the newline-escaping undone; containing '.' →
// real; otherwise integer.
//
// The client never fails here: it decodes bad base64 or hex leniently and
// reads a bad number as 0. ParseReplyLiteral instead returns a non-nil error
// (with empty bytes or 0), so that tests notice what the client hides. It is
// stricter than the client in two ways: base64 must be padded and a real must
// be a plain decimal number. It is more lenient in one: integers are read as
// 64-bit, where the client's toInt reads 32 bits.
func ParseReplyLiteral(lit string) (Value, error) {
	n := len(lit)
	switch {
	case lit == "" || strings.EqualFold(lit, "NULL"):
		return NullValue(), nil
	case n >= 4 && strings.HasPrefix(lit, "64'") && lit[n-1] == '\'':
		b, err := base64.StdEncoding.DecodeString(lit[3 : n-1])
		if err != nil {
			return BytesValue(nil), fmt.Errorf("testclient: bad base64 literal %q: %w", lit, err)
		}
		return BytesValue(b), nil
	case n >= 3 && strings.HasPrefix(lit, "X'") && lit[n-1] == '\'':
		b, err := hex.DecodeString(lit[2 : n-1])
		if err != nil {
			return BytesValue(nil), fmt.Errorf("testclient: bad hex literal %q: %w", lit, err)
		}
		return BytesValue(b), nil
	case n >= 2 && lit[0] == '\'' && lit[n-1] == '\'':
		return TextValue(unescapeNewlines(sqlDequote(lit))), nil
	case strings.Contains(lit, "."):
		if !decimalRE.MatchString(lit) {
			return RealValue(0), fmt.Errorf("testclient: bad real literal %q", lit)
		}
		f, err := strconv.ParseFloat(lit, 64)
		if err != nil {
			return RealValue(0), fmt.Errorf("testclient: bad real literal %q: %w", lit, err)
		}
		return RealValue(f), nil
	}
	i, err := strconv.ParseInt(lit, 10, 64)
	if err != nil {
		return IntValue(0), fmt.Errorf("testclient: bad integer literal %q: %w", lit, err)
	}
	return IntValue(i), nil
}

// ParseReplyLiterals splits a record of a server reply as the client does
// and decodes each item with ParseReplyLiteral. Unlike DecodeLiterals, ""
// gives one NULL, as in the client. The error is that of the first malformed
// literal; the values are returned regardless.
func ParseReplyLiterals(s string) ([]Value, error) {
	items := splitLiterals(s)
	values := make([]Value, len(items))
	var first error
	for i, item := range items {
		v, err := ParseReplyLiteral(item)
		if err != nil && first == nil {
			first = err
		}
		values[i] = v
	}
	return values, first
}
