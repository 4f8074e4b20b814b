package websession

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"
)

// Login creates a session for userID, bound to ip, and returns it with its
// token. The token is returned only here; the database keeps its SHA-256.
// A human session (api false) replaces the user's other human sessions, so
// each human has at most one; API sessions are never limited. The error is
// a database error (for example an unknown userID violates the foreign key).
func (s *Store) Login(ctx context.Context, userID int64, ip string, api bool) (*Session, string, error) {
	token, digest := newToken()
	now := s.stamp()
	sess := &Session{
		TokenSHA256:  digest,
		UserID:       userID,
		IPAddress:    ip,
		CreatedAt:    now,
		LastActivity: now,
		IsAPI:        api,
	}
	insert := func(ctx context.Context, db bun.IDB) error {
		_, err := db.NewInsert().Model(sess).Exec(ctx)
		return err
	}
	var err error
	if api {
		err = insert(ctx, s.db)
	} else {
		// One transaction, so two concurrent logins cannot both survive.
		err = s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			if _, err := tx.NewDelete().Model((*Session)(nil)).
				Where("user_id = ?", userID).
				Where("is_api_session = ?", false).
				Exec(ctx); err != nil {
				return err
			}
			return insert(ctx, tx)
		})
	}
	if err != nil {
		return nil, "", fmt.Errorf("websession: login user %d: %w", userID, err)
	}
	return sess, token, nil
}

// Logout deletes session id, so its token can never be used again (ids are
// never reused). Logging out a session that does not exist is not an error.
func (s *Store) Logout(ctx context.Context, id int64) error {
	if _, err := s.db.NewDelete().Model((*Session)(nil)).Where("id = ?", id).Exec(ctx); err != nil {
		return fmt.Errorf("websession: logout session %d: %w", id, err)
	}
	return nil
}

// EndUserSessions deletes all sessions of userID, human and API, as a
// password change requires (PROTOCOL 3.1). It returns how many it deleted.
func (s *Store) EndUserSessions(ctx context.Context, userID int64) (int64, error) {
	res, err := s.db.NewDelete().Model((*Session)(nil)).Where("user_id = ?", userID).Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("websession: end sessions of user %d: %w", userID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("websession: end sessions of user %d: %w", userID, err)
	}
	return n, nil
}
