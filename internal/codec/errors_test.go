package codec_test

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tabletapi/tabletapi/internal/codec"
	"github.com/tabletapi/tabletapi/internal/fault"
)

func TestInvalidValueError(t *testing.T) {
	const prefix = "Invalid value for field 'mass_kg' in table 'bmi', record 3: "
	tests := []struct {
		name, raw, literal string
	}{
		{"Quoted", "'heavy'", `"'heavy'"`},
		{"Bare", "abc", `'abc'`},
		{"Empty", "", `''`},
		{"Newline", "'a\nb'", `"'a\nb'"`},
		{"Exactly100", strings.Repeat("a", 98), "'" + strings.Repeat("a", 98) + "'"},
		{"Cut101", strings.Repeat("a", 99), "'" + strings.Repeat("a", 99)},
		{"CutLong", strings.Repeat("a", 5000), "'" + strings.Repeat("a", 99)},
		{"CutInsideEscape", strings.Repeat("\n", 60), "'" + strings.Repeat(`\n`, 49) + `\`},
		{"CutCountsRunes", strings.Repeat("é", 150), "'" + strings.Repeat("é", 99)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := codec.InvalidValueError("bmi", "mass_kg", 3, tt.raw)
			var f *fault.Error
			if !errors.As(err, &f) || f.Kind != fault.Refused {
				t.Fatalf("error %#v is not a Refused *fault.Error", err)
			}
			if got, want := f.Message, prefix+tt.literal; got != want {
				t.Errorf("Message = %q, want %q", got, want)
			}
			if n := utf8.RuneCountInString(strings.TrimPrefix(f.Message, prefix)); n > 100 {
				t.Errorf("literal has %d characters", n)
			}
			// The literal may be patient data: the log never sees it.
			if got, want := err.Error(), strings.TrimSuffix(prefix, ": "); f.Log != want || got != want {
				t.Errorf("Log = %q, Error() = %q, want %q", f.Log, got, want)
			}
		})
	}
}
