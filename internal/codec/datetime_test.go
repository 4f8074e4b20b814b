package codec_test

import (
	"errors"
	"testing"
	"time"

	"github.com/tabletapi/tabletapi/internal/codec"
)

func TestParseDateTime(t *testing.T) {
	tests := []struct {
		in   string
		want string // String() of the result
	}{
		{"2016-06-02T10:04:03.588+01:00", "2016-06-02T10:04:03.588000+01:00"},
		{"2016-06-02T10:04:03.588000+01:00", "2016-06-02T10:04:03.588000+01:00"},
		{"2016-06-02", "2016-06-02T00:00:00.000000+00:00"},
		{"2016-06-02T10:04", "2016-06-02T10:04:00.000000+00:00"},
		{"2016-06-02t10:04:03", "2016-06-02T10:04:03.000000+00:00"},
		{"2016-06-02 10:04:03", "2016-06-02T10:04:03.000000+00:00"},
		{"2016-06-02T10:04Z", "2016-06-02T10:04:00.000000+00:00"},
		{"2016-06-02T10:04:03z", "2016-06-02T10:04:03.000000+00:00"},
		{"2016-06-02T10:04:03,5Z", "2016-06-02T10:04:03.500000+00:00"},
		{"2016-06-02T10:04:03.1", "2016-06-02T10:04:03.100000+00:00"},
		{"2016-06-02T10:04:03.123456789+00:00", "2016-06-02T10:04:03.123456+00:00"},
		{"2016-06-02T10:04:03.999999999-00:00", "2016-06-02T10:04:03.999999+00:00"},
		{"2016-06-02T10:04:03-0530", "2016-06-02T10:04:03.000000-05:30"},
		{"2016-06-02T10:04+0100", "2016-06-02T10:04:00.000000+01:00"},
		{"2016-06-02T10:04:03+23:59", "2016-06-02T10:04:03.000000+23:59"},
		{"2016-06-02T10:04:03-23:59", "2016-06-02T10:04:03.000000-23:59"},
		{"2024-02-29T23:59:59.999999+00:00", "2024-02-29T23:59:59.999999+00:00"},
		{"2000-02-29T00:00:00Z", "2000-02-29T00:00:00.000000+00:00"},
		{"0001-01-01T00:00:00+01:00", "0001-01-01T00:00:00.000000+01:00"},
		{"9999-12-31T23:59:59.999999-23:59", "9999-12-31T23:59:59.999999-23:59"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			d, err := codec.ParseDateTime(tt.in)
			if err != nil {
				t.Fatalf("ParseDateTime(%q): %v", tt.in, err)
			}
			if got := d.String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseDateTime_Refused(t *testing.T) {
	tests := []struct{ name, in string }{
		{"Empty", ""},
		{"Month13", "2016-13-01T00:00:00Z"},
		{"Month0", "2016-00-01"},
		{"Day0", "2016-01-00"},
		{"Feb30", "2016-02-30T00:00:00Z"},
		{"Feb29NotLeap", "2023-02-29"},
		{"Feb29Century", "1900-02-29"},
		{"Year0", "0000-01-01"},
		{"Hour24", "2016-06-02T24:00:00Z"},
		{"Minute60", "2016-06-02T10:60"},
		{"Second60", "2016-06-02T10:00:60"},
		{"Offset24", "2016-06-02T10:00:00+24:00"},
		{"OffsetMinute60", "2016-06-02T10:00:00+01:60"},
		{"HourOnly", "2024-01-01T10"},
		{"OneDigitMinute", "2024-01-01T10:0"},
		{"EmptyFraction", "2024-01-01T10:00:00."},
		{"TenFractionDigits", "2024-01-01T10:00:00.1234567890"},
		{"FractionWithoutSeconds", "2024-01-01T10:00.5"},
		{"TrailingGarbage", "2024-01-01T10:00:00Zx"},
		{"TrailingSpace", "2024-01-01T10:00:00 "},
		{"LeadingSpace", " 2024-01-01T10:00:00"},
		{"SpaceBeforeZone", "2024-01-01T10:00:00 +01:00"},
		{"OffsetHoursOnly", "2024-01-01T10:00:00+01"},
		{"OffsetOneDigit", "2024-01-01T10:00:00+1:00"},
		{"OffsetDoubleColon", "2024-01-01T10:00:00+01::00"},
		{"OffsetSeconds", "2024-01-01T10:00:00+01:00:00"},
		{"ZoneOnDate", "2024-01-01Z"},
		{"SepOnly", "2024-01-01T"},
		{"BadSep", "2024-01-01X10:00"},
		{"UnderscoreSep", "2024-01-01_10:00"},
		{"ShortMonth", "2024-1-01"},
		{"BadDigit", "2024-01-01T1a:00"},
		{"SignedMinute", "2024-01-01T10:+0"},
		{"FullWidthDigits", "２０２４-01-01"},
		{"Slashes", "2024/01/01"},
		{"UTCWord", "2024-01-01T10:00:00UTC"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := codec.ParseDateTime(tt.in)
			if !errors.Is(err, codec.ErrDateTime) {
				t.Fatalf("ParseDateTime(%q) = %v, %v; want ErrDateTime", tt.in, d, err)
			}
		})
	}
	_, err := codec.ParseDateTime("2024-13-01")
	if want := `codec: invalid date-time: '2024-13-01'`; err.Error() != want {
		t.Errorf("error = %q, want %q", err, want)
	}
}

func TestDateTime_Equal(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"2024-01-01T10:00:00.000+01:00", "2024-01-01T09:00:00.000+00:00", true},
		{"2024-01-01T10:00:00.000+01:00", "2024-01-01T09:00:00.001+00:00", false},
		{"2024-01-01T00:30:00-01:00", "2024-01-01T01:30:00Z", true},
		{"2024-01-01T00:30:00+01:00", "2023-12-31T23:30:00Z", true},
		{"2024-01-01", "2024-01-01T00:00:00.000000+00:00", true},
		{"2024-01-01T10:00", "2024-01-01T10:00:00Z", true},
		{"2024-01-01T10:00:00.1234569Z", "2024-01-01T10:00:00.123456Z", true},
		{"2024-01-01T10:00:00.123456789Z", "2024-01-01T10:00:00.123457Z", false},
		{"2024-01-01T10:00:00.000001Z", "2024-01-01T10:00:00Z", false},
	}
	for _, tt := range tests {
		a, b := mustDateTime(t, tt.a), mustDateTime(t, tt.b)
		if got := a.Equal(b); got != tt.want {
			t.Errorf("%s Equal %s = %v, want %v", tt.a, tt.b, got, tt.want)
		}
		if got := b.Equal(a); got != tt.want {
			t.Errorf("%s Equal %s = %v, want %v", tt.b, tt.a, got, tt.want)
		}
	}
}

