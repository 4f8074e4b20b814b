package codec

import (
	"errors"
	"fmt"
	"time"
)

// ErrDateTime is wrapped by the errors of ParseDateTime.
var ErrDateTime = errors.New("codec: invalid date-time")

// DateTime is an instant with microsecond precision, together with the UTC
// offset the client wrote it in (PROTOCOL.md, 7.6). The zero value is
// 1970-01-01T00:00:00 UTC.
type DateTime struct {
	us  int64 // microseconds since 1970-01-01T00:00:00Z
	off int32 // seconds east of UTC, a whole number of minutes
}

// NewDateTime returns the instant t, truncated to the microsecond, with t's
// UTC offset truncated to whole minutes.
func NewDateTime(t time.Time) DateTime {
	_, off := t.Zone()
	return DateTime{us: t.UnixMicro(), off: int32(off / 60 * 60)}
}

// ParseDateTime parses s by the grammar of PROTOCOL.md, 7.6:
//
//	datetime = date [ sep time [ zone ] ]
//	date     = 4DIGIT "-" 2DIGIT "-" 2DIGIT
//	sep      = "T" / "t" / " "
//	time     = 2DIGIT ":" 2DIGIT [ ":" 2DIGIT [ ( "." / "," ) 1*9DIGIT ] ]
//	zone     = "Z" / "z" / ( "+" / "-" ) 2DIGIT [ ":" ] 2DIGIT
//
// The date must be valid with a year from 0001 to 9999 (as the reference's
// Python datetime requires); hour 0–23, minute and second 0–59, offset
// hours 0–23 and offset minutes 0–59. Without a zone the time is UTC; a bare
// date is 00:00:00 UTC. Fraction digits beyond microseconds are dropped. The
// error wraps ErrDateTime and quotes at most 100 characters of s.
func ParseDateTime(s string) (DateTime, error) {
	d, ok := parseDateTime(s)
	if !ok {
		return DateTime{}, fmt.Errorf("%w: %s", ErrDateTime, appendRepr(nil, s, maxLiteral))
	}
	return d, nil
}

// parseDateTime is ParseDateTime without the error value: scanDateTime,
// and the year 0001 or later.
func parseDateTime(s string) (DateTime, bool) {
	w, ok := scanDateTime(s)
	if !ok || w.date.Year < 1 {
		return DateTime{}, false
	}
	local := time.Date(w.date.Year, w.date.Month, w.date.Day, w.hour, w.minute, w.sec, 0, time.UTC).Unix()
	return DateTime{us: (local-int64(w.off))*1e6 + int64(w.us), off: int32(w.off)}, true
}

// written is a date-time's fields as the client wrote them.
type written struct {
	date                  Date
	hour, minute, sec, us int
	off                   int // seconds east of UTC
}

// DatePart returns the date part of s, as written (a zone does not move
// it), when s is a date or a date-time in the grammar of PROTOCOL.md, 7.6
// with every field in range. The grammar has no year range, so, unlike
// ParseDate and ParseDateTime, which need a year a stored value can hold,
// it accepts the year 0000. It is how validate_patients reads a DOB
// (PROTOCOL.md, 6.10).
func DatePart(s string) (Date, bool) {
	w, ok := scanDateTime(s)
	return w.date, ok
}

// scanDateTime parses s by the grammar of PROTOCOL.md, 7.6, with every
// field in range and any year from 0000 to 9999.
func scanDateTime(s string) (written, bool) {
	if len(s) < 10 {
		return written{}, false
	}
	var w written
	var ok bool
	if w.date, ok = scanDate(s[:10]); !ok {
		return written{}, false
	}
	if i := 10; i < len(s) {
		if c := s[i]; c != 'T' && c != 't' && c != ' ' {
			return written{}, false
		}
		if w.hour, w.minute, w.sec, w.us, i, ok = parseClock(s, i+1); !ok {
			return written{}, false
		}
		if i < len(s) {
			if w.off, i, ok = parseZone(s, i); !ok {
				return written{}, false
			}
		}
		if i != len(s) {
			return written{}, false
		}
	}
	return w, true
}

