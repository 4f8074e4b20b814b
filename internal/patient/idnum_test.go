package patient_test

import (
	"testing"

	"github.com/tabletapi/tabletapi/internal/patient"
)

func TestValidNHSNumber(t *testing.T) {
	tests := []struct {
		v    int64
		want bool
	}{
		{9434765919, true},
		{9434765918, false},
		{9999999999, true}, // 9·54 = 486; 486 mod 11 = 2; 11 − 2 = 9
		{123456789, false}, // "0123456789": the first digit may not be zero
		{1000000060, true}, // sum 22, mod 11 = 0, so 11 → check digit 0
		{1000000061, false},
		{1000000010, false}, // sum 12, mod 11 = 1, so 10: no check digit works
		{1000000019, false},
		{1000000001, true}, // sum 10 → 1
		{0, false},
		{-9434765919, false},
		{10000000000, false},
		{94347659190, false},
	}
	for _, tt := range tests {
		if got := patient.ValidNHSNumber(tt.v); got != tt.want {
			t.Errorf("ValidNHSNumber(%d) = %v, want %v", tt.v, got, tt.want)
		}
	}
}
