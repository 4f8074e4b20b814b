package tabletsession

import (
	"context"
	"errors"

	"github.com/tabletapi/tabletapi/internal/password"
)

// An access key (PROTOCOL 6.3) is a credential as a password is, so the
// operations that take one share phase A's defences: the per-IP throttle of
// PROTOCOL 4.4 and the bcrypt pool of 4.5.

// CheckKeyThrottle returns ErrThrottled while ip's bucket of failed logins
// is empty, before an access key is looked up: a client guessing keys is
// refused as one guessing passwords is. Otherwise it returns nil.
func (a *Authenticator) CheckKeyThrottle(ip string) error {
	if !a.throttle.Allow(ip) {
		return ErrThrottled
	}
	return nil
}

// KeyFailed takes one token from ip's bucket for an access key that was
// malformed or named no patient, as a failed login does.
func (a *Authenticator) KeyFailed(ip string) { a.throttle.Fail(ip) }

// HashPassword hashes a password that the server sets, such as
// register_patient's generated one, at the configured cost in the bcrypt
// pool. Errors: ErrLoginPoolBusy (503 Server busy) when no worker frees up
// in time, password.ErrEmpty or ErrTooLong for a password no rule allows,
// or the context's error.
func (a *Authenticator) HashPassword(ctx context.Context, pw string) (string, error) {
	h, err := a.hasher.Hash(ctx, pw)
	if errors.Is(err, password.ErrNoWorker) {
		return "", ErrLoginPoolBusy
	}
	return h, err
}
