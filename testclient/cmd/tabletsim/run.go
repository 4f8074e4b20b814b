package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/tabletapi/tabletapi/internal/registry"
	"github.com/tabletapi/tabletapi/testclient/sim"
)

// run is the whole command: parse the flags, run the load, verify, report.
// The summary goes to stdout and progress to stderr. The error is a
// *usageError for a bad command line; any other error means failure.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	s, err := parseFlags(args[1:], getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	if s.insecure {
		fmt.Fprintln(stderr, "tabletsim: warning: --insecure: the server's TLS certificate is not verified")
	}
	if s.tables != "" {
		reg, err := registry.Load(s.tables)
		if err != nil {
			return err
		}
		if s.load.Schema, err = sim.NewSchema(reg); err != nil {
			return err
		}
	}
	if s.load.Seed == 0 {
		s.load.Seed = uint64(time.Now().UnixNano())
	}
	if s.load.Patients > 0 {
		s.load.Admin = admin(s.tabletapi, s.database)
	}
	s.load.Progress, s.load.ProgressBar = progressTo(s.progress, stderr)
	sum, err := sim.RunLoad(ctx, s.load)
	if sum == nil {
		return err
	}
	if s.verify && err == nil {
		if sum.Verify, err = verify(ctx, s.database, sum); err != nil {
			return err
		}
		if err = sim.VerifySchedules(ctx, sum.Tablets, sum.Verify); err != nil {
			return err
		}
	}
	if werr := sum.WriteText(stdout); werr != nil {
		return werr
	}
	if s.jsonFile != "" {
		if werr := writeJSON(s.jsonFile, sum); werr != nil {
			return werr
		}
	}
	switch {
	case err != nil:
		return fmt.Errorf("interrupted: %w", err)
	case sum.Verify != nil && !sum.Verify.OK():
		return fmt.Errorf("verification failed: %d problems", len(sum.Verify.Problems))
	case !sum.OK():
		return fmt.Errorf("%d sequences failed, %d tablets unsettled", sum.SequencesFailed, len(sum.Unsettled))
	}
	return nil
}

// verify checks the database against the tablets of the run.
func verify(ctx context.Context, url string, sum *sim.Summary) (*sim.Report, error) {
	db, err := sim.OpenDB(url)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	return sim.Verify(ctx, db, sum.Tablets)
}

// admin returns the function that runs a tabletapi admin command of bin on
// the database at url. Its error carries the command's standard error.
func admin(bin, url string) func(ctx context.Context, args ...string) (string, error) {
	return func(ctx context.Context, args ...string) (string, error) {
		var stdout, stderr bytes.Buffer
		cmd := exec.CommandContext(ctx, bin, append(args, "--database", url)...)
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			return "", fmt.Errorf("tabletapi %s: %w: %s", strings.Join(args[:2], " "), err, strings.TrimSpace(stderr.String()))
		}
		return stdout.String(), nil
	}
}

// progressTo decides where progress goes: mode bar or lines, or for auto a
// bar if stderr is a terminal (a character device) and lines otherwise.
func progressTo(mode string, stderr io.Writer) (io.Writer, bool) {
	switch mode {
	case "none":
		return nil, false
	case "bar":
		return stderr, true
	case "lines":
		return stderr, false
	}
	f, ok := stderr.(*os.File)
	if !ok {
		return stderr, false
	}
	fi, err := f.Stat()
	return stderr, err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// writeJSON writes the summary as JSON to path.
func writeJSON(path string, sum *sim.Summary) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := sum.WriteJSON(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
