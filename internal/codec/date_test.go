package codec_test

import (
	"errors"
	"testing"
	"time"

	"github.com/tabletapi/tabletapi/internal/codec"
)

func TestParseDate(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		for _, s := range []string{"2000-01-31", "2000-02-29", "2024-12-31", "0001-01-01", "9999-12-31", "1999-04-30"} {
			d, err := codec.ParseDate(s)
			if err != nil {
				t.Errorf("ParseDate(%q): %v", s, err)
				continue
			}
			if d.String() != s {
				t.Errorf("ParseDate(%q).String() = %q", s, d.String())
			}
			if got := d.Time().Format(time.DateOnly); got != s {
				t.Errorf("ParseDate(%q).Time() = %q", s, got)
			}
		}
		d, _ := codec.ParseDate("2000-01-31")
		if want := (codec.Date{Year: 2000, Month: time.January, Day: 31}); d != want {
			t.Errorf("ParseDate = %+v, want %+v", d, want)
		}
	})
	t.Run("ErrDate", func(t *testing.T) {
		for _, s := range []string{
			"", "2000-01-32", "2000-04-31", "1900-02-29", "2023-02-29", "2000-13-01", "2000-00-01",
			"0000-01-01", "2000-1-31", "2000-01-3", "2000-01-31T00:00", "2000-01-31 ", "20000131",
			"2000/01/31", "+200-01-31",
		} {
			if _, err := codec.ParseDate(s); !errors.Is(err, codec.ErrDate) {
				t.Errorf("ParseDate(%q) = %v, want ErrDate", s, err)
			}
		}
	})
}
