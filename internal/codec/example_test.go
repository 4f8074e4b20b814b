package codec_test

import (
	"testing"

	"github.com/tabletapi/tabletapi/internal/codec"
	"github.com/tabletapi/tabletapi/internal/registry"
)

// TestDecode_Example checks the bmi record of PROTOCOL.md, 7.7.
func TestDecode_Example(t *testing.T) {
	const record = `7,67,1.83,NULL,'Said ''fine''\nthen left','2024-01-01T10:00:00.000+00:00','2024-01-01T10:05:00.123+00:00',0,3`
	got := codec.Decode(record)
	checkValues(t, "Decode", got, []codec.Value{
		codec.Int(7),
		codec.Int(67),
		codec.Real(1.83),
		codec.Null(),
		codec.Text("Said 'fine'\nthen left"),
		codec.Text("2024-01-01T10:00:00.000+00:00"),
		codec.Text("2024-01-01T10:05:00.123+00:00"),
		codec.Int(0),
		codec.Int(3),
	})
	wantRaw := []string{"7", "67", "1.83", "NULL", `'Said ''fine''\nthen left'`, "'2024-01-01T10:00:00.000+00:00'", "'2024-01-01T10:05:00.123+00:00'", "0", "3"}
	for i, v := range got {
		if v.Raw != wantRaw[i] {
			t.Errorf("value %d: Raw = %q, want %q", i, v.Raw, wantRaw[i])
		}
	}

	// id,mass_kg,height_m,waist_cm,comment,when_created,when_last_modified,_move_off_tablet,patient_id
	types := []registry.FieldType{
		registry.Integer, registry.Real, registry.Real, registry.Real, registry.Text,
		registry.DateTime, registry.DateTime, registry.Boolean, registry.Integer,
	}
	wantConv := []any{
		int64(7), 67.0, 1.83, nil, "Said 'fine'\nthen left",
		"2024-01-01T10:00:00.000000+00:00", "2024-01-01T10:05:00.123000+00:00", false, int64(3),
	}
	for i, v := range got {
		x, err := codec.Convert(v, types[i])
		if err != nil {
			t.Fatalf("Convert(%+v, %s): %v", v, types[i], err)
		}
		if d, ok := x.(codec.DateTime); ok {
			x = d.String()
		}
		if x != wantConv[i] {
			t.Errorf("Convert(%+v, %s) = %#v, want %#v", v, types[i], x, wantConv[i])
		}
	}
}

// TestDecode_Literals checks the table of literals of PROTOCOL.md, 7.7.
func TestDecode_Literals(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []codec.Value
	}{
		{"CommaInText", "'a, b'", []codec.Value{codec.Text("a, b")}},
		{"Backslash", `'C:\\temp'`, []codec.Value{codec.Text(`C:\temp`)}},
		{"QuotedNULL", "'NULL'", []codec.Value{codec.Text("NULL")}},
		{"LowerNull", "null", []codec.Value{codec.Null()}},
		{"Base64", "64'Af8='", []codec.Value{codec.Bytes([]byte{0x01, 0xff})}},
		{"Hex", "X'01FF'", []codec.Value{codec.Bytes([]byte{0x01, 0xff})}},
		{"BareDateTime", "2024-03-01T10:04:03.588+00:00", []codec.Value{codec.Text("2024-03-01T10:04:03.588+00:00")}},
		{"LeadingZeros", "007", []codec.Value{codec.Int(7)}},
		{"Plus", "+5", []codec.Value{codec.Int(5)}},
		{"Exponent", "1e3", []codec.Value{codec.Real(1000)}},
		{"TrailingDot", "1.", []codec.Value{codec.Real(1)}},
		{"EmptyItem", "1,,2", []codec.Value{codec.Int(1), codec.Null(), codec.Int(2)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkValues(t, "Decode("+tt.in+")", codec.Decode(tt.in), tt.want)
		})
	}
}

// TestEncodeList_Example checks the server-to-client records of
// PROTOCOL.md, 7.7.
func TestEncodeList_Example(t *testing.T) {
	tests := []struct {
		name string
		in   []codec.Value
		want string
	}{
		{"Record0", []codec.Value{codec.Text("bmi"), codec.Text("2.0.0")}, `'bmi','2.0.0'`},
		{
			"Record3",
			[]codec.Value{codec.Text("phq9"), codec.Text("q1_s"), codec.Text("en_GB"), codec.Text("Little interest or pleasure\nin doing things")},
			`'phq9','q1_s','en_GB','Little interest or pleasure\nin doing things'`,
		},
		{"Empty", nil, ""},
		{"Mixed", []codec.Value{codec.Int(-3), codec.Real(67), codec.Null(), codec.Bytes([]byte{1, 255})}, `-3,67.0,NULL,64'Af8='`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := codec.EncodeList(tt.in); got != tt.want {
				t.Errorf("EncodeList = %q, want %q", got, tt.want)
			}
		})
	}
}
