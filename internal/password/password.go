// Package password hashes and verifies passwords with bcrypt in a bounded
// pool of workers, so a storm of logins cannot take every CPU from requests
// that already hold a session and need no bcrypt.
package password

import (
	"context"
	"errors"
	"fmt"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// MaxBytes is the longest password that can be set; bcrypt ignores the rest.
const MaxBytes = 72

var (
	// ErrTooLong is returned by Hash for a password over MaxBytes bytes.
	ErrTooLong = errors.New("password: longer than 72 bytes")
	// ErrEmpty is returned by Hash for an empty password.
	ErrEmpty = errors.New("password: empty")
	// ErrBusy is returned when no bcrypt worker frees up within the wait.
	ErrBusy = errors.New("password: bcrypt pool busy")
)

// Hasher runs bcrypt in a bounded pool.
type Hasher struct {
	cost  int
	wait  time.Duration
	slots chan struct{}
	dummy []byte // a hash at cost, verified for unknown users
}

// NewHasher returns a Hasher that hashes at cost with at most workers
// concurrent bcrypt computations, each waiting at most wait for a worker.
// It fails for a cost outside bcrypt's range or workers < 1.
func NewHasher(cost, workers int, wait time.Duration) (*Hasher, error) {
	if cost < bcrypt.MinCost || cost > bcrypt.MaxCost {
		return nil, fmt.Errorf("password: bcrypt cost %d outside %d..%d", cost, bcrypt.MinCost, bcrypt.MaxCost)
	}
	if workers < 1 {
		return nil, fmt.Errorf("password: bcrypt workers %d < 1", workers)
	}
	dummy, err := bcrypt.GenerateFromPassword([]byte("tabletapi dummy password"), cost)
	if err != nil {
		return nil, fmt.Errorf("password: dummy hash: %w", err)
	}
	return &Hasher{cost: cost, wait: wait, slots: make(chan struct{}, workers), dummy: dummy}, nil
}

// Cost returns the configured bcrypt cost.
func (h *Hasher) Cost() int { return h.cost }

// acquire takes a worker slot, waiting at most h.wait.
func (h *Hasher) acquire(ctx context.Context) error {
	select {
	case h.slots <- struct{}{}:
		return nil
	default:
	}
	t := time.NewTimer(h.wait)
	defer t.Stop()
	select {
	case h.slots <- struct{}{}:
		return nil
	case <-t.C:
		return ErrBusy
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (h *Hasher) release() { <-h.slots }

// Hash returns a bcrypt hash of pw at the configured cost. Errors: ErrEmpty,
// ErrTooLong, ErrBusy, or the context's error.
func (h *Hasher) Hash(ctx context.Context, pw string) (string, error) {
	if pw == "" {
		return "", ErrEmpty
	}
	if len(pw) > MaxBytes {
		return "", ErrTooLong
	}
	if err := h.acquire(ctx); err != nil {
		return "", err
	}
	defer h.release()
	b, err := bcrypt.GenerateFromPassword([]byte(pw), h.cost)
	if err != nil {
		return "", fmt.Errorf("password: hash: %w", err)
	}
	return string(b), nil
}

// Verify reports whether pw matches hash, and whether a match should be
// re-hashed because its cost is below the configured one. Only the first
// MaxBytes bytes of pw are compared, as bcrypt always did. An empty or
// malformed hash never matches. Errors: ErrBusy or the context's error.
func (h *Hasher) Verify(ctx context.Context, hash, pw string) (ok, rehash bool, err error) {
	if err := h.acquire(ctx); err != nil {
		return false, false, err
	}
	defer h.release()
	if len(pw) > MaxBytes {
		pw = pw[:MaxBytes]
	}
	if hash == "" || pw == "" {
		// Spend the same time as a real check so nothing is revealed.
		bcrypt.CompareHashAndPassword(h.dummy, []byte("x")) //nolint:errcheck
		return false, false, nil
	}
	if bcrypt.CompareHashAndPassword([]byte(hash), []byte(pw)) != nil {
		return false, false, nil
	}
	cost, err := bcrypt.Cost([]byte(hash))
	return true, err == nil && cost < h.cost, nil
}

// VerifyDummy spends one bcrypt verification at the configured cost, for a
// username that does not exist, so timing does not reveal who exists.
// Errors: ErrBusy or the context's error.
func (h *Hasher) VerifyDummy(ctx context.Context, pw string) error {
	_, _, err := h.Verify(ctx, string(h.dummy), pw+"\x00")
	return err
}
