package registry

// IsReserved reports whether field is one of the server's bookkeeping
// columns (PROTOCOL.md 8.1), which a client may never send. The comparison
// is exact and case-sensitive.
func IsReserved(field string) bool {
	switch field {
	case "_pk", "_device_id", "_era", "_current", "_when_added_exact", "_when_added_batch_utc",
		"_adding_user_id", "_when_removed_exact", "_when_removed_batch_utc", "_removing_user_id",
		"_preserving_user_id", "_forcibly_preserved", "_predecessor_pk", "_successor_pk",
		"_manually_erased", "_manually_erased_at", "_manually_erasing_user_id",
		"_camcops_version", "_addition_pending", "_removal_pending", "_group_id":
		return true
	}
	return false
}
