// Command tabletapi runs the tablet API gateway and its admin commands.
// main only wires the process to Run, which tests call directly.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/tabletapi/tabletapi/internal/sqldb"
)

// Version is the tabletapi release.
const Version = "0.1.0"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := Run(ctx, os.Args, Deps{
		Getenv: os.Getenv, Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr,
		Now: time.Now, RouteDriverLog: sqldb.RouteDriverLog,
	})
	stop()
	os.Exit(Report(err, os.Stderr))
}

// Report writes err, if any, as the one line "tabletapi: …" on stderr and
// returns the exit status: 0 for success, 2 for a bad command line and 1
// for any other failure.
func Report(err error, stderr io.Writer) int {
	if err == nil {
		return 0
	}
	fmt.Fprintln(stderr, "tabletapi:", err)
	var ue *usageError
	if errors.As(err, &ue) {
		return 2
	}
	return 1
}

// usageError is a bad command line: exit status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return &usageError{msg: fmt.Sprintf(format, a...)} }

// Deps is what the process gives the commands: its environment, its
// standard streams and its clock. main passes the real ones; tests pass
// their own, and may leave any field nil.
type Deps struct {
	Getenv func(string) string // nil: no variable is set
	Stdin  io.Reader           // nil: empty
	Stdout io.Writer           // nil: discarded
	Stderr io.Writer           // nil: discarded
	// Now is the clock of everything serve times: session expiry and
	// refresh, lockouts, the login throttle, stale batches and the times
	// the server stores. nil means time.Now. The earlier-attempt rule of
	// PROTOCOL 8.3.2 step 4 stays on the real clocks (Go's monotonic one
	// and the database's, internal/upload/earlier.go): it orders physical
	// events, which a clock that tests move cannot.
	Now func() time.Time
	// RouteDriverLog, when set, is given the serve command's logger for the
	// database driver's process-wide messages. Only main sets it: tests run
	// many servers in one process.
	RouteDriverLog func(*slog.Logger)
}

// env is Deps with the defaults filled in, and the command being run.
type env struct {
	getenv         func(string) string
	stdin          io.Reader
	stdout         io.Writer
	stderr         io.Writer
	now            func() time.Time
	routeDriverLog func(*slog.Logger) // nil: leave the driver's log alone
	cmd            command            // names the command's flag set and gives its -h text
}

// Run dispatches args (including the program name) to a command, with the
// process's dependencies d. Every error it returns starts with the
// command's name, so that main's "tabletapi: " makes the one prefix of the
// line; a bad command line is a *usageError (exit status 2).
func Run(ctx context.Context, args []string, d Deps) error {
	e := env{getenv: d.Getenv, stdin: d.Stdin, stdout: d.Stdout, stderr: d.Stderr, now: d.Now, routeDriverLog: d.RouteDriverLog}
	if e.getenv == nil {
		e.getenv = func(string) string { return "" }
	}
	if e.stdin == nil {
		e.stdin = strings.NewReader("")
	}
	if e.stdout == nil {
		e.stdout = io.Discard
	}
	if e.stderr == nil {
		e.stderr = io.Discard
	}
	if e.now == nil {
		e.now = time.Now
	}
	words := args[1:]
	if len(words) == 0 {
		return usagef(`no command; run "tabletapi -h" for the list`)
	}
	if isHelp(words[0]) || words[0] == "help" {
		fmt.Fprint(e.stdout, usage(commands(), ""))
		return nil
	}
	cmds := commands()
	for _, c := range cmds {
		n := strings.Fields(c.name)
		if len(words) < len(n) || strings.Join(words[:len(n)], " ") != c.name {
			continue
		}
		e.cmd = c
		switch err := c.run(ctx, e, words[len(n):]); {
		case errors.Is(err, flag.ErrHelp):
			return nil // the command printed its help
		case err != nil:
			return fmt.Errorf("%s: %w", c.name, err)
		}
		return nil
	}
	group := words[0]
	if !isGroup(cmds, group) {
		return usagef(`unknown command %q; run "tabletapi -h" for the list`, group)
	}
	switch {
	case len(words) == 1:
		return usagef(`%s: missing command; run "tabletapi %s -h" for the list`, group, group)
	case isHelp(words[1]):
		fmt.Fprint(e.stdout, usage(cmds, group))
		return nil
	}
	return usagef(`unknown command %q; run "tabletapi %s -h" for the list`, group+" "+words[1], group)
}

// isHelp reports whether arg asks for help, as the flag package reads it.
func isHelp(arg string) bool {
	switch arg {
	case "-h", "-help", "--help", "--h":
		return true
	}
	return false
}
