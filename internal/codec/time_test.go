package codec_test

import (
	"errors"
	"testing"

	"github.com/tabletapi/tabletapi/internal/codec"
)

func TestParseTime(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		tests := []struct {
			in   string
			want codec.Time
			str  string // String() of the result
		}{
			{"10:04:03", codec.Time{Hour: 10, Minute: 4, Second: 3}, "10:04:03"},
			{"00:00:00", codec.Time{}, "00:00:00"},
			{"23:59:59", codec.Time{Hour: 23, Minute: 59, Second: 59}, "23:59:59"},
			{"10:00:00.000000", codec.Time{Hour: 10}, "10:00:00"},
			{"10:00:00.0", codec.Time{Hour: 10}, "10:00:00"},
			{"10:00:00.5", codec.Time{Hour: 10, Microsecond: 500000}, "10:00:00.500000"},
			{"10:00:00.000001", codec.Time{Hour: 10, Microsecond: 1}, "10:00:00.000001"},
			{"23:59:59.999999", codec.Time{Hour: 23, Minute: 59, Second: 59, Microsecond: 999999}, "23:59:59.999999"},
		}
		for _, tt := range tests {
			got, err := codec.ParseTime(tt.in)
			if err != nil || got != tt.want {
				t.Errorf("ParseTime(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
				continue
			}
			if s := got.String(); s != tt.str {
				t.Errorf("ParseTime(%q).String() = %q, want %q", tt.in, s, tt.str)
			}
		}
	})
	t.Run("ErrTime", func(t *testing.T) {
		for _, s := range []string{
			"", "24:00:00", "10:60:00", "10:00:60", "10:00", "1:00:00", "10:0:00", "10:00:0",
			"10:00:00.", "10:00:00.1234567", "10:00:00,5", "10:00:00Z", "10:00:00+01:00", " 10:00:00",
			"10:00:00 ", "10-00-00", "-1:00:00", "1a:00:00", "10:00:00.5x", "10:00:00.-5",
			"2024-01-01T10:00:00",
		} {
			if _, err := codec.ParseTime(s); !errors.Is(err, codec.ErrTime) {
				t.Errorf("ParseTime(%q) = %v, want ErrTime", s, err)
			}
		}
	})
}
