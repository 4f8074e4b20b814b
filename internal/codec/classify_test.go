package codec_test

import (
	"math"
	"testing"

	"github.com/tabletapi/tabletapi/internal/codec"
)

func TestClassify(t *testing.T) {
	tests := []struct {
		name string
		item string
		want codec.Value
	}{
		// Rule 1 and 2.
		{"EmptyNull", "", codec.Null()},
		{"NULL", "NULL", codec.Null()},
		{"NullLower", "null", codec.Null()},
		{"NullMixed", "nUlL", codec.Null()},
		{"NullsIsText", "NULLS", codec.Text("NULLS")},

		// Rule 3.
		{"Hex", "X'01FF'", codec.Bytes([]byte{0x01, 0xff})},
		{"HexLowerDigits", "X'01ff'", codec.Bytes([]byte{0x01, 0xff})},
		{"HexSpaces", "X '01 F\nF'", codec.Bytes([]byte{0x01, 0xff})},
		{"HexLowerXIsText", "x'01'", codec.Text("x'01'")},
		{"HexOddIsText", "X'012'", codec.Text("X'012'")},
		{"HexEmptyIsText", "X''", codec.Text("X''")},
		{"HexBadDigitIsText", "X'0G'", codec.Text("X'0G'")},

		// Rule 4.
		{"Base64", "64'Af8='", codec.Bytes([]byte{0x01, 0xff})},
		{"Base64Empty", "64''", codec.Bytes([]byte{})},
		{"Base64TwoPad", "64'AQ=='", codec.Bytes([]byte{0x01})},
		{"Base64NoPad", "64'QUJD'", codec.Bytes([]byte("ABC"))},
		{"Base64Lines", "64'QUJD\r\nREVG'", codec.Bytes([]byte("ABCDEF"))},
		{"Base64Spaces", "6 4 ' QUJD '", codec.Bytes([]byte("ABC"))},
		{"Base64BadPadBitsIsText", "64'AR=='", codec.Text("64'AR=='")},
		{"Base64BadPadBits1IsText", "64'Af9='", codec.Text("64'Af9='")},
		{"Base64UnpaddedIsText", "64'Af8'", codec.Text("64'Af8'")},
		{"Base64ThreePadIsText", "64'A==='", codec.Text("64'A==='")},
		{"Base64PadInsideIsText", "64'AQ==QUJD'", codec.Text("64'AQ==QUJD'")},
		{"Base64URLAlphabetIsText", "64'-_8='", codec.Text("64'-_8='")},

		// Rule 5.
		{"Quoted", "'a'", codec.Text("a")},
		{"QuotedEmpty", "''", codec.Text("")},
		{"QuotedNULL", "'NULL'", codec.Text("NULL")},
		{"QuotedNumber", "'1'", codec.Text("1")},
		{"QuotedBlobLike", "'64''Af8='''", codec.Text("64'Af8='")},
		{"QuotedDoubled", "'it''s'", codec.Text("it's")},
		{"QuotedNewlines", `'a\nb\rc'`, codec.Text("a\nb\rc")},
		{"QuotedBackslash", `'C:\\temp'`, codec.Text(`C:\temp`)},
		{"QuotedOtherEscapes", `'\t\q\''`, codec.Text("tq'")},
		{"QuotedTrailingBackslash", `'a\'`, codec.Text("a")},
		{"QuotedEscapedDoubled", `'\'''`, codec.Text("'")},
		{"QuotedLoneQuoteKept", "'a'b'", codec.Text("a'b")},
		{"QuotedThree", "'''", codec.Text("'")},
		{"QuotedEscapedNonASCII", `'\é'`, codec.Text("é")},
		{"OneQuoteIsText", "'", codec.Text("'")},

		// Rule 6.
		{"Int", "42", codec.Int(42)},
		{"IntLeadingZeros", "007", codec.Int(7)},
		{"IntPlus", "+5", codec.Int(5)},
		{"IntMinusZero", "-0", codec.Int(0)},
		{"IntMax", "9223372036854775807", codec.Int(math.MaxInt64)},
		{"IntMin", "-9223372036854775808", codec.Int(math.MinInt64)},
		{"IntOverflowIsReal", "9223372036854775808", codec.Real(9223372036854775808)},
		{"IntUnderflowIsReal", "-9223372036854775809", codec.Real(-9223372036854775809)},
		{"IntHugeIsReal", "123456789012345678901234567890", codec.Real(1.2345678901234568e29)},

		// Rule 7.
		{"Real", "1.83", codec.Real(1.83)},
		{"RealExp", "1e3", codec.Real(1000)},
		{"RealTrailingDot", "1.", codec.Real(1)},
		{"RealSignedExp", "-2.5e-3", codec.Real(-0.0025)},
		{"RealUpperExp", "1E+2", codec.Real(100)},
		{"RealClientG", "1.23457e+06", codec.Real(1234570)},
		{"RealMinusZero", "-0.0", codec.Real(math.Copysign(0, -1))},
		{"RealNaN", "nan", codec.Real(math.NaN())},
		{"RealNaNSigned", "-NaN", codec.Real(math.NaN())},
		{"RealInf", "+inf", codec.Real(math.Inf(1))},
		{"RealMinusInfinity", "-Infinity", codec.Real(math.Inf(-1))},
		{"RealINFINITY", "INFINITY", codec.Real(math.Inf(1))},
		{"RealOverflow", "1e400", codec.Real(math.Inf(1))},
		{"RealUnderflow", "1e-400", codec.Real(0)},
		{"LeadingDotIsText", ".5", codec.Text(".5")},
		{"BareExpIsText", "1e", codec.Text("1e")},
		{"ExpSignOnlyIsText", "1e+", codec.Text("1e+")},
		{"HexFloatIsText", "0x1p3", codec.Text("0x1p3")},
		{"UnderscoreIsText", "1_000", codec.Text("1_000")},
		{"SignOnlyIsText", "-", codec.Text("-")},
		{"SpacedSignIsText", "- 1", codec.Text("- 1")},
		{"InfinitIsText", "infinit", codec.Text("infinit")},
		{"NanxIsText", "nanx", codec.Text("nanx")},

		// Rule 8.
		{"BareDateTime", "2024-03-01T10:04:03.588+00:00", codec.Text("2024-03-01T10:04:03.588+00:00")},
		{"BareWord", "abc", codec.Text("abc")},
		{"UnbalancedQuote", "'abc", codec.Text("'abc")},

		// Classify is given trimmed items, but does not depend on it.
		{"UntrimmedHex", " X'01'", codec.Bytes([]byte{0x01})},
		{"UntrimmedBase64", "\u00a064'AQ=='", codec.Bytes([]byte{0x01})},
		{"UntrimmedInt", " 1", codec.Text(" 1")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := codec.Classify(tt.item)
			if !sameValue(got, tt.want) {
				t.Errorf("Classify(%q) = %+v, want %+v", tt.item, got, tt.want)
			}
			if got.Raw != tt.item {
				t.Errorf("Classify(%q).Raw = %q, want the item", tt.item, got.Raw)
			}
			if ref := newRefClassifier().classify(tt.item); !sameValue(ref, tt.want) {
				t.Errorf("reference classifier gives %+v; the test case is wrong", ref)
			}
		})
	}
}

func TestParseReal(t *testing.T) {
	tests := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"72.5", 72.5, true},
		{"5", 5, true},
		{"1e-05", 1e-05, true},
		{"-inf", math.Inf(-1), true},
		{"", 0, false},
		{"+", 0, false},
		{".5", 0, false},
		{"1.5 ", 0, false},
		{"1,5", 0, false},
	}
	for _, tt := range tests {
		got, ok := codec.ParseReal(tt.in)
		if ok != tt.ok || got != tt.want {
			t.Errorf("ParseReal(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}
