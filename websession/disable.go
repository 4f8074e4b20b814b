package websession

import (
	"context"

	"github.com/uptrace/bun"

	"github.com/tabletapi/tabletapi/internal/account"
)

// SetDisabled sets whether the user called username is disabled and, when
// disabling, ends every session of that user, human and API, in the same
// transaction, so a disabled user keeps no session begun before. Enabling
// ends none. It returns how many sessions it ended. The error wraps
// account.ErrUserNotFound if there is no such user, and then nothing
// changed.
func (s *Store) SetDisabled(ctx context.Context, username string, disabled bool) (ended int64, err error) {
	err = s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		accounts := account.NewStore(tx, s.now)
		u, err := accounts.UserByName(ctx, username)
		if err != nil {
			return err
		}
		if err := accounts.SetDisabled(ctx, u.ID, disabled); err != nil {
			return err
		}
		if !disabled {
			return nil
		}
		ended, err = s.WithTx(tx).EndUserSessions(ctx, u.ID)
		return err
	})
	if err != nil {
		return 0, err
	}
	return ended, nil
}
