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
	"github.com/tabletapi/tabletapi/internal/audit"
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

// change is what an admin command changed: the audit entry it leaves and
// the line it prints once that is committed.
type change struct {
	op       string // audit operation code
	username string // the user changed, if any
	userID   *int64 // that user's id, if the user exists
	details  string // the entry's text; never a password
	out      string // printed on standard output after the commit
}

// runChange is runAdmin for the commands that change something: do and
// the audit entry of its change (source cli) run in one transaction, so no
// change is left without its entry, and the command's output is printed
// only once both are committed.
func runChange(ctx context.Context, e env, f *commandFlags, args []string, arg string,
	check func(pos string) error, do func(tx bun.Tx, pos string) (change, error),
) error {
	return runAdmin(ctx, e, f, args, arg, check, func(db *bun.DB, pos string) error {
		var c change
		err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			var err error
			if c, err = do(tx, pos); err != nil {
				return err
			}
			return audit.Write(ctx, tx, audit.Entry{
				When: e.now(), Source: audit.SourceCLI, Operation: c.op,
				UserID: c.userID, Username: c.username, Details: c.details,
			})
		})
		if err != nil {
			return err
		}
		fmt.Fprint(e.stdout, c.out)
		return nil
	})
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
	return runChange(ctx, e, f, args, "N", check, func(tx bun.Tx, _ string) (change, error) {
		if err := account.NewStore(tx, nil).AddIDNum(ctx, account.IDNumDefinition{
			WhichIDNum: n, Description: *desc, ShortDescription: *short, ValidationMethod: nonEmpty(*validation),
		}); err != nil {
			return change{}, err
		}
		return change{
			op:      audit.OpIDNumAdd,
			details: fmt.Sprintf("ID number type added: %d (%s)", n, *short),
			out:     fmt.Sprintf("ID number type %d (%s) added\n", n, *short),
		}, nil
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
