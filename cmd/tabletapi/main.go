// Command tabletapi runs the tablet API gateway and its admin commands.
// main only wires the process to run, which tests call directly.
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
	os.Exit(report(err, os.Stderr))
}

// report writes err, if any, as the one line "tabletapi: …" on stderr and
// returns the exit status: 0 for success, 2 for a bad command line and 1
// for any other failure.
func report(err error, stderr io.Writer) int {
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

// env is the process environment, passed in so tests can set it, and the
// command being run.
type env struct {
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	cmd    command // names the command's flag set and gives its -h text
}

// run dispatches args (including the program name) to a command. Every
// error it returns starts with the command's name, so that main's
// "tabletapi: " makes the one prefix of the line.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	e := env{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	words := args[1:]
	if len(words) == 0 {
		return usagef(`no command; run "tabletapi -h" for the list`)
	}
	if isHelp(words[0]) || words[0] == "help" {
		fmt.Fprint(stdout, usage(commands(), ""))
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
		fmt.Fprint(stdout, usage(cmds, group))
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
