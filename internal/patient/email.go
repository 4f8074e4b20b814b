package patient

import (
	"regexp"
	"unicode/utf8"
)

// emailPattern is the e-mail rule of PROTOCOL.md 6.10, case-insensitive and
// anchored to the whole string (Go's $ does not match before a final
// newline). A compiled Regexp is immutable and safe for concurrent use.
var emailPattern = regexp.MustCompile(
	"(?i)^[A-Z0-9._%!#$&'*+,\\-/=?^_`{|}~()]+@[A-Z0-9]+([.-][A-Z0-9]+)*\\.[A-Z]{2,22}$")

// maxEmailLen is the limit of PROTOCOL.md 10.2, in characters.
const maxEmailLen = 255

// validEmail reports whether a non-empty e-mail address is acceptable.
func validEmail(s string) bool {
	return utf8.RuneCountInString(s) <= maxEmailLen && emailPattern.MatchString(s)
}
