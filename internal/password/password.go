// Package password hashes and verifies passwords with bcrypt in a bounded
// pool of workers, so a storm of logins cannot take every CPU from requests
// that already hold a session and need no bcrypt. It owns the 72-byte rules
// of PROTOCOL 4.1: CheckLength refuses a longer password when one is set,
// and Truncate cuts one at login as bcrypt would. Generate makes the random
// password of a user the server creates (PROTOCOL 6.3 step 6).
package password

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/crypto/bcrypt"
)

// MaxBytes is the longest password that can be set; bcrypt ignores the rest.
const MaxBytes = 72

var (
	// ErrTooLong is returned by CheckLength and Hash for a password over
	// MaxBytes bytes. Its text is what `user add` and `user passwd` print.
	ErrTooLong = errors.New("password longer than 72 bytes")
	// ErrEmpty is returned by CheckLength and Hash for an empty password.
	ErrEmpty = errors.New("password: empty")
	// ErrNoWorker is returned when no bcrypt worker frees up within the
	// wait.
	ErrNoWorker = errors.New("password: no bcrypt worker free")
)

// Hasher runs bcrypt in a bounded pool.
type Hasher struct {
	cost  int
	wait  time.Duration
	slots chan struct{}
	// dummies[k] is a well-formed hash of cost k: verifying against it
	// costs what a real check at cost k does. (The cost-4 one is a hash of
	// a known password; whether a dummy matches is never looked at.) dummies[cost] stands in for unknown users; the weaker ones pad
	// a failed check of a weaker hash up to the configured cost.
	dummies [bcrypt.MaxCost + 1][]byte
	work    atomic.Uint64 // bcrypt work done, in 2^cost units

	waiting atomic.Int64         // callers waiting for a worker
	waits   prometheus.Histogram // how long each caller waited for one
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
	// The salt and digest of one cheap hash serve every cost: a check
	// runs the key schedule of the cost its hash names whatever the digest,
	// so the dummies cost nothing to make.
	cheap, err := bcrypt.GenerateFromPassword([]byte("tabletapi dummy password"), bcrypt.MinCost)
	if err != nil {
		return nil, fmt.Errorf("password: dummy hash: %w", err)
	}
	h := &Hasher{cost: cost, wait: wait, slots: make(chan struct{}, workers),
		waits: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "tabletapi_bcrypt_wait_seconds",
			Help: "Time a bcrypt computation waited for a worker of the pool, including those that gave up.",
			// From an idle pool (0) up to past the default --bcrypt-wait.
			Buckets: []float64{.001, .01, .05, .1, .25, .5, 1, 2.5, 5, 10, 20, 30},
		})}
	saltAndDigest := cheap[len("$2a$04$"):]
	for k := bcrypt.MinCost; k <= cost; k++ {
		h.dummies[k] = fmt.Appendf(nil, "$2a$%02d$%s", k, saltAndDigest)
	}
	return h, nil
}

// Cost returns the configured bcrypt cost.
func (h *Hasher) Cost() int { return h.cost }

