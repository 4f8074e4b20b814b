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
	cmd      command   // whose usage line -h prints
	stdout   io.Writer // where -h prints
}

// newFlags returns the flag set of the command e runs, with --database.
func newFlags(e env) *commandFlags {
	f := newBareFlags(e)
	f.database = f.String("database", sqldb.DefaultURL, "database URL: postgres://… or sqlite:PATH (env TABLETAPI_DATABASE_URL)")
	return f
}

// newBareFlags returns the flag set of the command e runs, with no flags.
// The flag package prints nothing: a bad flag is one line from main, and
// -h prints to standard output (see parse).
func newBareFlags(e env) *commandFlags {
	fs := flag.NewFlagSet(e.cmd.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return &commandFlags{FlagSet: fs, cmd: e.cmd, stdout: e.stdout}
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
// It checks that exactly nPos positional arguments were given. On -h it
// prints the command's help to standard output and returns flag.ErrHelp,
// which Run turns into success.
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
				f.printHelp()
				return nil, flag.ErrHelp
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
			return nil, usagef("unexpected argument %q", pos[0])
		}
		return nil, usagef("want %s", posNames)
	}
	return pos, nil
}

// printHelp writes the command's usage line and its flags.
func (f *commandFlags) printHelp() {
	w := f.stdout
	n := 0
	f.VisitAll(func(*flag.Flag) { n++ })
	line := f.cmd.name + " " + f.cmd.args
	if n > 0 {
		line += " [flags]"
	}
	fmt.Fprintf(w, "usage: tabletapi %s\n", strings.Join(strings.Fields(line), " "))
	if f.cmd.summary != "" {
		fmt.Fprintf(w, "%s\n", f.cmd.summary)
	}
	if n == 0 {
		return
	}
	fmt.Fprintln(w, "\nflags:")
	f.SetOutput(w)
	f.PrintDefaults()
	f.SetOutput(io.Discard)
	fmt.Fprintln(w, "\nEvery flag has an environment variable TABLETAPI_<FLAG>; the database is TABLETAPI_DATABASE_URL.")
}

// required fails when a mandatory string flag is empty.
func required(f *commandFlags, name string) error {
	if fl := f.Lookup(name); fl == nil || fl.Value.String() == "" {
		return usagef("--%s is required", name)
	}
	return nil
}
