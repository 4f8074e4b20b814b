package registry_test

import (
	"slices"
	"testing"

	"github.com/tabletapi/tabletapi/internal/registry"
)

func TestIsReserved(t *testing.T) {
	reserved := []string{
		"_pk", "_device_id", "_era", "_current", "_when_added_exact", "_when_added_batch_utc",
		"_adding_user_id", "_when_removed_exact", "_when_removed_batch_utc", "_removing_user_id",
		"_preserving_user_id", "_forcibly_preserved", "_predecessor_pk", "_successor_pk",
		"_manually_erased", "_manually_erased_at", "_manually_erasing_user_id",
		"_camcops_version", "_addition_pending", "_removal_pending", "_group_id",
	}
	// In PROTOCOL 8.1's order, which is the order of a table's columns.
	if got := registry.ReservedColumns(); !slices.Equal(got, reserved) {
		t.Errorf("ReservedColumns() = %q, want %q", got, reserved)
	}
	for _, name := range reserved {
		if !registry.IsReserved(name) {
			t.Errorf("IsReserved(%q) = false, want true", name)
		}
	}
	for _, name := range []string{"", "id", "_move_off_tablet", "_PK", "_pk ", " _pk", "pk", "_era_"} {
		if registry.IsReserved(name) {
			t.Errorf("IsReserved(%q) = true, want false", name)
		}
	}
}
