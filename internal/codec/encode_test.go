package codec_test

import (
	"math"
	"strings"
	"testing"

	"github.com/tabletapi/tabletapi/internal/codec"
)

func TestEncode(t *testing.T) {
	tests := []struct {
		name string
		in   codec.Value
		want string
	}{
		{"Null", codec.Null(), "NULL"},
		{"UnknownKindIsNull", codec.Value{Kind: 99, Int: 5}, "NULL"},
		{"Int", codec.Int(42), "42"},
		{"IntNegative", codec.Int(-3), "-3"},
		{"IntMin", codec.Int(math.MinInt64), "-9223372036854775808"},
		{"Real", codec.Real(1.83), "1.83"},
		{"RealWhole", codec.Real(67), "67.0"},
		{"RealSmall", codec.Real(0.00001), "0.00001"},
		{"RealLarge", codec.Real(1e20), "100000000000000000000.0"},
		{"RealShortest", codec.Real(math.Nextafter(0.3, 1)), "0.30000000000000004"},
		{"RealNegative", codec.Real(-72.5), "-72.5"},
		{"RealZero", codec.Real(0), "0.0"},
		{"RealMinusZero", codec.Real(math.Copysign(0, -1)), "-0.0"},
		{"RealTiny", codec.Real(5e-324), "0." + strings.Repeat("0", 323) + "5"},
		{"RealNaN", codec.Real(math.NaN()), "NULL"},
		{"RealInf", codec.Real(math.Inf(1)), "NULL"},
		{"RealMinusInf", codec.Real(math.Inf(-1)), "NULL"},
		{"Text", codec.Text("a"), "'a'"},
		{"TextEmpty", codec.Text(""), "''"},
		{"TextQuote", codec.Text("it's"), "'it''s'"},
		{"TextEscapes", codec.Text("a\nb\rc\\d\te"), `'a\nb\rc\\d` + "\te'"},
		{"TextNULL", codec.Text("NULL"), "'NULL'"},
		{"TextVersion", codec.Text("2.4.24"), "'2.4.24'"},
		{"Bytes", codec.Bytes([]byte{0x01, 0xff}), "64'Af8='"},
		{"BytesEmpty", codec.Bytes(nil), "64''"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := encode(tt.in); got != tt.want {
				t.Errorf("EncodeList([%+v]) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
