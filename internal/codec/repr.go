package codec

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Repr returns s written as Python's repr writes a str (PROTOCOL.md,
// Conventions): in '…', or in "…" when s contains ' and no ". Inside, \ and
// the quote character are escaped with \, LF, CR and TAB are written \n, \r
// and \t, other ASCII control characters and DEL as \xNN, and other
// non-printable characters as \xNN, \uNNNN or \UNNNNNNNN (Python's choice by
// code point). Printable non-ASCII characters are kept. A byte that is not
// valid UTF-8, which a Python str cannot hold, is written \xNN.
func Repr(s string) string {
	return string(appendRepr(nil, s, -1))
}

// appendRepr appends Repr(s) to dst, cut to its first limit characters
// (runes) when limit >= 0.
func appendRepr(dst []byte, s string, limit int) []byte {
	q := byte('\'')
	if strings.IndexByte(s, '\'') >= 0 && strings.IndexByte(s, '"') < 0 {
		q = '"'
	}
	out := 0 // characters written so far
	put := func(esc ...byte) bool {
		for _, c := range esc {
			if limit >= 0 && out >= limit {
				return false
			}
			dst = append(dst, c)
			out++
		}
		return true
	}
	if !put(q) {
		return dst
	}
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		var ok bool
		switch {
		case r == utf8.RuneError && size == 1:
			ok = put(hexEscape('x', uint32(s[i]), 2)...)
		case r == rune(q) || r == '\\':
			ok = put('\\', byte(r))
		case r == '\n':
			ok = put('\\', 'n')
		case r == '\r':
			ok = put('\\', 'r')
		case r == '\t':
			ok = put('\\', 't')
		case r < ' ' || r == 0x7f:
			ok = put(hexEscape('x', uint32(r), 2)...)
		case r < utf8.RuneSelf:
			ok = put(byte(r))
		case unicode.IsPrint(r):
			// Go's IsPrint and Python's isprintable agree: letters, marks,
			// numbers, punctuation and symbols, but no separators or other
			// characters (C*).
			if limit >= 0 && out >= limit {
				return dst
			}
			dst = append(dst, s[i:i+size]...)
			out++
			ok = true
		case r <= 0xff:
			ok = put(hexEscape('x', uint32(r), 2)...)
		case r <= 0xffff:
			ok = put(hexEscape('u', uint32(r), 4)...)
		default:
			ok = put(hexEscape('U', uint32(r), 8)...)
		}
		if !ok {
			return dst
		}
		i += size
	}
	put(q)
	return dst
}

// hexEscape returns \ followed by letter and n lower-case hex digits of v.
func hexEscape(letter byte, v uint32, n int) []byte {
	const digits = "0123456789abcdef"
	b := make([]byte, 2+n)
	b[0], b[1] = '\\', letter
	for i := n - 1; i >= 0; i-- {
		b[2+i] = digits[v&0xf]
		v >>= 4
	}
	return b
}

// appendBytesRepr appends b written as Python's repr writes bytes: b'…', or
// b"…" when b contains ' and no ". \ and the quote character are escaped,
// TAB, LF and CR are \t, \n and \r, and bytes below space or from DEL up are
// \xNN.
func appendBytesRepr(dst, b []byte) []byte {
	q := byte('\'')
	if strings.IndexByte(string(b), '\'') >= 0 && strings.IndexByte(string(b), '"') < 0 {
		q = '"'
	}
	dst = append(dst, 'b', q)
	for _, c := range b {
		switch {
		case c == q || c == '\\':
			dst = append(dst, '\\', c)
		case c == '\t':
			dst = append(dst, '\\', 't')
		case c == '\n':
			dst = append(dst, '\\', 'n')
		case c == '\r':
			dst = append(dst, '\\', 'r')
		case c < ' ' || c >= 0x7f:
			dst = append(dst, hexEscape('x', uint32(c), 2)...)
		default:
			dst = append(dst, c)
		}
	}
	return append(dst, q)
}
