package idpolicy

import (
	"unicode"
	"unicode/utf8"
)

// tokenize splits s into words and parentheses. Words are upper-cased in
// ASCII only, so that a non-ASCII letter can never fold into a keyword
// (strings.ToUpper would turn "ſex" into "SEX").
func tokenize(s string) []string {
	var toks []string
	word := []byte{}
	flush := func() {
		if len(word) > 0 {
			toks = append(toks, string(word))
			word = word[:0]
		}
	}
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '(' || r == ')':
			flush()
			toks = append(toks, string(r))
		case unicode.IsSpace(r):
			flush()
		case 'a' <= r && r <= 'z':
			word = append(word, byte(r-'a'+'A'))
		default:
			word = append(word, s[i:i+size]...)
		}
		i += size
	}
	flush()
	return toks
}
