package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/tabletapi/tabletapi/internal/password"
)

// passwordFlags are the flags of the commands that set a password.
type passwordFlags struct {
	cost      *int
	minLength *int
}

// addPasswordFlags adds --bcrypt-cost and --min-password-length to f.
func addPasswordFlags(f *commandFlags) passwordFlags {
	return passwordFlags{
		cost: f.Int("bcrypt-cost", 12, "bcrypt cost of the stored hash"),
		minLength: f.Int("min-password-length", password.DefaultMinLength,
			"fewest characters (not bytes) a password may have"),
	}
}

// check validates the flags after parsing. A minimum above 72 would refuse
// every password, as bcrypt takes at most 72 bytes.
func (p passwordFlags) check() error {
	if *p.minLength < 1 || *p.minLength > password.MaxBytes {
		return usagef("--min-password-length must be 1-%d, not %d", password.MaxBytes, *p.minLength)
	}
	return nil
}

// hashFromStdin checks the flags, reads a password as one line of standard
// input, checks its length and hashes it.
func (p passwordFlags) hashFromStdin(ctx context.Context, stdin io.Reader) (string, error) {
	if err := p.check(); err != nil {
		return "", err
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password: %w", err)
	}
	pw := strings.TrimRight(line, "\r\n")
	if pw == "" {
		return "", errors.New("no password on standard input (give it as one line)")
	}
	if err := password.CheckNew(pw, *p.minLength); err != nil {
		if errors.Is(err, password.ErrTooShort) {
			return "", fmt.Errorf("%w (--min-password-length)", err)
		}
		return "", err
	}
	h, err := password.NewHasher(*p.cost, 1, time.Minute)
	if err != nil {
		return "", err
	}
	return h.Hash(ctx, pw)
}
