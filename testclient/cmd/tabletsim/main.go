// Command tabletsim simulates CamCOPS tablets against a tabletapi server:
// it registers them, has them upload by every method of the real client,
// changes their data between uploads, optionally drops connections at
// random, and then checks the server's database against what each tablet
// was told. Run it with -h for its flags.
//
// Exit status: 0 if every sequence succeeded (and the database verified),
// 1 for a failure, 2 for a bad command line.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args, os.Getenv, os.Stdout, os.Stderr)
	stop()
	var usage *usageError
	switch {
	case err == nil:
	case errors.As(err, &usage):
		fmt.Fprintln(os.Stderr, "tabletsim:", err, "(see tabletsim -h)")
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "tabletsim:", err)
		os.Exit(1)
	}
}
