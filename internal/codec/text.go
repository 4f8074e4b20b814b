package codec

import "strings"

// unquote decodes the inside of a quoted text literal (rule 5): each doubled quote
// becomes one, and then \n becomes LF, \r becomes CR, \ before any other character is
// dropped, and a lone trailing \ is dropped. The two passes are done at once,
// reading the undoubled text through next. It returns s itself, without
// allocating, when s holds neither ' nor \.
func unquote(s string) string {
	if strings.IndexByte(s, '\'') < 0 && strings.IndexByte(s, '\\') < 0 {
		return s
	}
	// next returns the character of the undoubled text at byte i of s, and
	// the index after it.
	next := func(i int) (byte, int) {
		if s[i] == '\'' && i+1 < len(s) && s[i+1] == '\'' {
			return '\'', i + 2
		}
		return s[i], i + 1
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		c, j := next(i)
		i = j
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		if i == len(s) {
			break // a lone trailing backslash is dropped
		}
		c, i = next(i)
		switch c {
		case 'n':
			c = '\n'
		case 'r':
			c = '\r'
		}
		b.WriteByte(c)
	}
	return b.String()
}

// appendQuoted appends text s as a literal (PROTOCOL.md, 7.3): \ becomes \\,
// LF becomes \n and CR becomes \r; then the result is wrapped in quotes, with
// each ' doubled.
func appendQuoted(dst []byte, s string) []byte {
	dst = append(dst, '\'')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			dst = append(dst, '\\', '\\')
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\'':
			dst = append(dst, '\'', '\'')
		default:
			dst = append(dst, c)
		}
	}
	return append(dst, '\'')
}
