package codec_test

import (
	"math"
	"testing"

	"github.com/tabletapi/tabletapi/internal/codec"
)

func TestRepr(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"Plain", "a", `'a'`},
		{"Empty", "", `''`},
		{"Apostrophe", "it's", `"it's"`},
		{"OnlyApostrophe", "'", `"'"`},
		{"DoubleQuote", `say "hi"`, `'say "hi"'`},
		{"Both", `both ' and "`, `'both \' and "'`},
		{"BackslashSingle", `C:\temp`, `'C:\\temp'`},
		{"BackslashDouble", `it's C:\`, `"it's C:\\"`},
		{"EscapedQuoteInDouble", `"it's"`, `'"it\'s"'`},
		{"Whitespace", "a\nb\tc\rd e", `'a\nb\tc\rd e'`},
		{"Controls", "\x00\x01\x1b\x1f\x7f", `'\x00\x01\x1b\x1f\x7f'`},
		{"NonASCII", "é日本😀", `'é日本😀'`},
		{"NoBreakSpace", "\u00a0", `'\xa0'`},
		{"C1Control", "\u0085", `'\x85'`},
		{"SoftHyphen", "\u00ad", `'\xad'`},
		{"ZeroWidthSpace", "\u200b", `'\u200b'`},
		{"LineSeparator", "\u2028", `'\u2028'`},
		{"Tag", "\U000e0001", `'\U000e0001'`},
		{"InvalidUTF8", "a\xffb", `'a\xffb'`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := codec.Repr(tt.in); got != tt.want {
				t.Errorf("Repr(%q) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

func TestReprValue(t *testing.T) {
	tests := []struct {
		name string
		in   codec.Value
		want string
	}{
		{"None", codec.Null(), "None"},
		{"Int", codec.Int(-3), "-3"},
		{"Real", codec.Real(1.5), "1.5"},
		{"RealWhole", codec.Real(67), "67.0"},
		{"RealLarge", codec.Real(1e20), "1e+20"},
		{"Real1e16", codec.Real(1e16), "1e+16"},
		{"RealBelow1e16", codec.Real(9999999999999998), "9999999999999998.0"},
		{"Real1e15", codec.Real(1e15), "1000000000000000.0"},
		{"RealSmall", codec.Real(0.0001), "0.0001"},
		{"RealSmaller", codec.Real(0.00001), "1e-05"},
		{"RealMantissa", codec.Real(1.5e300), "1.5e+300"},
		{"RealNegSmall", codec.Real(-1.25e-7), "-1.25e-07"},
		{"RealDenormal", codec.Real(5e-324), "5e-324"},
		{"RealZero", codec.Real(0), "0.0"},
		{"RealMinusZero", codec.Real(math.Copysign(0, -1)), "-0.0"},
		{"RealInf", codec.Real(math.Inf(1)), "inf"},
		{"RealMinusInf", codec.Real(math.Inf(-1)), "-inf"},
		{"RealNaN", codec.Real(math.NaN()), "nan"},
		{"Text", codec.Text("it's"), `"it's"`},
		{"Bytes", codec.Bytes([]byte{0x01, 'a', '\\', '\n', 0x7f, 0xff}), `b'\x01a\\\n\x7f\xff'`},
		{"BytesApostrophe", codec.Bytes([]byte("it's")), `b"it's"`},
		{"BytesBoth", codec.Bytes([]byte(`'"`)), `b'\'"'`},
		{"BytesEmpty", codec.Bytes(nil), `b''`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := codec.ReprValue(tt.in); got != tt.want {
				t.Errorf("ReprValue(%+v) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}
