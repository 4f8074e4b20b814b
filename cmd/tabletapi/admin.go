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

	"github.com/tabletapi/tabletapi/api"
	"github.com/tabletapi/tabletapi/device"
	"github.com/tabletapi/tabletapi/internal/account"
)

// runAdmin is the frame of every admin command. It parses args into f,
// with one positional argument named arg (none if arg is ""); calls check,
// if not nil, with that argument, to validate the flags and read standard
// input before the database opens; then opens and migrates the database,
// so a newcomer can create users before the first serve; and calls do with
// the database and the argument.
func runAdmin(ctx context.Context, e env, f *commandFlags, args []string, arg string,
	check func(pos string) error, do func(db *bun.DB, pos string) error,
) error {
	nPos := 0
	if arg != "" {
		nPos = 1
	}
	pos, err := f.parse(args, e.getenv, nPos, arg)
	if err != nil {
		return err
	}
	name := ""
	if nPos == 1 {
		name = pos[0]
	}
	if check != nil {
		if err := check(name); err != nil {
			return err
		}
	}
	db, err := openMigrated(ctx, *f.database, slog.New(slog.NewTextHandler(e.stderr, nil)))
	if err != nil {
		return err
	}
	defer db.Close()
	return do(db, name)
}

func runMigrate(ctx context.Context, e env, args []string) error {
	return runAdmin(ctx, e, newFlags(e), args, "", nil, func(*bun.DB, string) error {
		fmt.Fprintln(e.stdout, "database is up to date")
		return nil
	})
}

func runIDNumAdd(ctx context.Context, e env, args []string) error {
	f := newFlags(e)
	desc := f.String("description", "", "description, e.g. \"NHS number\" (required)")
	short := f.String("short-description", "", "short description, e.g. NHS (required)")
	methods := strings.Join(account.ValidationMethods(), ", ")
	validation := f.String("validation", "", "validation method: "+methods+", or empty for none")
	var n int64
	check := func(pos string) error {
		var err error
		if n, err = strconv.ParseInt(pos, 10, 64); err != nil || n < 1 {
			return usagef("N must be a positive integer, not %q", pos)
		}
		for _, name := range []string{"description", "short-description"} {
			if err := required(f, name); err != nil {
				return err
			}
		}
		if *validation != "" && !slices.Contains(account.ValidationMethods(), *validation) {
			return usagef("--validation %q is unknown; valid values: %s, or empty for none", *validation, methods)
		}
		return nil
	}
	return runAdmin(ctx, e, f, args, "N", check, func(db *bun.DB, _ string) error {
		if err := account.NewStore(db, nil).AddIDNum(ctx, account.IDNumDefinition{
			WhichIDNum: n, Description: *desc, ShortDescription: *short, ValidationMethod: nonEmpty(*validation),
		}); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "ID number type %d (%s) added\n", n, *short)
		return nil
	})
}

func runVersion(ctx context.Context, e env, args []string) error {
	if _, err := newBareFlags(e).parse(args, e.getenv, 0, ""); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "tabletapi %s (CamCOPS server API %s)\n", Version, api.ServerCamcopsVersion)
	return nil
}

func runDeviceList(ctx context.Context, e env, args []string) error {
	return runAdmin(ctx, e, newFlags(e), args, "", nil, func(db *bun.DB, _ string) error {
		devices, err := device.NewStore(db, nil).List(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tNAME\tFRIENDLY NAME\tCAMCOPS\tREGISTERED (UTC)\tLAST UPLOAD (UTC)")
		for _, d := range devices {
			var friendly, version string // a NULL prints as an empty column
			if d.FriendlyName != nil {
				friendly = *d.FriendlyName
			}
			if d.CamcopsVersion != nil {
				version = *d.CamcopsVersion
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", d.ID, d.Name, friendly, version,
				when(d.WhenRegisteredUTC), when(d.LastUploadBatchUTC))
		}
		return tw.Flush()
	})
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func when(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04:05")
}