// parseClock parses the time production at byte i of s and returns its
// fields and the index after it.
func parseClock(s string, i int) (hour, minute, sec, us, next int, ok bool) {
	if len(s) < i+5 || s[i+2] != ':' {
		return 0, 0, 0, 0, 0, false
	}
	hour, ok1 := num(s, i, 2)
	minute, ok2 := num(s, i+3, 2)
	if !ok1 || !ok2 || hour > 23 || minute > 59 {
		return 0, 0, 0, 0, 0, false
	}
	i += 5
	if i == len(s) || s[i] != ':' {
		return hour, minute, 0, 0, i, true
	}
	if len(s) < i+3 {
		return 0, 0, 0, 0, 0, false
	}
	sec, ok = num(s, i+1, 2)
	if !ok || sec > 59 {
		return 0, 0, 0, 0, 0, false
	}
	i += 3
	if i == len(s) || (s[i] != '.' && s[i] != ',') {
		return hour, minute, sec, 0, i, true
	}
	i++
	n := digits(s, i) - i
	if n < 1 || n > 9 {
		return 0, 0, 0, 0, 0, false
	}
	// Keep the first six digits, padded with zeros: truncation, not rounding.
	for k := range 6 {
		us *= 10
		if k < n {
			us += int(s[i+k] - '0')
		}
	}
	return hour, minute, sec, us, i + n, true
}

// parseZone parses the zone production at byte i of s and returns the
// offset in seconds east of UTC and the index after it.
func parseZone(s string, i int) (off, next int, ok bool) {
	switch s[i] {
	case 'Z', 'z':
		return 0, i + 1, true
	case '+', '-':
	default:
		return 0, 0, false
	}
	j := i + 3
	if j < len(s) && s[j] == ':' {
		j++
	}
	if len(s) < j+2 {
		return 0, 0, false
	}
	h, ok1 := num(s, i+1, 2)
	m, ok2 := num(s, j, 2)
	if !ok1 || !ok2 || h > 23 || m > 59 {
		return 0, 0, false
	}
	off = h*3600 + m*60
	if s[i] == '-' {
		off = -off
	}
	return off, j + 2, true
}

// Time returns the instant in a fixed zone with the client's offset (UTC
// when the offset is zero).
func (d DateTime) Time() time.Time {
	t := time.UnixMicro(d.us)
	if d.off == 0 {
		return t.UTC()
	}
	return t.In(time.FixedZone("", int(d.off)))
}

// Offset returns the client's UTC offset in seconds east of UTC.
func (d DateTime) Offset() int { return int(d.off) }

// Equal reports whether d and e are the same instant. The offsets do not
// matter: 10:00+01:00 equals 09:00+00:00.
func (d DateTime) Equal(e DateTime) bool { return d.us == e.us }

// String returns the storage form, like the reference's:
// 2016-06-02T10:04:03.588000+01:00, always with six fraction digits and a
// ±HH:MM offset (+00:00 for UTC).
func (d DateTime) String() string {
	local := time.UnixMicro(d.us + int64(d.off)*1e6).UTC()
	year, month, day := local.Date()
	hour, minute, sec := local.Clock()
	b := make([]byte, 0, 32)
	b = appendNum(b, year, 4)
	b = append(b, '-')
	b = appendNum(b, int(month), 2)
	b = append(b, '-')
	b = appendNum(b, day, 2)
	b = append(b, 'T')
	b = appendNum(b, hour, 2)
	b = append(b, ':')
	b = appendNum(b, minute, 2)
	b = append(b, ':')
	b = appendNum(b, sec, 2)
	b = append(b, '.')
	b = appendNum(b, local.Nanosecond()/1000, 6)
	off := int(d.off)
	if off < 0 {
		b = append(b, '-')
		off = -off
	} else {
		b = append(b, '+')
	}
	b = appendNum(b, off/3600, 2)
	b = append(b, ':')
	b = appendNum(b, off/60%60, 2)
	return string(b)
}

// ISOString returns d as Python's isoformat writes a date-time with a
// fixed offset, the form of the reference's JSON replies (PROTOCOL 6.7):
// String without the fraction when it is zero, e.g.
// 2025-01-23T10:00:00+00:00 or 2025-01-23T10:00:00.250000+01:00.
func (d DateTime) ISOString() string {
	s := d.String()
	if d.us%1e6 == 0 {
		return s[:19] + s[26:]
	}
	return s
}
