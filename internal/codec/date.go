package codec

import (
	"errors"
	"fmt"
	"time"
)

// ErrDate is wrapped by the errors of ParseDate.
var ErrDate = errors.New("codec: invalid date")

// Date is a calendar date without a time or zone.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// ParseDate parses a date written YYYY-MM-DD that is a valid date of the
// (proleptic Gregorian) calendar with a year from 0001 to 9999. The error
// wraps ErrDate and quotes at most 100 characters of s.
func ParseDate(s string) (Date, error) {
	d, ok := parseDate(s)
	if !ok {
		return Date{}, fmt.Errorf("%w: %s", ErrDate, appendRepr(nil, s, maxLiteral))
	}
	return d, nil
}

// parseDate is ParseDate without the error value: scanDate, and the year
// 0001 or later.
func parseDate(s string) (Date, bool) {
	d, ok := scanDate(s)
	if !ok || d.Year < 1 {
		return Date{}, false
	}
	return d, true
}

// scanDate parses the date production of PROTOCOL.md, 7.6: YYYY-MM-DD, a
// valid date of the proleptic Gregorian calendar. The grammar has no year
// range, so the year 0000 (a leap year) passes.
func scanDate(s string) (Date, bool) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return Date{}, false
	}
	y, ok1 := num(s, 0, 4)
	m, ok2 := num(s, 5, 2)
	d, ok3 := num(s, 8, 2)
	if !ok1 || !ok2 || !ok3 || m < 1 || m > 12 || d < 1 || d > daysIn(time.Month(m), y) {
		return Date{}, false
	}
	return Date{Year: y, Month: time.Month(m), Day: d}, true
}

// String returns the date written YYYY-MM-DD.
func (d Date) String() string {
	b := make([]byte, 0, 10)
	b = appendNum(b, d.Year, 4)
	b = append(b, '-')
	b = appendNum(b, int(d.Month), 2)
	b = append(b, '-')
	b = appendNum(b, d.Day, 2)
	return string(b)
}

// Time returns midnight UTC at the start of the date.
func (d Date) Time() time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC)
}

// daysIn returns the number of days of month m in year y.
func daysIn(m time.Month, y int) int {
	switch m {
	case time.February:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case time.April, time.June, time.September, time.November:
		return 30
	}
	return 31
}

// num parses the n decimal digits of s at byte i. s must be long enough.
func num(s string, i, n int) (int, bool) {
	v := 0
	for _, c := range []byte(s[i : i+n]) {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, true
}

// appendNum appends v in decimal, zero-padded to at least n digits.
func appendNum(b []byte, v, n int) []byte {
	if v < 0 {
		b = append(b, '-')
		v = -v
	}
	var buf [20]byte
	i := len(buf)
	for v > 0 || n > 0 || i == len(buf) {
		i--
		buf[i] = byte('0' + v%10)
		v /= 10
		n--
	}
	return append(b, buf[i:]...)
}
