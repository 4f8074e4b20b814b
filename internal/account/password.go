package account

import (
	"context"
	"fmt"
)

// SetPasswordHash stores hash as the user's password hash. When changed is
// true the password itself changed, so when_password_changed_utc becomes
// now; a rehash of the same password (a new cost at login) passes false and
// leaves it alone. The error wraps ErrUserNotFound if no user has that id.
func (s *Store) SetPasswordHash(ctx context.Context, userID int64, hash string, changed bool) error {
	q := s.db.NewUpdate().Model((*User)(nil)).
		Set("hashedpw = ?", hash).
		Where("id = ?", userID)
	if changed {
		q = q.Set("when_password_changed_utc = ?", s.nowUTC())
	}
	res, err := q.Exec(ctx)
	if err != nil {
		return fmt.Errorf("account: set password of user %d: %w", userID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("account: set password of user %d: %w", userID, err)
	}
	if n == 0 {
		return fmt.Errorf("account: user %d: %w", userID, ErrUserNotFound)
	}
	return nil
}