func TestDateTime_Time(t *testing.T) {
	d := mustDateTime(t, "2016-06-02T10:04:03.588123456+01:30")
	tm := d.Time()
	if want := time.Date(2016, 6, 2, 8, 34, 3, 588123000, time.UTC); !tm.Equal(want) {
		t.Errorf("Time() = %v, want %v", tm, want)
	}
	if _, off := tm.Zone(); off != 5400 || d.Offset() != 5400 {
		t.Errorf("offset = %d, Offset() = %d; want 5400", off, d.Offset())
	}
	if tm.Hour() != 10 || tm.Minute() != 4 {
		t.Errorf("Time() is not in the client's zone: %v", tm)
	}
	if loc := mustDateTime(t, "2016-06-02").Time().Location(); loc != time.UTC {
		t.Errorf("zero offset: location %v, want UTC", loc)
	}
	back := codec.NewDateTime(tm)
	if !back.Equal(d) || back.Offset() != d.Offset() || back.String() != d.String() {
		t.Errorf("NewDateTime(Time()) = %v, want %v", back, d)
	}
	n := codec.NewDateTime(time.Date(2024, 5, 1, 9, 31, 12, 345678999, time.FixedZone("", -3600)))
	if want := "2024-05-01T09:31:12.345678-01:00"; n.String() != want {
		t.Errorf("NewDateTime: %v, want %s", n, want)
	}
	var zero codec.DateTime
	if want := "1970-01-01T00:00:00.000000+00:00"; zero.String() != want {
		t.Errorf("zero value: %v, want %s", zero, want)
	}
}

