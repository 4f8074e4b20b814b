// Command tabletapi runs the tablet API gateway and its admin commands.
// main only wires the process to run, which tests call directly.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/tabletapi/tabletapi/internal/sqldb"
)

// Version is the tabletapi release.
const Version = "0.1.0"

// routeDriverLog, when set, is given the serve command's logger for the
// database driver's process-wide messages. Only main sets it: tests run
// many servers in one process.
var routeDriverLog func(*slog.Logger)

func main() {
	routeDriverLog = sqldb.RouteDriverLog
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args, os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "tabletapi:", err)
		var ue *usageError
		if errors.As(err, &ue) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

// usageError is a bad command line: exit status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return &usageError{msg: fmt.Sprintf(format, a...)} }

const usage = `usage: tabletapi <command> [flags]

commands:
  serve                          apply pending migrations, then serve the tablet API
  migrate                        apply pending migrations and exit
  group add NAME [--upload-policy P] [--finalize-policy P] [--description D]
  user add NAME --group G [--may-upload] [--may-register-devices] [--superuser]
                                 (password: one line on standard input)
  user passwd NAME               (password: one line on standard input)
  user unlock NAME
  idnum add N --description D --short-description S [--validation uk_nhs_number]
  device list
  version

Every flag has an environment variable TABLETAPI_<FLAG> (e.g. --bcrypt-cost and
TABLETAPI_BCRYPT_COST); the database is --database or TABLETAPI_DATABASE_URL.
Run "tabletapi <command> -h" for a command's flags.`

// env is the process environment, passed in so tests can set it.
type env struct {
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

// run dispatches args (including the program name) to a command.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	e := env{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) < 2 {
		return usagef("%s", usage)
	}
	cmd, rest := args[1], args[2:]
	sub := func() (string, []string) {
		if len(rest) == 0 {
			return "", nil
		}
		return rest[0], rest[1:]
	}
	switch cmd {
	case "serve":
		return runServe(ctx, e, rest)
	case "migrate":
		return runMigrate(ctx, e, rest)
	case "version":
		fmt.Fprintf(stdout, "tabletapi %s (CamCOPS server API %s)\n", Version, "2.4.24")
		return nil
	case "group":
		if s, r := sub(); s == "add" {
			return runGroupAdd(ctx, e, r)
		}
	case "user":
		switch s, r := sub(); s {
		case "add":
			return runUserAdd(ctx, e, r)
		case "passwd":
			return runUserPasswd(ctx, e, r)
		case "unlock":
			return runUserUnlock(ctx, e, r)
		}
	case "idnum":
		if s, r := sub(); s == "add" {
			return runIDNumAdd(ctx, e, r)
		}
	case "device":
		if s, r := sub(); s == "list" {
			return runDeviceList(ctx, e, r)
		}
	case "-h", "-help", "--help", "help":
		fmt.Fprintln(stdout, usage)
		return nil
	}
	return usagef("unknown command %q\n%s", joinArgs(args[1:]), usage)
}

func joinArgs(a []string) string {
	if len(a) > 2 {
		a = a[:2]
	}
	s := ""
	for i, x := range a {
		if i > 0 {
			s += " "
		}
		s += x
	}
	return s
}
