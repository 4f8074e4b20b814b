// Package requestid carries a request's id in its context, so that every
// log line written while serving the request can name it, however deep in
// the call chain it is written. It imports none of our packages.
package requestid

import (
	"context"
	"crypto/rand"
	"encoding/hex"
)

// MaxLen is the longest id taken from a proxy's X-Request-ID header.
const MaxLen = 128

type key struct{}

// With returns ctx carrying id.
func With(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, key{}, id)
}

// From returns the id ctx carries, or "" for none.
func From(ctx context.Context) string {
	id, _ := ctx.Value(key{}).(string)
	return id
}

// New returns a fresh id: 16 random bytes in hex.
func New() string {
	var b [16]byte
	rand.Read(b[:]) //nolint:errcheck // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b[:])
}

// Valid reports whether s may be used as an id taken from a header: 1 to
// MaxLen bytes of printable ASCII, so it cannot break a log line or carry
// a client's payload of any size.
func Valid(s string) bool {
	if s == "" || len(s) > MaxLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}
