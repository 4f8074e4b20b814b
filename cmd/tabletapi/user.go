package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/uptrace/bun"

	"github.com/tabletapi/tabletapi/internal/account"
	"github.com/tabletapi/tabletapi/internal/audit"
	"github.com/tabletapi/tabletapi/tabletsession"
	"github.com/tabletapi/tabletapi/websession"
)

func runUserAdd(ctx context.Context, e env, args []string) error {
	f := newFlags(e)
	group := f.String("group", "", "upload group (required)")
	mayUpload := f.Bool("may-upload", false, "may upload to the group")
	mayRegister := f.Bool("may-register-devices", false, "may register devices for the group")
	mayView := f.Bool("may-use-webviewer", false, "may see the group's data on the operator's console")
	superuser := f.Bool("superuser", false, "superuser")
	pf := addPasswordFlags(f)
	var hash string
	check := func(string) error {
		if err := required(f, "group"); err != nil {
			return err
		}
		var err error
		hash, err = pf.hashFromStdin(ctx, e.stdin)
		return err
	}
	return runChange(ctx, e, f, args, "NAME", check, func(tx bun.Tx, name string) (change, error) {
		nu := account.NewUser{
			Username: name, HashedPW: hash, GroupName: *group, MayUpload: *mayUpload,
			MayRegisterDevices: *mayRegister, MayUseWebviewer: *mayView, Superuser: *superuser,
		}
		u, err := account.NewStore(tx, nil).AddUser(ctx, nu)
		if err != nil {
			return change{}, named(err, name, *group)
		}
		return change{
			op: audit.OpUserAdd, username: u.Username, userID: &u.ID,
			details: fmt.Sprintf("User added: %s in group %s (%s)", u.Username, *group, nu.Rights()),
			out:     fmt.Sprintf("user %s added (id %d) in group %s\n", u.Username, u.ID, *group),
		}, nil
	})
}

func runUserPasswd(ctx context.Context, e env, args []string) error {
	f := newFlags(e)
	pf := addPasswordFlags(f)
	var hash string
	check := func(string) (err error) {
		hash, err = pf.hashFromStdin(ctx, e.stdin)
		return err
	}
	return runChange(ctx, e, f, args, "NAME", check, func(tx bun.Tx, name string) (change, error) {
		ended, err := websession.NewStore(tx, websession.DefaultConfig(), nil).ChangePassword(ctx, name, hash)
		if err != nil {
			return change{}, named(err, name, "")
		}
		return userChange(ctx, tx, audit.OpPasswordSet, name,
			fmt.Sprintf("Password changed: %s; %d session(s) ended", name, ended),
			fmt.Sprintf("password of %s changed; %d session(s) ended\n", name, ended))
	})
}

func runUserUnlock(ctx context.Context, e env, args []string) error {
	return runChange(ctx, e, newFlags(e), args, "NAME", nil, func(tx bun.Tx, name string) (change, error) {
		// The lockout settings matter only to RecordFailure.
		locks, failures, err := tabletsession.NewLockouts(tx, tabletsession.Config{}, nil).Unlock(ctx, name)
		if err != nil {
			return change{}, err
		}
		return userChange(ctx, tx, audit.OpUnlock, name,
			fmt.Sprintf("User unlocked: %s; %d lockout(s) and %d failed login(s) cleared", name, locks, failures),
			fmt.Sprintf("%s unlocked: %d lockout(s) and %d failed login(s) cleared\n", name, locks, failures))
	})
}

// userChange is the change of a command on the user called name, with the
// user's id if the user exists: a lockout may name a user that does not.
func userChange(ctx context.Context, tx bun.Tx, op, name, details, out string) (change, error) {
	c := change{op: op, username: name, details: details, out: out}
	u, err := account.NewStore(tx, nil).UserByName(ctx, name)
	switch {
	case err == nil:
		c.userID = &u.ID
	case !errors.Is(err, account.ErrUserNotFound):
		return change{}, err
	}
	return c, nil
}

// named turns the account package's not-found errors into one line naming
// what the command line gave: user is the user's name, group the group's
// ("" for the user's upload group).
func named(err error, user, group string) error {
	switch {
	case errors.Is(err, account.ErrUserNotFound):
		return fmt.Errorf("no user named %q", user)
	case errors.Is(err, account.ErrGroupNotFound) && group == "":
		return fmt.Errorf("user %q has no upload group; give --group", user)
	case errors.Is(err, account.ErrGroupNotFound):
		return fmt.Errorf("no group named %q", group)
	}
	return err
}
