package websession

import (
	"context"
	"fmt"
)

// Active returns the unexpired sessions of userID, or of every user when
// userID is 0, with Username filled, most recently active first: what the
// console lists under "your sessions" and "active sessions". Expiry is
// Lookup's rule; IP binding is not applied, since no request is checked.
func (s *Store) Active(ctx context.Context, userID int64) ([]Session, error) {
	activeSince, createdSince := s.oldestValid(s.stamp())
	var out []Session
	q := s.db.NewSelect().Model(&out).
		ColumnExpr("s.id, s.user_id, s.ip_address, s.created_at_utc, s.last_activity_utc, s.is_api_session").
		ColumnExpr("u.username").
		Join("JOIN users AS u ON u.id = s.user_id").
		Where("s.last_activity_utc >= ?", activeSince).
		Where("s.created_at_utc >= ?", createdSince).
		OrderExpr("s.last_activity_utc DESC, s.id DESC")
	if userID != 0 {
		q = q.Where("s.user_id = ?", userID)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("websession: active sessions: %w", err)
	}
	for i := range out {
		out[i].normalize()
	}
	return out, nil
}
