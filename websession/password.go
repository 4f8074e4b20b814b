package websession

import (
	"context"

	"github.com/uptrace/bun"

	"github.com/tabletapi/tabletapi/internal/account"
)

// ChangePassword stores hash as the password hash of the user called
// username and ends every session of that user, human and API, in one
// transaction: a password change ends the sessions (PROTOCOL 3.1), so a
// session begun with the old password cannot outlive it. The user's
// when_password_changed_utc becomes the Store's now. It returns how many
// sessions it ended. The error wraps account.ErrUserNotFound if there is
// no such user, and then nothing changed.
func (s *Store) ChangePassword(ctx context.Context, username, hash string) (int64, error) {
	var ended int64
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		accounts := account.NewStore(tx, s.now)
		u, err := accounts.UserByName(ctx, username)
		if err != nil {
			return err
		}
		if err := accounts.SetPasswordHash(ctx, u.ID, hash, true); err != nil {
			return err
		}
		ended, err = s.WithTx(tx).EndUserSessions(ctx, u.ID)
		return err
	})
	return ended, err
}
