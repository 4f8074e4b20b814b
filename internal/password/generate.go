package password

import "crypto/rand"

// GeneratedLength is the length of a password the server makes for a user
// (PROTOCOL 6.3 step 6).
const GeneratedLength = 32

// generatedAlphabet is every character a generated password may hold, as
// PROTOCOL 6.3 step 6 lists them: A–Z a–z 0–9 and the ASCII punctuation.
const generatedAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789" +
	"!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"

// Generate returns a new password of GeneratedLength characters drawn
// uniformly from generatedAlphabet by crypto/rand, for the user that
// register_patient makes. Each byte at or above the largest multiple of the
// alphabet's size is drawn again, so no character is likelier than another.
func Generate() string {
	const n = len(generatedAlphabet)
	const limit = 256 / n * n
	out := make([]byte, 0, GeneratedLength)
	var buf [2 * GeneratedLength]byte
	for len(out) < GeneratedLength {
		rand.Read(buf[:]) // never fails (Go 1.24+)
		for _, b := range buf {
			if int(b) < limit && len(out) < GeneratedLength {
				out = append(out, generatedAlphabet[int(b)%n])
			}
		}
	}
	return string(out)
}