// TestDatePart: DatePart reads the grammar of 7.6 as ParseDateTime does and
// gives the date as written; only the year 0000 is accepted by DatePart
// alone.
func TestDatePart(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		tests := []struct{ in, want string }{
			{"1980-02-29", "1980-02-29"},
			{"2000-02-29 10:04", "2000-02-29"},
			{"1980-02-29T23:30:00.123456+05:30", "1980-02-29"},
			{"1980-02-29T23:00:00-05:00", "1980-02-29"}, // the zone does not move the date
			{"2016-06-02t10:04:03,5z", "2016-06-02"},
			{"2016-06-02T10:04Z", "2016-06-02"},
			{"2016-06-02T10:04:03-0530", "2016-06-02"},
			{"2016-06-02T10:04:03.123456789+23:59", "2016-06-02"},
			{"9999-12-31T23:59:59.999999-23:59", "9999-12-31"},
			{"0001-01-01", "0001-01-01"},
			{"0000-01-01", "0000-01-01"},
			{"0000-02-29", "0000-02-29"}, // 0000 is a leap year, as 2000 is
			{"0000-12-31T23:59:59+01:00", "0000-12-31"},
		}
		for _, tt := range tests {
			d, ok := codec.DatePart(tt.in)
			if !ok || d.String() != tt.want {
				t.Errorf("DatePart(%q) = %v, %v; want %s", tt.in, d, ok, tt.want)
			}
			if _, err := codec.ParseDateTime(tt.in); (err == nil) != (d.Year > 0) {
				t.Errorf("ParseDateTime(%q): %v, but DatePart accepts it", tt.in, err)
			}
		}
	})
	t.Run("Refused", func(t *testing.T) {
		for _, s := range []string{
			"", "0000-02-30", "1900-02-29", "2023-02-29", "2016-13-01", "2016-00-01", "2016-01-00",
			"2016-06-02T24:00", "2016-06-02T10:60", "2016-06-02T10:00:60", "2016-06-02T10",
			"2016-06-02T10:00:00.", "2016-06-02T10:00:00.1234567890", "2016-06-02T10:00.5",
			"2016-06-02T10:00:00+24:00", "2016-06-02T10:00:00+01:60", "2016-06-02T10:00:00+01",
			"2016-06-02T10:00:00+01::00", "2016-06-02T10:00:00Zz", "2016-06-02Z", "2016-06-02T",
			"2016-06-02X10:00", "2016-06-02 ", " 2016-06-02", "2016/06/02", "+016-06-02",
		} {
			if d, ok := codec.DatePart(s); ok {
				t.Errorf("DatePart(%q) = %v, want refused", s, d)
			}
		}
	})
}

func TestDateTime_ISOString(t *testing.T) {
	for in, want := range map[string]string{
		"2025-01-23T10:00:00Z":             "2025-01-23T10:00:00+00:00",
		"2025-01-23T10:00:00.25+01:00":     "2025-01-23T10:00:00.250000+01:00",
		"2025-01-23T10:00:00.000001-05:30": "2025-01-23T10:00:00.000001-05:30",
		"1969-12-31T23:59:59.5Z":           "1969-12-31T23:59:59.500000+00:00",
		"1969-12-31T23:59:58Z":             "1969-12-31T23:59:58+00:00",
	} {
		d, err := codec.ParseDateTime(in)
		if err != nil || d.ISOString() != want {
			t.Errorf("ISOString(%s) = %q, %v; want %q", in, d.ISOString(), err, want)
		}
	}
}
