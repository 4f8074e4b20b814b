package patient

import (
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
)

// ErrBadAccessKey means an access key is malformed: wrong length, letters,
// case or separators, or a failed check letter (PROTOCOL 6.3 step 2).
var ErrBadAccessKey = errors.New("patient: malformed access key")

// ErrBadUUID means a UUID text is not 32 hex digits in the 8-4-4-4-12 form.
var ErrBadUUID = errors.New("patient: malformed UUID")

// The letters of an access key and their values (PROTOCOL 6.3 step 2): a
// consonant carries 4 bits, a vowel 2.
const (
	consonants = "bdfghjklmnprstvz"
	vowels     = "aiou"
)

// keyWords is the number of five-letter words in a key, 16 bits each.
const keyWords = 8

// keyLen is the length of a key: eight words and the check letter, each
// followed or preceded by a "-".
const keyLen = keyWords*6 + 1

// AccessKey returns the access key of the patient whose uuid is id
// (PROTOCOL 6.3 step 2): eight consonant-vowel-consonant-vowel-consonant
// words, most significant first, and a Luhn mod 16 check consonant, all
// joined by "-". The key is the patient's credential: never log it whole
// (KeyPrefix gives what a log may show).
func AccessKey(id [16]byte) string {
	var b strings.Builder
	b.Grow(keyLen)
	letters := make([]byte, 0, keyWords*5)
	for w := range keyWords {
		v := uint16(id[2*w])<<8 | uint16(id[2*w+1])
		word := [5]byte{
			consonants[v>>12], vowels[v>>10&3], consonants[v>>6&15], vowels[v>>4&3], consonants[v&15],
		}
		b.Write(word[:])
		b.WriteByte('-')
		letters = append(letters, word[:]...)
	}
	b.WriteByte(consonants[(16-luhnSum(letters, 2))%16])
	return b.String()
}

// ParseAccessKey returns the UUID that key encodes. The error wraps
// ErrBadAccessKey if the key is malformed in any way: it must be exactly
// what AccessKey writes, in lower case, and its check letter must hold.
func ParseAccessKey(key string) ([16]byte, error) {
	var id [16]byte
	if len(key) != keyLen {
		return id, ErrBadAccessKey
	}
	letters := make([]byte, 0, keyWords*5+1)
	for w := range keyWords {
		word := key[6*w : 6*w+5]
		if key[6*w+5] != '-' {
			return id, ErrBadAccessKey
		}
		var v uint16
		for i := range 5 {
			alphabet, bits := consonants, 4
			if i%2 == 1 {
				alphabet, bits = vowels, 2
			}
			n := strings.IndexByte(alphabet, word[i])
			if n < 0 {
				return id, ErrBadAccessKey
			}
			v = v<<bits | uint16(n)
		}
		id[2*w], id[2*w+1] = byte(v>>8), byte(v)
		letters = append(letters, word...)
	}
	check := key[keyLen-1]
	if strings.IndexByte(consonants, check) < 0 {
		return id, ErrBadAccessKey
	}
	if luhnSum(append(letters, check), 1) != 0 {
		return [16]byte{}, ErrBadAccessKey
	}
	return id, nil
}

// luhnSum is the Luhn mod 16 sum of letters, mod 16: from the right, the
// values are multiplied alternately by first and the other of 1 and 2,
// and the base-16 digits of the products are added.
func luhnSum(letters []byte, first int) int {
	sum, factor := 0, first
	for i := len(letters) - 1; i >= 0; i-- {
		v := letterValue(letters[i]) * factor
		sum += v/16 + v%16
		factor = 3 - factor
	}
	return sum % 16
}

// letterValue is the value of a key letter: its index among the consonants
// or the vowels.
func letterValue(c byte) int {
	if n := strings.IndexByte(consonants, c); n >= 0 {
		return n
	}
	return strings.IndexByte(vowels, c)
}

// KeyPrefix returns what a log may show of an access key: its first word,
// or "" if it has none.
func KeyPrefix(key string) string {
	word, _, _ := strings.Cut(key, "-")
	if len(word) > 5 {
		return ""
	}
	return word
}

// NewUUID returns a random version 4 UUID in its text form, as
// patient.uuid holds it.
func NewUUID() string {
	var b [16]byte
	rand.Read(b[:]) // never fails (Go 1.24+)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return FormatUUID(b)
}

// FormatUUID writes id in the lower-case 8-4-4-4-12 text form.
func FormatUUID(id [16]byte) string {
	return fmt.Sprintf("%x-%x-%x-%x-%x", id[0:4], id[4:6], id[6:8], id[8:10], id[10:16])
}

// ParseUUID reads the 8-4-4-4-12 text form of a UUID, in either case. The
// error wraps ErrBadUUID for any other text.
func ParseUUID(s string) ([16]byte, error) {
	var id [16]byte
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return id, fmt.Errorf("%w: %q", ErrBadUUID, s)
	}
	hex := s[0:8] + s[9:13] + s[14:18] + s[19:23] + s[24:36]
	for i := range 16 {
		hi, lo := hexValue(hex[2*i]), hexValue(hex[2*i+1])
		if hi < 0 || lo < 0 {
			return [16]byte{}, fmt.Errorf("%w: %q", ErrBadUUID, s)
		}
		id[i] = byte(hi<<4 | lo)
	}
	return id, nil
}

// hexValue is the value of a hex digit, or -1.
func hexValue(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c-'a') + 10
	case 'A' <= c && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// KeyForUUID returns the access key of a patient.uuid text. The error
// wraps ErrBadUUID if the text is not a UUID.
func KeyForUUID(s string) (string, error) {
	id, err := ParseUUID(s)
	if err != nil {
		return "", err
	}
	return AccessKey(id), nil
}
