package sim_test

import (
	"testing"

	"github.com/tabletapi/tabletapi/testclient/sim"
)

// TestCanonical_Time: a time of day compares equal however it was written
// or read back: as sent ('10:00:00'), as PostgreSQL returns a TIME (fraction
// trailing zeros cut, as []byte) and as the server stores it on SQLite.
func TestCanonical_Time(t *testing.T) {
	same := [][]any{
		{"10:00:00", "10:00:00.000000", []byte("10:00:00")},
		{"23:59:59.25", "23:59:59.250000", []byte("23:59:59.25")},
	}
	for _, group := range same {
		want := sim.Canonical(sim.Time, group[0])
		for _, v := range group[1:] {
			if got := sim.Canonical(sim.Time, v); got != want {
				t.Errorf("Canonical(Time, %q) = %s, want %s (as %q)", v, got, want, group[0])
			}
		}
	}
	if a, b := sim.Canonical(sim.Time, "10:00:00"), sim.Canonical(sim.Time, "10:00:00.5"); a == b {
		t.Errorf("10:00:00 and 10:00:00.5 both give %s", a)
	}
	if got := sim.Canonical(sim.Time, nil); got != "NULL" {
		t.Errorf("Canonical(Time, nil) = %s, want NULL", got)
	}
}
