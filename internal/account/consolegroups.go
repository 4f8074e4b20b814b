package account

import (
	"context"
	"fmt"
)

// ConsoleGroups returns what the user with that id may see on the
// operator's console: every group (all is true) for a superuser, else the
// ids of the groups where its membership has may_use_webviewer, ascending.
// A disabled user sees nothing, whatever its flags, so a console check
// that forgets the login refusal still shows nothing. The error wraps
// ErrUserNotFound if there is no such user.
func (s *Store) ConsoleGroups(ctx context.Context, userID int64) (all bool, groupIDs []int64, err error) {
	u, err := s.UserByID(ctx, userID)
	if err != nil {
		return false, nil, err
	}
	groupIDs = []int64{}
	switch {
	case u.Disabled:
		return false, groupIDs, nil
	case u.Superuser:
		return true, groupIDs, nil
	}
	err = s.db.NewSelect().Model((*Membership)(nil)).Column("m.group_id").
		Where("m.user_id = ? AND m.may_use_webviewer", userID).
		Order("m.group_id ASC").Scan(ctx, &groupIDs)
	if err != nil {
		return false, nil, fmt.Errorf("account: console groups of user %d: %w", userID, err)
	}
	return false, groupIDs, nil
}
