package testclient

import (
	"maps"
	"slices"
	"strings"
)

// FormContentType is the Content-Type the real client sends with every
// request.
const FormContentType = "application/x-www-form-urlencoded"

// EncodeForm encodes params as the real client's request body: keys in
// ascending order, each key and value percent-encoded with every byte outside
// A-Z a-z 0-9 - . _ ~ written as %XX in upper-case hex (so a space is %20 and
// + is %2B), pairs joined with &.
//
// The client sorts keys as UTF-16 strings; for the ASCII keys of the protocol
// that is the byte order used here.
func EncodeForm(params map[string]string) string {
	var b strings.Builder
	for i, k := range slices.Sorted(maps.Keys(params)) {
		if i > 0 {
			b.WriteByte('&')
		}
		percentEncode(&b, k)
		b.WriteByte('=')
		percentEncode(&b, params[k])
	}
	return b.String()
}

// percentEncode writes s as QUrl::toPercentEncoding does with its defaults.
func percentEncode(b *strings.Builder, s string) {
	const hexDigits = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isUnreserved(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&0x0f])
	}
}

func isUnreserved(c byte) bool {
	switch {
	case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9':
		return true
	}
	return c == '-' || c == '.' || c == '_' || c == '~'
}
