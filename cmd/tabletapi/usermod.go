package main

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"github.com/uptrace/bun"

	"github.com/tabletapi/tabletapi/internal/account"
	"github.com/tabletapi/tabletapi/internal/audit"
	"github.com/tabletapi/tabletapi/websession"
)

func runUserSet(ctx context.Context, e env, args []string) error {
	f := newFlags(e)
	group := f.String("group", "", "the group whose membership the --may-… flags change (default the upload group)")
	flags := []struct {
		name string
		val  *bool
		to   func(*account.FlagChange) **bool
	}{
		{"may-upload", f.Bool("may-upload", false, "may upload to the group"),
			func(c *account.FlagChange) **bool { return &c.MayUpload }},
		{"may-register-devices", f.Bool("may-register-devices", false, "may register devices for the group"),
			func(c *account.FlagChange) **bool { return &c.MayRegisterDevices }},
		{"may-use-webviewer", f.Bool("may-use-webviewer", false, "may see the group's data on the operator's console"),
			func(c *account.FlagChange) **bool { return &c.MayUseWebviewer }},
		{"superuser", f.Bool("superuser", false, "superuser (in every group)"),
			func(c *account.FlagChange) **bool { return &c.Superuser }},
	}
	var ch account.FlagChange
	var given []string // "name=value" of each flag given, for the audit entry
	check := func(string) error {
		// Only the flags given change; --may-upload alone means true.
		set := map[string]bool{}
		f.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
		for _, fl := range flags {
			if set[fl.name] {
				*fl.to(&ch) = fl.val
				given = append(given, fmt.Sprintf("%s=%t", fl.name, *fl.val))
			}
		}
		if ch == (account.FlagChange{}) {
			return usagef("give at least one of --may-upload, --may-register-devices, --may-use-webviewer and --superuser")
		}
		if set["group"] && ch.MayUpload == nil && ch.MayRegisterDevices == nil && ch.MayUseWebviewer == nil {
			return usagef("--group applies to the --may-… flags; --superuser holds in every group")
		}
		return nil
	}
	return runChange(ctx, e, f, args, "NAME", check, func(tx bun.Tx, name string) (change, error) {
		if err := account.NewStore(tx, nil).SetUserFlags(ctx, name, *group, ch); err != nil {
			return change{}, named(err, name, *group)
		}
		where := ""
		if *group != "" {
			where = " in group " + *group
		}
		return userChange(ctx, tx, audit.OpUserSet, name,
			fmt.Sprintf("User changed: %s%s: %s", name, where, strings.Join(given, " ")),
			fmt.Sprintf("user %s changed\n", name))
	})
}

func runUserDisable(ctx context.Context, e env, args []string) error {
	return runChange(ctx, e, newFlags(e), args, "NAME", nil, func(tx bun.Tx, name string) (change, error) {
		ended, err := websession.NewStore(tx, websession.DefaultConfig(), nil).SetDisabled(ctx, name, true)
		if err != nil {
			return change{}, named(err, name, "")
		}
		return userChange(ctx, tx, audit.OpDisable, name,
			fmt.Sprintf("User disabled: %s; %d session(s) ended", name, ended),
			fmt.Sprintf("user %s disabled; %d session(s) ended\n", name, ended))
	})
}

func runUserEnable(ctx context.Context, e env, args []string) error {
	return runChange(ctx, e, newFlags(e), args, "NAME", nil, func(tx bun.Tx, name string) (change, error) {
		if _, err := websession.NewStore(tx, websession.DefaultConfig(), nil).SetDisabled(ctx, name, false); err != nil {
			return change{}, named(err, name, "")
		}
		return userChange(ctx, tx, audit.OpEnable, name, "User enabled: "+name, fmt.Sprintf("user %s enabled\n", name))
	})
}
