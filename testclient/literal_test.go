package testclient_test

import (
	"math"
	"slices"
	"testing"

	"github.com/tabletapi/tabletapi/testclient"
)

// Short constructors for the tables below.
func vNull() testclient.Value           { return testclient.NullValue() }
func vInt(i int64) testclient.Value     { return testclient.IntValue(i) }
func vReal(f float64) testclient.Value  { return testclient.RealValue(f) }
func vText(s string) testclient.Value   { return testclient.TextValue(s) }
func vBytes(b ...byte) testclient.Value { return testclient.BytesValue(b) }

func TestDecodeLiterals(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want []testclient.Value
	}{
		// PROTOCOL 7.7.
		{
			`7,67,1.83,NULL,'Said ''fine''\nthen left','2024-01-01T10:00:00.000+00:00','2024-01-01T10:05:00.123+00:00',0,3`,
			[]testclient.Value{
				vInt(7), vInt(67), vReal(1.83), vNull(), vText("Said 'fine'\nthen left"),
				vText("2024-01-01T10:00:00.000+00:00"), vText("2024-01-01T10:05:00.123+00:00"), vInt(0), vInt(3),
			},
		},
		{`'a, b'`, []testclient.Value{vText("a, b")}},
		{`'C:\\temp'`, []testclient.Value{vText(`C:\temp`)}},
		{`'NULL'`, []testclient.Value{vText("NULL")}},
		{`null`, []testclient.Value{vNull()}},
		{`64'Af8='`, []testclient.Value{vBytes(1, 0xff)}},
		{`X'01FF'`, []testclient.Value{vBytes(1, 0xff)}},
		{`2024-03-01T10:04:03.588+00:00`, []testclient.Value{vText("2024-03-01T10:04:03.588+00:00")}},
		{`007`, []testclient.Value{vInt(7)}},
		{`+5`, []testclient.Value{vInt(5)}},
		{`1e3`, []testclient.Value{vReal(1000)}},
		{`1.`, []testclient.Value{vReal(1)}},
		{`1,,2`, []testclient.Value{vInt(1), vNull(), vInt(2)}},
		// Step 1 edge cases.
		{``, nil},
		{`1,`, []testclient.Value{vInt(1), vNull()}},
		{` 1 , ' x ' `, []testclient.Value{vInt(1), vText(" x ")}},
		{"'a,\r\nb'", []testclient.Value{vText("a,\r\nb")}},
		{`'unterminated, still`, []testclient.Value{vText(`'unterminated, still`)}},
		{`'',''''`, []testclient.Value{vText(""), vText("'")}},
		// Step 2 edge cases, by rule.
		{`NuLl`, []testclient.Value{vNull()}},
		{`X' 01 ff '`, []testclient.Value{vBytes(1, 0xff)}},
		{`x'01FF'`, []testclient.Value{vText(`x'01FF'`)}},
		{`X''`, []testclient.Value{vText(`X''`)}},
		{`X'0'`, []testclient.Value{vText(`X'0'`)}},
		{`64''`, []testclient.Value{vBytes()}},
		{`64'QU JD'`, []testclient.Value{vBytes('A', 'B', 'C')}},
		{`64'Ag=='`, []testclient.Value{vBytes(2)}},
		{`64'Ah=='`, []testclient.Value{vText(`64'Ah=='`)}},
		{`64'QUJD`, []testclient.Value{vText(`64'QUJD`)}},
		{`'`, []testclient.Value{vText(`'`)}},
		{`'a\'`, []testclient.Value{vText(`a`)}},
		{`'\q\\\r'`, []testclient.Value{vText("q\\\r")}},
		{`-9223372036854775808`, []testclient.Value{vInt(math.MinInt64)}},
		{`9223372036854775808`, []testclient.Value{vReal(9223372036854775808)}},
		{`-.5`, []testclient.Value{vReal(-0.5)}},
		{`1E-2`, []testclient.Value{vReal(0.01)}},
		{`1e999`, []testclient.Value{vReal(math.Inf(1))}},
		{`-Infinity`, []testclient.Value{vReal(math.Inf(-1))}},
		{`+inf`, []testclient.Value{vReal(math.Inf(1))}},
		{`NaN`, []testclient.Value{vReal(math.NaN())}},
		{`-nan`, []testclient.Value{vReal(math.NaN())}},
		{`1.2.3`, []testclient.Value{vText("1.2.3")}},
		{`0x10`, []testclient.Value{vText("0x10")}},
		{`1_000`, []testclient.Value{vText("1_000")}},
		{`.`, []testclient.Value{vText(".")}},
		{`e5`, []testclient.Value{vText("e5")}},
		{`True`, []testclient.Value{vText("True")}},
	} {
		if got := testclient.DecodeLiterals(tc.in); !slices.EqualFunc(got, tc.want, testclient.Value.Equal) {
			t.Errorf("DecodeLiterals(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestEncodeLiteral(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   testclient.Value
		want string
	}{
		{vNull(), "NULL"},
		{vInt(0), "0"},
		{vInt(-3), "-3"},
		{vInt(math.MaxInt64), "9223372036854775807"},
		{vReal(1.83), "1.83"},
		{vReal(67), "67"},
		{vReal(72.5), "72.5"},
		{vReal(1234567), "1.23457e+06"},
		{vReal(0.00001), "1e-05"},
		{vReal(0.0001), "0.0001"},
		{vReal(100000), "100000"},
		{vReal(999999.5), "1e+06"},
		{vReal(math.Copysign(0, -1)), "-0"},
		{vReal(math.NaN()), "nan"},
		{vReal(math.Inf(1)), "inf"},
		{vReal(math.Inf(-1)), "-inf"},
		{vText(""), "''"},
		{vText("Said 'fine'\nthen left"), `'Said ''fine''\nthen left'`},
		{vText("C:\\temp\r\n"), `'C:\\temp\r\n'`},
		{vText("2024-05-01T09:31:12.345+01:00"), "'2024-05-01T09:31:12.345+01:00'"},
		{vBytes(), "64''"},
		{vBytes(1, 0xff), "64'Af8='"},
	} {
		if got := testclient.EncodeLiteral(tc.in); got != tc.want {
			t.Errorf("EncodeLiteral(%v) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestEncodeLiterals(t *testing.T) {
	t.Parallel()
	// The values of the bmi record in PROTOCOL 12.4.
	values := []testclient.Value{
		vInt(1), vInt(0), vText("2024-05-01T09:31:12.345+01:00"),
		vText("2024-05-01T09:30:00.000+01:00"), vInt(1), vInt(0), vText("2024-05-01T09:31:12.300+01:00"),
		vReal(72.5), vInt(1), vReal(70.2), vReal(1.75), vNull(), vNull(),
	}
	const want = "1,0,'2024-05-01T09:31:12.345+01:00','2024-05-01T09:30:00.000+01:00',1,0,'2024-05-01T09:31:12.300+01:00',72.5,1,70.2,1.75,NULL,NULL"
	if got := testclient.EncodeLiterals(values); got != want {
		t.Errorf("EncodeLiterals = %s, want %s", got, want)
	}
	if got := testclient.EncodeLiterals(nil); got != "" {
		t.Errorf("EncodeLiterals(nil) = %q", got)
	}
}

func TestParseReplyLiteral(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in      string
		want    testclient.Value
		wantErr bool
	}{
		{"", vNull(), false},
		{"NULL", vNull(), false},
		{"null", vNull(), false},
		{"'bmi'", vText("bmi"), false},
		{"'2.0.0'", vText("2.0.0"), false},
		{"''", vText(""), false},
		{"'it''s'", vText("it's"), false},
		{`'a\nb\\c'`, vText("a\nb\\c"), false},
		{"64'Af8='", vBytes(1, 0xff), false},
		{"64''", vBytes(), false},
		{"X'01ff'", vBytes(1, 0xff), false},
		{"X''", vBytes(), false},
		{"42", vInt(42), false},
		{"-7", vInt(-7), false},
		{"67.0", vReal(67), false},
		{"0.00001", vReal(0.00001), false},
		{"1.5e3", vReal(1500), false},
		// Malformed: the client would read these silently.
		{"64'Af8'", vBytes(), true},
		{"X'0g'", vBytes(), true},
		{"2.0.0", vReal(0), true},
		{"1e5", vInt(0), true},
		{"bmi", vInt(0), true},
		{"nan", vInt(0), true},
	} {
		got, err := testclient.ParseReplyLiteral(tc.in)
		if !got.Equal(tc.want) || (err != nil) != tc.wantErr {
			t.Errorf("ParseReplyLiteral(%q) = %v, %v; want %v, error %v", tc.in, got, err, tc.want, tc.wantErr)
		}
	}
}

func TestParseReplyLiterals(t *testing.T) {
	t.Parallel()
	got, err := testclient.ParseReplyLiterals("")
	if err != nil || len(got) != 1 || !got[0].Equal(vNull()) {
		t.Errorf(`ParseReplyLiterals("") = %v, %v; want one NULL`, got, err)
	}
	got, err = testclient.ParseReplyLiterals("'a,b', 2 ,bad,X'zz'")
	if err == nil || len(got) != 4 || !got[0].Equal(vText("a,b")) || !got[1].Equal(vInt(2)) {
		t.Errorf("ParseReplyLiterals = %v, %v; want 4 values and an error", got, err)
	}
}

func TestValue_Equal(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		a, b testclient.Value
		want bool
	}{
		{vNull(), vNull(), true},
		{vNull(), vInt(0), false},
		{vInt(1), vReal(1), false},
		{vReal(math.NaN()), vReal(math.NaN()), true},
		{vText(""), vNull(), false},
		{testclient.BytesValue(nil), vBytes(), true},
		{testclient.Value{Kind: testclient.KindInt, Int: 1, Text: "ignored"}, vInt(1), true},
	} {
		if got := tc.a.Equal(tc.b); got != tc.want {
			t.Errorf("%v.Equal(%v) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}
