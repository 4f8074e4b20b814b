package main

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/uptrace/bun"

	"github.com/tabletapi/tabletapi/device"
	"github.com/tabletapi/tabletapi/internal/account"
	"github.com/tabletapi/tabletapi/tabletsession"
	"github.com/tabletapi/tabletapi/websession"
)

// adminDB opens and migrates the database for an admin command, so a
// newcomer can create users before the first `serve`.
func adminDB(ctx context.Context, f *commandFlags, e env) (*bun.DB, error) {
	return openMigrated(ctx, *f.database, slog.New(slog.NewTextHandler(e.stderr, nil)))
}

func runMigrate(ctx context.Context, e env, args []string) error {
	f := newFlags(e)
	if _, err := f.parse(args, e.getenv, 0, ""); err != nil {
		return err
	}
	db, err := adminDB(ctx, f, e)
	if err != nil {
		return err
	}
	db.Close()
	fmt.Fprintln(e.stdout, "database is up to date")
	return nil
}

func runUserAdd(ctx context.Context, e env, args []string) error {
	f := newFlags(e)
	group := f.String("group", "", "upload group (required)")
	mayUpload := f.Bool("may-upload", false, "may upload to the group")
	mayRegister := f.Bool("may-register-devices", false, "may register devices for the group")
	superuser := f.Bool("superuser", false, "superuser")
	pf := addPasswordFlags(f)
	pos, err := f.parse(args, e.getenv, 1, "NAME")
	if err != nil {
		return err
	}
	if err := required(f, "group"); err != nil {
		return err
	}
	if err := pf.check(); err != nil {
		return err
	}
	hash, err := pf.hashFromStdin(ctx, e.stdin)
	if err != nil {
		return err
	}
	db, err := adminDB(ctx, f, e)
	if err != nil {
		return err
	}
	defer db.Close()
	u, err := account.NewStore(db, nil).AddUser(ctx, account.NewUser{
		Username: pos[0], HashedPW: hash, GroupName: *group,
		MayUpload: *mayUpload, MayRegisterDevices: *mayRegister, Superuser: *superuser,
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "user %s added (id %d) in group %s\n", u.Username, u.ID, *group)
	return nil
}

func runUserPasswd(ctx context.Context, e env, args []string) error {
	f := newFlags(e)
	pf := addPasswordFlags(f)
	pos, err := f.parse(args, e.getenv, 1, "NAME")
	if err != nil {
		return err
	}
	if err := pf.check(); err != nil {
		return err
	}
	hash, err := pf.hashFromStdin(ctx, e.stdin)
	if err != nil {
		return err
	}
	db, err := adminDB(ctx, f, e)
	if err != nil {
		return err
	}
	defer db.Close()
	var ended int64
	err = db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		accounts := account.NewStore(db, nil).WithTx(tx)
		u, err := accounts.UserByName(ctx, pos[0])
		if err != nil {
			return err
		}
		if err := accounts.SetPasswordHash(ctx, u.ID, hash, true); err != nil {
			return err
		}
		// A password change ends every session of the user.
		ended, err = websession.NewStore(tx, websession.DefaultConfig(), nil).EndUserSessions(ctx, u.ID)
		return err
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "password of %s changed; %d session(s) ended\n", pos[0], ended)
	return nil
}

func runUserUnlock(ctx context.Context, e env, args []string) error {
	f := newFlags(e)
	pos, err := f.parse(args, e.getenv, 1, "NAME")
	if err != nil {
		return err
	}
	db, err := adminDB(ctx, f, e)
	if err != nil {
		return err
	}
	defer db.Close()
	var locks, failures int64
	err = db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var err error
		locks, failures, err = tabletsession.NewLockouts(tx, tabletsession.Config{}, nil).Unlock(ctx, pos[0])
		return err
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s unlocked: %d lockout(s) and %d failed login(s) cleared\n", pos[0], locks, failures)
	return nil
}

func runIDNumAdd(ctx context.Context, e env, args []string) error {
	f := newFlags(e)
	desc := f.String("description", "", "description, e.g. \"NHS number\" (required)")
	short := f.String("short-description", "", "short description, e.g. NHS (required)")
	methods := strings.Join(account.ValidationMethods(), ", ")
	validation := f.String("validation", "", "validation method: "+methods+", or empty for none")
	pos, err := f.parse(args, e.getenv, 1, "N")
	if err != nil {
		return err
	}
	n, err := strconv.ParseInt(pos[0], 10, 64)
	if err != nil || n < 1 {
		return usagef("N must be a positive integer, not %q", pos[0])
	}
	for _, name := range []string{"description", "short-description"} {
		if err := required(f, name); err != nil {
			return err
		}
	}
	if *validation != "" && !slices.Contains(account.ValidationMethods(), *validation) {
		return usagef("--validation %q is unknown; valid values: %s, or empty for none", *validation, methods)
	}
	db, err := adminDB(ctx, f, e)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := account.NewStore(db, nil).AddIDNum(ctx, account.IDNumDefinition{
		WhichIDNum: n, Description: *desc, ShortDescription: *short, ValidationMethod: nonEmpty(*validation),
	}); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "ID number type %d (%s) added\n", n, *short)
	return nil
}

func runVersion(ctx context.Context, e env, args []string) error {
	if _, err := newBareFlags(e).parse(args, e.getenv, 0, ""); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "tabletapi %s (CamCOPS server API %s)\n", Version, "2.4.24")
	return nil
}

func runDeviceList(ctx context.Context, e env, args []string) error {
	f := newFlags(e)
	if _, err := f.parse(args, e.getenv, 0, ""); err != nil {
		return err
	}
	db, err := adminDB(ctx, f, e)
	if err != nil {
		return err
	}
	defer db.Close()
	devices, err := device.NewStore(db, nil).List(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tFRIENDLY NAME\tCAMCOPS\tREGISTERED (UTC)\tLAST UPLOAD (UTC)")
	for _, d := range devices {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", d.ID, d.Name, deref(d.FriendlyName), deref(d.CamcopsVersion),
			when(d.WhenRegisteredUTC), when(d.LastUploadBatchUTC))
	}
	return tw.Flush()
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func when(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04:05")
}
