package codec

import (
	"errors"
	"fmt"
)

// ErrTime is wrapped by the errors of ParseTime.
var ErrTime = errors.New("codec: invalid time")

// Time is a time of day without a date or zone, to the microsecond.
type Time struct {
	Hour        int
	Minute      int
	Second      int
	Microsecond int
}

// ParseTime parses a time of day written HH:MM:SS, optionally followed by
// "." and one to six fraction digits (PROTOCOL.md, 7.5): hour 0–23, minute
// and second 0–59. The client sends 'HH:mm:ss'; the fraction is accepted
// because both databases keep microseconds, and refused beyond them rather
// than silently cut. The error wraps ErrTime and quotes at most 100
// characters of s.
func ParseTime(s string) (Time, error) {
	t, ok := parseTime(s)
	if !ok {
		return Time{}, fmt.Errorf("%w: %s", ErrTime, appendRepr(nil, s, maxLiteral))
	}
	return t, nil
}

// parseTime is ParseTime without the error value.
func parseTime(s string) (Time, bool) {
	if len(s) < 8 || s[2] != ':' || s[5] != ':' {
		return Time{}, false
	}
	h, ok1 := num(s, 0, 2)
	m, ok2 := num(s, 3, 2)
	sec, ok3 := num(s, 6, 2)
	if !ok1 || !ok2 || !ok3 || h > 23 || m > 59 || sec > 59 {
		return Time{}, false
	}
	t := Time{Hour: h, Minute: m, Second: sec}
	if len(s) == 8 {
		return t, true
	}
	n := len(s) - 9
	if s[8] != '.' || n < 1 || n > 6 {
		return Time{}, false
	}
	us, ok := num(s, 9, n)
	if !ok {
		return Time{}, false
	}
	for range 6 - n {
		us *= 10
	}
	t.Microsecond = us
	return t, true
}

// String returns the storage form: HH:MM:SS, followed by six fraction
// digits only when the fraction is not zero. Equal times give equal
// strings, so '10:00:00' and '10:00:00.000000' are stored alike and an
// unchanged record compares equal whichever the client sent.
func (t Time) String() string {
	b := make([]byte, 0, 15)
	b = appendNum(b, t.Hour, 2)
	b = append(b, ':')
	b = appendNum(b, t.Minute, 2)
	b = append(b, ':')
	b = appendNum(b, t.Second, 2)
	if t.Microsecond != 0 {
		b = append(b, '.')
		b = appendNum(b, t.Microsecond, 6)
	}
	return string(b)
}
