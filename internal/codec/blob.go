package codec

import (
	"encoding/base64"
	"strings"
	"unicode"
	"unicode/utf8"
)

// blob decodes item by rule 3 (X'hex') or rule 4 (64'base64'), which match
// the item with all white space removed.
func blob(item string) ([]byte, bool) {
	t := removeSpace(item)
	if len(t) < 3 || t[len(t)-1] != '\'' {
		return nil, false
	}
	switch {
	case t[0] == 'X' && t[1] == '\'':
		return hexBlob(t[2 : len(t)-1])
	case len(t) >= 4 && t[0] == '6' && t[1] == '4' && t[2] == '\'':
		return base64Blob(t[3 : len(t)-1])
	}
	return nil, false
}

// hexBlob decodes body when it matches ([0-9A-Fa-f]{2})+.
func hexBlob(body string) ([]byte, bool) {
	if body == "" || len(body)%2 != 0 {
		return nil, false
	}
	b := make([]byte, len(body)/2)
	for i := range b {
		hi, ok1 := hexVal(body[2*i])
		lo, ok2 := hexVal(body[2*i+1])
		if !ok1 || !ok2 {
			return nil, false
		}
		b[i] = hi<<4 | lo
	}
	return b, true
}

// hexVal returns the value of the hex digit c.
func hexVal(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// base64Blob decodes body when it matches
// (?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}[AEIMQUYcgkosw048]=|[A-Za-z0-9+/][AQgw]==)?
// which is padded standard base64 whose unused bits are zero. The empty body
// is the empty byte string.
func base64Blob(body string) ([]byte, bool) {
	if len(body)%4 != 0 {
		return nil, false
	}
	if body == "" {
		return []byte{}, true
	}
	// The standard decoder checks the alphabet and the place of padding, five
	// times faster than a hand-written loop, but accepts non-zero unused bits
	// (and CR and LF, which removeSpace has removed): check the last group.
	g := body[len(body)-4:]
	switch {
	case g[2] == '=' && g[3] == '=':
		if c, ok := b64Val(g[1]); !ok || c&0x0f != 0 {
			return nil, false
		}
	case g[3] == '=':
		if d, ok := b64Val(g[2]); !ok || d&0x03 != 0 {
			return nil, false
		}
	}
	b, err := base64.StdEncoding.DecodeString(body)
	if err != nil {
		return nil, false
	}
	return b, true
}

// b64Val returns the value of c in the standard base64 alphabet.
func b64Val(c byte) (byte, bool) {
	switch {
	case 'A' <= c && c <= 'Z':
		return c - 'A', true
	case 'a' <= c && c <= 'z':
		return c - 'a' + 26, true
	case '0' <= c && c <= '9':
		return c - '0' + 52, true
	case c == '+':
		return 62, true
	case c == '/':
		return 63, true
	}
	return 0, false
}

// removeSpace returns s without its white space. It returns s itself,
// without allocating, when s has none.
func removeSpace(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= utf8.RuneSelf || asciiSpace(c) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

// asciiSpace reports whether c is ASCII white space.
func asciiSpace(c byte) bool {
	return c == ' ' || '\t' <= c && c <= '\r'
}
