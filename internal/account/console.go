package account

import (
	"context"
	"fmt"
)

// MayUseConsole reports whether u may log in to the operator's console: a
// superuser, or a user whose membership in some group has
// may_use_webviewer. A disabled user may not.
func (s *Store) MayUseConsole(ctx context.Context, u *User) (bool, error) {
	if u.Disabled {
		return false, nil
	}
	if u.Superuser {
		return true, nil
	}
	n, err := s.db.NewSelect().Model((*Membership)(nil)).
		Where("user_id = ?", u.ID).
		Where("may_use_webviewer").
		Count(ctx)
	if err != nil {
		return false, fmt.Errorf("account: console permission of user %d: %w", u.ID, err)
	}
	return n > 0, nil
}
