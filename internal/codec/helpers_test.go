package codec_test

import (
	"bytes"
	"math"
	"testing"

	"github.com/tabletapi/tabletapi/internal/codec"
)

// sameValue reports whether a and b hold the same value, ignoring Raw. Reals
// are compared bit for bit (so -0.0 differs from 0.0), except that all NaNs
// are the same; nil and empty Bytes are the same.
func sameValue(a, b codec.Value) bool {
	if a.Kind != b.Kind || a.Int != b.Int || a.Text != b.Text || !bytes.Equal(a.Bytes, b.Bytes) {
		return false
	}
	if math.IsNaN(a.Real) && math.IsNaN(b.Real) {
		return true
	}
	return math.Float64bits(a.Real) == math.Float64bits(b.Real)
}

// checkValues fails t unless got and want hold the same values (sameValue).
func checkValues(t *testing.T, what string, got, want []codec.Value) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values %v, want %d %v", what, len(got), got, len(want), want)
	}
	for i := range got {
		if !sameValue(got[i], want[i]) {
			t.Errorf("%s: value %d = %+v, want %+v", what, i, got[i], want[i])
		}
	}
}

// afterEncode returns what v becomes once encoded and decoded again: NaN and
// ±Inf reals become NULL, because the client cannot read them.
func afterEncode(v codec.Value) codec.Value {
	if v.Kind == codec.KindReal && (math.IsNaN(v.Real) || math.IsInf(v.Real, 0)) {
		return codec.Null()
	}
	v.Raw = ""
	return v
}

// encode returns the literal of v alone.
func encode(v codec.Value) string { return codec.EncodeList([]codec.Value{v}) }