// acquire takes a worker slot, waiting at most h.wait.
func (h *Hasher) acquire(ctx context.Context) error {
	select {
	case h.slots <- struct{}{}:
		h.waits.Observe(0)
		return nil
	default:
	}
	start := time.Now()
	h.waiting.Add(1)
	defer func() {
		h.waiting.Add(-1)
		h.waits.Observe(time.Since(start).Seconds())
	}()
	t := time.NewTimer(h.wait)
	defer t.Stop()
	select {
	case h.slots <- struct{}{}:
		return nil
	case <-t.C:
		return ErrNoWorker
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (h *Hasher) release() { <-h.slots }

// CheckLength applies the length rule for setting a password (PROTOCOL
// 4.1): it may not be empty, and it may not be over MaxBytes bytes, as
// bcrypt would ignore the rest. Hash applies it; `user add` and `user
// passwd` call it before their own checks, so the refusal comes first.
// Errors: ErrEmpty, ErrTooLong.
func CheckLength(pw string) error {
	switch {
	case pw == "":
		return ErrEmpty
	case len(pw) > MaxBytes:
		return ErrTooLong
	}
	return nil
}

// Truncate returns the part of a login password that bcrypt compares: its
// first MaxBytes bytes (PROTOCOL 4.1), as bcrypt and CamCOPS always did.
// Verify compares only these, and a re-hash after login must hash only
// these, so the stored hash still matches what the user types.
func Truncate(pw string) string {
	if len(pw) > MaxBytes {
		return pw[:MaxBytes]
	}
	return pw
}

// Hash returns a bcrypt hash of pw at the configured cost. Errors: ErrEmpty,
// ErrTooLong (see CheckLength), ErrNoWorker, or the context's error.
func (h *Hasher) Hash(ctx context.Context, pw string) (string, error) {
	if err := CheckLength(pw); err != nil {
		return "", err
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
// malformed hash never matches. Every failure costs the configured cost,
// so timing tells neither whether the user exists nor how weak their
// stored hash is. Errors: ErrNoWorker or the context's error.
func (h *Hasher) Verify(ctx context.Context, hash, pw string) (ok, rehash bool, err error) {
	return h.VerifyWhen(ctx, nil, hash, pw)
}

// VerifyWhen is Verify, calling ready (unless nil) once a worker is held and
// before any bcrypt runs: a caller that waited for a worker can check that
// the check is still wanted. If ready fails, VerifyWhen returns its error
// and spends no bcrypt.
func (h *Hasher) VerifyWhen(ctx context.Context, ready func(context.Context) error, hash, pw string) (ok, rehash bool, err error) {
	if err := h.acquire(ctx); err != nil {
		return false, false, err
	}
	defer h.release()
	if ready != nil {
		if err := ready(ctx); err != nil {
			return false, false, err
		}
	}
	pw = Truncate(pw)
	cost, err := bcrypt.Cost([]byte(hash))
	if err != nil || pw == "" {
		// Spend the same time as a real check so nothing is revealed.
		h.compare(h.dummies[h.cost], "x")
		return false, false, nil
	}
	switch err := h.compare([]byte(hash), pw); {
	case err == nil:
		return true, cost < h.cost, nil
	case !errors.Is(err, bcrypt.ErrMismatchedHashAndPassword):
		// Malformed past its cost (a short digest, a bad salt): bcrypt
		// gave up before any work, so do the configured cost's.
		h.compare(h.dummies[h.cost], pw)
		return false, false, nil
	}
	// A failure against a weaker hash is padded with checks at costs
	// cost, cost+1, …, h.cost-1: 2^cost + (2^cost + … + 2^(h.cost-1)) is
	// 2^h.cost, the work of a failure at the configured cost.
	for k := cost; k < h.cost; k++ {
		h.compare(h.dummies[k], pw)
	}
	return false, false, nil
}

// compare runs one bcrypt check of pw against hash, counting its work
// when bcrypt did it: a well-formed hash of cost c costs 2^c.
func (h *Hasher) compare(hash []byte, pw string) error {
	err := bcrypt.CompareHashAndPassword(hash, []byte(pw))
	if err == nil || errors.Is(err, bcrypt.ErrMismatchedHashAndPassword) {
		if cost, cerr := bcrypt.Cost(hash); cerr == nil {
			h.work.Add(1 << cost)
		}
	}
	return err
}

// Work returns the bcrypt work done so far, in units of one key-schedule
// round: a check at cost c adds 2^c. It shows what each outcome costs
// without timing it.
func (h *Hasher) Work() uint64 { return h.work.Load() }

// VerifyDummy spends one bcrypt verification at the configured cost, for a
// username that does not exist, so timing does not reveal who exists.
// Errors: ErrNoWorker or the context's error.
func (h *Hasher) VerifyDummy(ctx context.Context, pw string) error {
	return h.VerifyDummyWhen(ctx, nil, pw)
}

// VerifyDummyWhen is VerifyDummy with the ready check of VerifyWhen.
func (h *Hasher) VerifyDummyWhen(ctx context.Context, ready func(context.Context) error, pw string) error {
	_, _, err := h.VerifyWhen(ctx, ready, string(h.dummies[h.cost]), pw)
	return err // whether it matched means nothing
}

// DefaultMinLength is the fewest characters a password set by an operator
// (`user add`, `user passwd`, the console) may have by default: ASVS 5.0
// V6.2.1 requires at least 8 for user-set passwords (and strongly
// recommends 15).
const DefaultMinLength = 8

// ErrTooShort matches (errors.Is) CheckNew's error for a password of fewer
// characters than the minimum.
var ErrTooShort = errors.New("password too short")

// tooShortError is CheckNew's refusal: its text names the minimum.
type tooShortError struct{ min int }

func (e tooShortError) Error() string {
	return fmt.Sprintf("password shorter than %d characters", e.min)
}

// Is makes the error match ErrTooShort.
func (e tooShortError) Is(target error) bool { return target == ErrTooShort }

// CheckNew applies the rules for a password an operator sets: CheckLength
// first, so the 72-byte refusal comes first, then at least minChars
// characters. Characters, not bytes: a passphrase in another script is no
// weaker for taking more bytes per character. Errors: ErrEmpty, ErrTooLong,
// or one matching ErrTooShort, whose text is "password shorter than N
// characters".
func CheckNew(pw string, minChars int) error {
	if err := CheckLength(pw); err != nil {
		return err
	}
	if utf8.RuneCountInString(pw) < minChars {
		return tooShortError{min: minChars}
	}
	return nil
}
