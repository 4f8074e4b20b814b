package websession

import (
	"context"
	"fmt"
	"time"
)

// Purge deletes the sessions that are idle-expired or past their lifetime,
// the same rule as Lookup, and returns how many it deleted.
func (s *Store) Purge(ctx context.Context) (int64, error) {
	activeSince, createdSince := s.oldestValid(s.stamp())
	// Time parameters, not SQL date functions: bun formats them per dialect
	// (TIMESTAMPTZ on PostgreSQL; on SQLite UTC text that sorts in time
	// order, the same format as the stored values).
	res, err := s.db.NewDelete().Model((*Session)(nil)).
		WhereOr("last_activity_utc < ?", activeSince).
		WhereOr("created_at_utc < ?", createdSince).
		Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("websession: purge: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("websession: purge: %w", err)
	}
	return n, nil
}

// CountActiveSince returns how many sessions were last active at or after
// since. Because last activity is written at most once per
// Config.AccessResolution, the count may miss sessions active within that
// resolution of since.
func (s *Store) CountActiveSince(ctx context.Context, since time.Time) (int64, error) {
	n, err := s.db.NewSelect().Model((*Session)(nil)).
		Where("last_activity_utc >= ?", since.UTC()).
		Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("websession: count active: %w", err)
	}
	return n, nil
}
