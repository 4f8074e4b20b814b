package websession

import "errors"

// Errors returned by Store.Lookup. Each of them means the same to a caller:
// treat the request as having no session. IsNoSession tests for all four.
var (
	// ErrNotFound means no session has that id, or its user is gone.
	ErrNotFound = errors.New("websession: not found")
	// ErrBadToken means the token does not match the session's digest.
	ErrBadToken = errors.New("websession: bad token")
	// ErrExpired means the session was idle too long or outlived its
	// lifetime.
	ErrExpired = errors.New("websession: expired")
	// ErrIPMismatch means IP binding is on and the request comes from
	// another address than the one the session was created from.
	ErrIPMismatch = errors.New("websession: ip address mismatch")
)

// IsNoSession reports whether err is one of the Lookup errors that mean "no
// valid session" (as opposed to a database failure).
func IsNoSession(err error) bool {
	return errors.Is(err, ErrNotFound) || errors.Is(err, ErrBadToken) ||
		errors.Is(err, ErrExpired) || errors.Is(err, ErrIPMismatch)
}
