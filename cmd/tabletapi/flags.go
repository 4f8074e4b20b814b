package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/tabletapi/tabletapi/internal/sqldb"
)

// commandFlags is a flag set whose every flag can also come from the
// environment; a flag on the command line wins over its variable.
type commandFlags struct {
	*flag.FlagSet
	database *string
}

// newFlags returns the flag set of one command, with --database.
func newFlags(name string, stderr io.Writer) *commandFlags {
	fs := flag.NewFlagSet("tabletapi "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("database", sqldb.DefaultURL, "database URL: postgres://… or sqlite:PATH (env TABLETAPI_DATABASE_URL)")
	return &commandFlags{FlagSet: fs, database: db}
}

// envName is the variable of a flag: TABLETAPI_<FLAG IN UPPER SNAKE CASE>,
// except the database, which is TABLETAPI_DATABASE_URL.
func envName(flagName string) string {
	if flagName == "database" {
		return "TABLETAPI_DATABASE_URL"
	}
	return "TABLETAPI_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// parse applies the environment, then the command line, and returns the
// positional arguments, which may stand before, between or after flags.
// It checks that exactly nPos positional arguments were given.
func (f *commandFlags) parse(args []string, getenv func(string) string, nPos int, posNames string) ([]string, error) {
	var envErr error
	f.VisitAll(func(fl *flag.Flag) {
		if v := getenv(envName(fl.Name)); v != "" && envErr == nil {
			if err := f.Set(fl.Name, v); err != nil {
				envErr = usagef("%s=%q: %v", envName(fl.Name), v, err)
			}
		}
	})
	if envErr != nil {
		return nil, envErr
	}
	var pos []string
	for {
		if err := f.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, usagef("%s", "help requested")
			}
			return nil, usagef("%v", err)
		}
		if f.NArg() == 0 {
			break
		}
		pos = append(pos, f.Arg(0))
		args = f.Args()[1:]
	}
	if len(pos) != nPos {
		if nPos == 0 {
			return nil, usagef("%s: unexpected argument %q", f.Name(), pos[0])
		}
		return nil, usagef("%s: want %s", f.Name(), posNames)
	}
	return pos, nil
}

// required fails when a mandatory string flag is empty.
func required(f *commandFlags, name string) error {
	if fl := f.Lookup(name); fl == nil || fl.Value.String() == "" {
		return usagef("%s: --%s is required", f.Name(), name)
	}
	return nil
}

// errf wraps a runtime error with the command's name.
func errf(cmd string, err error) error { return fmt.Errorf("%s: %w", cmd, err) }
