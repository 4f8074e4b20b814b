package pyjson_test

import (
	"errors"
	"testing"

	"github.com/tabletapi/tabletapi/internal/pyjson"
)

// The wanted texts are what Python 3's json.dumps writes for the same
// values (checked with python3).
func TestMarshal(t *testing.T) {
	s := "x"
	v := []any{pyjson.Object{
		{"a", nil}, {"b", true}, {"c", "x\"\\\n\r\t\b\f\x01\x7f é€😀</>"}, {"d", int64(1234567890123456789)},
		{"e", pyjson.Raw(`1.5`)}, {"f", []any{}}, {"g", pyjson.Object{}}, {"h", (*string)(nil)}, {"i", &s}, {"j", 0},
	}}
	got, err := pyjson.Marshal(v)
	want := `[{"a": null, "b": true, "c": "x\"\\\n\r\t\b\f\u0001\u007f \u00e9\u20ac\ud83d\ude00</>", "d": 1234567890123456789, "e": 1.5, "f": [], "g": {}, "h": null, "i": "x", "j": 0}]`
	if err != nil || string(got) != want {
		t.Errorf("Marshal = %s, %v\nwant %s", got, err, want)
	}
	if got, err := pyjson.Marshal([]pyjson.Object{}); err != nil || string(got) != "[]" {
		t.Errorf("Marshal(no objects) = %s, %v", got, err)
	}
	if _, err := pyjson.Marshal(1.5); err == nil {
		t.Error("Marshal(float64): no error")
	}
}

func TestRaw(t *testing.T) {
	for raw, want := range map[string]string{
		`{"x":[1,-0,1.0,1e5,1E400,-1e-7,0.1,123456789012345678.0,{"y":null}]}`: `{"x": [1, 0, 1.0, 100000.0, Infinity, -1e-07, 0.1, 1.2345678901234568e+17, {"y": null}]}`,
		` { "b" : "\u00e9\/" , "a" : [ true , false ] } `:                      `{"b": "\u00e9/", "a": [true, false]}`,
		`12345678901234567890123`:                                              `12345678901234567890123`,
	} {
		if got, err := pyjson.Marshal(pyjson.Raw(raw)); err != nil || string(got) != want {
			t.Errorf("Raw(%s) = %s, %v; want %s", raw, got, err, want)
		}
	}
	if _, err := pyjson.Marshal(pyjson.Raw(`{"a": {"b": 1, "b": 2}}`)); !errors.Is(err, pyjson.ErrDuplicateKey) {
		t.Errorf("duplicate key: %v, want ErrDuplicateKey", err)
	}
	for _, bad := range []string{``, `{`, `[1,]`, `{"a" 1}`, "\"\xff\""} {
		if _, err := pyjson.Marshal(pyjson.Raw(bad)); !errors.Is(err, pyjson.ErrSyntax) {
			t.Errorf("Raw(%q): %v, want ErrSyntax", bad, err)
		}
	}
}
