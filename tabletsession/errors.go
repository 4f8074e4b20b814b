package tabletsession

import (
	"time"

	"github.com/tabletapi/tabletapi/internal/fault"
)

// Refusals and permission failures, in the check order of PROTOCOL 5.3,
// each with its exact wire text (PROTOCOL 11).
var (
	// ErrBadLogin: no logged-in user (unknown user, wrong or missing password).
	ErrBadLogin = &fault.Error{Kind: fault.Refused, Message: "Invalid username/password (or user not authorized)"}
	// ErrThrottled: the client IP's failed-login bucket is empty.
	ErrThrottled = &fault.Error{Kind: fault.Refused, Message: "Too many failed logins from this address; try again later"}
	// ErrNotAuthorizedRegister: the user may not register devices.
	ErrNotAuthorizedRegister = &fault.Error{Kind: fault.Refused, Message: "User not authorized to register devices for selected group"}
	// ErrNotAuthorizedUpload: the user may not upload.
	ErrNotAuthorizedUpload = &fault.Error{Kind: fault.Refused, Message: "User not authorized to upload to selected group"}
	// ErrLoginPoolBusy: no bcrypt worker freed up in time for a password
	// login or for HashPassword; the API answers its generic busy text with HTTP 503 (PROTOCOL
	// 4.5), and the attempt is not counted as a failure.
	ErrLoginPoolBusy = &fault.Error{Kind: fault.Busy, Message: "tabletsession: login pool busy"}
)

// lockedError refuses a login while the username is locked out until
// until (UTC, rounded up to the second).
func lockedError(until time.Time) *fault.Error {
	return &fault.Error{Kind: fault.Refused, Message: "Account locked; try again after " + until.UTC().Format("2006-01-02T15:04:05Z")}
}

// NoUploadGroupError refuses a user who has no upload group.
func NoUploadGroupError(username string) error {
	return &fault.Error{Kind: fault.Refused, Message: "No upload group set for user " + username}
}
