package websession

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
)

// tokenBytes is the entropy of a token; base64 with padding turns 16 bytes
// into 24 characters ending in "==" (PROTOCOL 3.2).
const tokenBytes = 16

// newToken returns a fresh token and its digest.
func newToken() (token string, digest []byte) {
	b := make([]byte, tokenBytes)
	rand.Read(b) // never returns an error: since Go 1.24 it crashes instead
	token = base64.URLEncoding.EncodeToString(b)
	return token, hashToken(token)
}

// hashToken returns the digest stored for token.
func hashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// tokenMatches compares in constant time, so response timing does not
// reveal how much of a guessed token was right.
func tokenMatches(token string, digest []byte) bool {
	return subtle.ConstantTimeCompare(hashToken(token), digest) == 1
}
