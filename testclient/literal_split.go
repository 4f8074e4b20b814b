package testclient

import "strings"

// splitLiterals splits a CSV of SQL literals into trimmed items, as the
// client's csvSqlLiteralsToValues and PROTOCOL 7.2 step 1 do: commas inside
// single quotes do not split, a doubled quote inside quotes is an escaped
// quote, and an unterminated quote runs to the end. It always returns at
// least one item; "" gives one empty item. Scanning bytes is the same as
// scanning the client's UTF-16 characters, because the comma and the quote
// never occur inside a multi-byte UTF-8 sequence.
func splitLiterals(s string) []string {
	var items []string
	start, inQuote := 0, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case !inQuote && c == ',':
			items = append(items, strings.TrimSpace(s[start:i]))
			start = i + 1
		case !inQuote && c == '\'':
			inQuote = true
		case inQuote && c == '\'' && i+1 < len(s) && s[i+1] == '\'':
			i++
		case inQuote && c == '\'':
			inQuote = false
		}
	}
	return append(items, strings.TrimSpace(s[start:]))
}

// escapeNewlines is the client's escapeNewlines: \ → \\, LF → \n, CR → \r.
func escapeNewlines(s string) string {
	if !strings.ContainsAny(s, "\\\n\r") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// unescapeNewlines is the client's unescapeNewlines: \n → LF, \r → CR, \
// before any other character → that character, and a lone trailing \ is
// dropped.
func unescapeNewlines(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	inEscape := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case inEscape && c == 'n':
			b.WriteByte('\n')
		case inEscape && c == 'r':
			b.WriteByte('\r')
		case inEscape:
			b.WriteByte(c)
		case c == '\\':
			inEscape = true
			continue
		default:
			b.WriteByte(c)
		}
		inEscape = false
	}
	return b.String()
}

// sqlQuote wraps s in single quotes, doubling each quote inside.
func sqlQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// sqlDequote strips the outer quotes of a quoted literal (len ≥ 2) and
// undoubles each doubled quote.
func sqlDequote(quoted string) string {
	return strings.ReplaceAll(quoted[1:len(quoted)-1], "''", "'")
}
