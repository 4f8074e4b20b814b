package account

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/uptrace/bun"
)

// FlagChange is a change to a user's rights. Each non-nil field replaces
// its flag; the three May… flags are those of one membership.
type FlagChange struct {
	MayUpload          *bool
	MayRegisterDevices *bool
	MayUseWebviewer    *bool
	Superuser          *bool
}

// membership reports whether c changes a membership flag.
func (c FlagChange) membership() bool {
	return c.MayUpload != nil || c.MayRegisterDevices != nil || c.MayUseWebviewer != nil
}

// SetUserFlags applies c to the user called username, all or nothing.
// The membership flags apply to the user's membership in the group named
// group, or in the user's upload group when group is ""; a missing
// membership is created, with the flags c does not set false. The error
// wraps ErrNoChange if c sets nothing, ErrUserNotFound if there is no such
// user, and ErrGroupNotFound if there is no such group, or group is "" and
// a membership flag is set for a user without an upload group.
func (s *Store) SetUserFlags(ctx context.Context, username, group string, c FlagChange) error {
	if c == (FlagChange{}) {
		return fmt.Errorf("account: user %q: %w", username, ErrNoChange)
	}
	// On a bun.Tx this is a savepoint, whose callback gets the outer
	// transaction's context, so ours is used (see AddUser).
	return s.db.RunInTx(ctx, nil, func(_ context.Context, tx bun.Tx) error {
		ts := s.WithTx(tx)
		u, err := ts.UserByName(ctx, username)
		if err != nil {
			return err
		}
		if c.Superuser != nil {
			if _, err := tx.NewUpdate().Model((*User)(nil)).Set("superuser = ?", *c.Superuser).
				Where("id = ?", u.ID).Exec(ctx); err != nil {
				return fmt.Errorf("account: set superuser of %q: %w", username, err)
			}
		}
		if !c.membership() {
			return nil
		}
		groupID, err := ts.membershipGroup(ctx, u, group)
		if err != nil {
			return err
		}
		return ts.setMembership(ctx, u, groupID, c)
	})
}

// membershipGroup is the id of the group named group, or u's upload group
// when group is "".
func (s *Store) membershipGroup(ctx context.Context, u *User, group string) (int64, error) {
	if group != "" {
		g, err := s.GroupByName(ctx, group)
		if err != nil {
			return 0, err
		}
		return g.ID, nil
	}
	if u.UploadGroupID == nil {
		return 0, fmt.Errorf("account: user %q has no upload group: %w", u.Username, ErrGroupNotFound)
	}
	return *u.UploadGroupID, nil
}

// setMembership applies c's membership flags to u's membership in
// groupID, creating it if missing.
func (s *Store) setMembership(ctx context.Context, u *User, groupID int64, c FlagChange) error {
	m := &Membership{UserID: u.ID, GroupID: groupID}
	err := s.db.NewSelect().Model(m).WherePK().Scan(ctx)
	exists := err == nil
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("account: membership of %q: %w", u.Username, err)
	}
	for _, f := range []struct {
		to  *bool
		set *bool
	}{{&m.MayUpload, c.MayUpload}, {&m.MayRegisterDevices, c.MayRegisterDevices}, {&m.MayUseWebviewer, c.MayUseWebviewer}} {
		if f.set != nil {
			*f.to = *f.set
		}
	}
	if exists {
		_, err = s.db.NewUpdate().Model(m).WherePK().
			Column("may_upload", "may_register_devices", "may_use_webviewer").Exec(ctx)
	} else {
		_, err = s.db.NewInsert().Model(m).Exec(ctx)
	}
	if err != nil {
		return fmt.Errorf("account: set membership of %q: %w", u.Username, err)
	}
	return nil
}

// SetDisabled sets whether the user with that id is disabled. It ends no
// session: websession.Store.SetDisabled does both in one transaction. The
// error wraps ErrUserNotFound if no user has that id.
func (s *Store) SetDisabled(ctx context.Context, userID int64, disabled bool) error {
	res, err := s.db.NewUpdate().Model((*User)(nil)).Set("disabled = ?", disabled).Where("id = ?", userID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("account: set disabled of user %d: %w", userID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("account: set disabled of user %d: %w", userID, err)
	}
	if n == 0 {
		return fmt.Errorf("account: user %d: %w", userID, ErrUserNotFound)
	}
	return nil
}
