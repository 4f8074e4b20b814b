package codec_test

import (
	"errors"
	"math"
	"reflect"
	"testing"

	"github.com/tabletapi/tabletapi/internal/codec"
	"github.com/tabletapi/tabletapi/internal/registry"
)

// TestConvert checks the conversion matrix of PROTOCOL.md, 7.5. Each case
// gives the value as a literal, decoded by Classify.
func TestConvert(t *testing.T) {
	type ok struct {
		lit  string
		want any
	}
	tests := []struct {
		typ     registry.FieldType
		ok      []ok
		refused []string
	}{
		{
			registry.Integer,
			[]ok{
				{"NULL", nil},
				{"5", int64(5)},
				{"-9223372036854775808", int64(math.MinInt64)},
				{"5.0", int64(5)},
				{"-0.0", int64(0)},
				{"1e3", int64(1000)},
				{"-9223372036854775808.0", int64(math.MinInt64)},
				{"'42'", int64(42)},
				{"'+007'", int64(7)},
				{"'-1'", int64(-1)},
			},
			[]string{
				"5.5", "nan", "inf", "-inf", "9223372036854775808", "9.3e18", "1e19", "-1e19",
				"'5.0'", "' 5'", "''", "'9223372036854775808'", "'abc'", "abc", "64'AQ=='", "X'01'",
			},
		},
		{
			registry.Real,
			[]ok{
				{"NULL", nil},
				{"5", 5.0},
				{"1.83", 1.83},
				{"1e400", nil},
				{"nan", nil},
				{"-inf", nil},
				{"'1.5'", 1.5},
				{"'7'", 7.0},
				{"'1e3'", 1000.0},
				{"'-2.'", -2.0},
				{"'nan'", nil},
				{"'Infinity'", nil},
				{"'99999999999999999999'", 1e20},
			},
			[]string{"'abc'", "''", "' 1.5'", "'.5'", "'1,5'", "abc", "X'01'", "64''"},
		},
		{
			registry.Text,
			[]ok{
				{"NULL", nil},
				{"'abc'", "abc"},
				{"''", ""},
				{"abc", "abc"},
				{"'NULL'", "NULL"},
				{"42", "42"},
				{"-7", "-7"},
				{"1.83", "1.83"},
				{"67.", "67.0"},
				{"1e20", "1e+20"},
				{"1e15", "1000000000000000.0"},
				{"0.0001", "0.0001"},
				{"0.00001", "1e-05"},
				{"-0.0", "-0.0"},
				{"inf", "inf"},
				{"-Infinity", "-inf"},
				{"NaN", "nan"},
			},
			[]string{"64'AQ=='", "X'01FF'", "64''"},
		},
		{
			registry.Boolean,
			[]ok{
				{"NULL", nil},
				{"0", false},
				{"1", true},
				{"0.0", false},
				{"-0.0", false},
				{"1.0", true},
				{"1e0", true},
				{"'0'", false},
				{"'1'", true},
				{"0", false},
			},
			[]string{"2", "-1", "0.5", "nan", "'true'", "'01'", "' 1'", "''", "true", "X'01'"},
		},
		{
			registry.Date,
			[]ok{
				{"NULL", nil},
				{"''", nil},
				{"'2000-01-31'", codec.Date{Year: 2000, Month: 1, Day: 31}},
				{"2000-01-31", codec.Date{Year: 2000, Month: 1, Day: 31}},
				{"'2000-02-29'", codec.Date{Year: 2000, Month: 2, Day: 29}},
				{"'0001-01-01'", codec.Date{Year: 1, Month: 1, Day: 1}},
			},
			[]string{
				"'1900-02-29'", "'2000-13-01'", "'2000-00-10'", "'2000-04-31'", "'2000-1-31'", "'0000-01-01'",
				"'2000-01-31T00:00'", "'2000-01-31 '", "20000131", "0", "X'01'",
			},
		},
		{
			registry.DateTime,
			[]ok{
				{"NULL", nil},
				{"''", nil},
				{"'2016-06-02T10:04:03.588+01:00'", mustDateTime(t, "2016-06-02T10:04:03.588+01:00")},
				{"2016-06-02T10:04:03.588+01:00", mustDateTime(t, "2016-06-02T10:04:03.588+01:00")},
				{"'2016-06-02'", mustDateTime(t, "2016-06-02T00:00:00Z")},
			},
			[]string{"'2016-06-02T25:00'", "'x'", "5", "1.5", "X'01'", "'2016-06-02T10:04:03.588+01:00 '"},
		},
		{
			registry.Blob,
			[]ok{
				{"NULL", nil},
				{"64'Af8='", []byte{0x01, 0xff}},
				{"X'01FF'", []byte{0x01, 0xff}},
				{"64''", []byte{}},
			},
			[]string{"'abc'", "''", "1", "1.5", "x'01'"},
		},
		{
			registry.Time,
			[]ok{
				{"NULL", nil},
				{"''", nil},
				{"'10:04:03'", codec.Time{Hour: 10, Minute: 4, Second: 3}},
				{"10:04:03", codec.Time{Hour: 10, Minute: 4, Second: 3}},
				{"'23:59:59.25'", codec.Time{Hour: 23, Minute: 59, Second: 59, Microsecond: 250000}},
				{"'00:00:00.000000'", codec.Time{}},
			},
			[]string{
				"'24:00:00'", "'10:60:00'", "'10:00:60'", "'10:00'", "'10:00:00.1234567'", "'10:00:00Z'",
				"' 10:00:00'", "100000", "10", "1.5", "X'01'", "64'AQ=='",
			},
		},
	}
	for _, tt := range tests {
		t.Run(string(tt.typ), func(t *testing.T) {
			for _, c := range tt.ok {
				got, err := codec.Convert(codec.Classify(c.lit), tt.typ)
				if err != nil {
					t.Errorf("Convert(%s) = %v", c.lit, err)
					continue
				}
				if !reflect.DeepEqual(got, c.want) {
					t.Errorf("Convert(%s) = %#v, want %#v", c.lit, got, c.want)
				}
			}
			for _, lit := range tt.refused {
				got, err := codec.Convert(codec.Classify(lit), tt.typ)
				if !errors.Is(err, codec.ErrInvalidValue) || got != nil {
					t.Errorf("Convert(%s) = %#v, %v; want ErrInvalidValue", lit, got, err)
				}
			}
		})
	}
}

func TestConvert_UnknownType(t *testing.T) {
	_, err := codec.Convert(codec.Int(1), registry.FieldType("flaot"))
	if err == nil || errors.Is(err, codec.ErrInvalidValue) {
		t.Fatalf("err = %v, want an error other than ErrInvalidValue", err)
	}
	if _, err := codec.Convert(codec.Null(), registry.FieldType("flaot")); err == nil {
		t.Fatal("NULL: no error")
	}
}

func mustDateTime(tb testing.TB, s string) codec.DateTime {
	tb.Helper()
	d, err := codec.ParseDateTime(s)
	if err != nil {
		tb.Fatalf("ParseDateTime(%q): %v", s, err)
	}
	return d
}
