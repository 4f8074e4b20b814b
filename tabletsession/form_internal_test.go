package tabletsession

import "testing"

// TestParamBounds: the length bounds that let Wants and Add pass over most
// keys without a lookup hold every parameter name.
func TestParamBounds(t *testing.T) {
	for name := range paramSlots {
		if len(name) < shortestParam || len(name) > longestParam {
			t.Errorf("%q is outside %d..%d characters; paramSlot would never find it", name, shortestParam, longestParam)
		}
	}
}
