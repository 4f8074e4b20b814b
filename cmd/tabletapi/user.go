package main

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"

	"github.com/tabletapi/tabletapi/internal/account"
	"github.com/tabletapi/tabletapi/tabletsession"
	"github.com/tabletapi/tabletapi/websession"
)

func runUserAdd(ctx context.Context, e env, args []string) error {
	f := newFlags(e)
	group := f.String("group", "", "upload group (required)")
	mayUpload := f.Bool("may-upload", false, "may upload to the group")
	mayRegister := f.Bool("may-register-devices", false, "may register devices for the group")
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
	return runAdmin(ctx, e, f, args, "NAME", check, func(db *bun.DB, name string) error {
		u, err := account.NewStore(db, nil).AddUser(ctx, account.NewUser{
			Username: name, HashedPW: hash, GroupName: *group,
			MayUpload: *mayUpload, MayRegisterDevices: *mayRegister, Superuser: *superuser,
		})
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "user %s added (id %d) in group %s\n", u.Username, u.ID, *group)
		return nil
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
	return runAdmin(ctx, e, f, args, "NAME", check, func(db *bun.DB, name string) error {
		ended, err := websession.NewStore(db, websession.DefaultConfig(), nil).ChangePassword(ctx, name, hash)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "password of %s changed; %d session(s) ended\n", name, ended)
		return nil
	})
}

func runUserUnlock(ctx context.Context, e env, args []string) error {
	return runAdmin(ctx, e, newFlags(e), args, "NAME", nil, func(db *bun.DB, name string) error {
		// The lockout settings matter only to RecordFailure.
		locks, failures, err := tabletsession.NewLockouts(db, tabletsession.Config{}, nil).Unlock(ctx, name)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%s unlocked: %d lockout(s) and %d failed login(s) cleared\n", name, locks, failures)
		return nil
	})
}
