package registry

import "slices"

// ReservedColumns returns the server's bookkeeping columns of every client
// table (PROTOCOL.md 8.1), in the order of that list, which is also their
// order in a table: _pk first, before the client fields, and the others
// after them (package schema gives each its type). A client may never
// send one (IsReserved).
func ReservedColumns() []string {
	return []string{
		"_pk", "_device_id", "_era", "_current", "_when_added_exact", "_when_added_batch_utc",
		"_adding_user_id", "_when_removed_exact", "_when_removed_batch_utc", "_removing_user_id",
		"_preserving_user_id", "_forcibly_preserved", "_predecessor_pk", "_successor_pk",
		"_manually_erased", "_manually_erased_at", "_manually_erasing_user_id",
		"_camcops_version", "_addition_pending", "_removal_pending", "_group_id",
	}
}

// IsReserved reports whether field is one of the server's bookkeeping
// columns (ReservedColumns), which a client may never send. The comparison
// is exact and case-sensitive.
func IsReserved(field string) bool {
	return slices.Contains(ReservedColumns(), field)
}
