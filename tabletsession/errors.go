package tabletsession

import (
	"errors"
	"fmt"
	"time"
)

// Refusals and permission failures, in the check order of PROTOCOL 5.3.
// The API maps each to its exact wire message.
var (
	// ErrBadLogin: no logged-in user (unknown user, wrong or missing password).
	ErrBadLogin = errors.New("tabletsession: invalid username/password")
	// ErrThrottled: the client IP's failed-login bucket is empty.
	ErrThrottled = errors.New("tabletsession: too many failed logins from this address")
	// ErrNotAuthorizedRegister: the user may not register devices.
	ErrNotAuthorizedRegister = errors.New("tabletsession: not authorized to register devices")
	// ErrNotAuthorizedUpload: the user may not upload.
	ErrNotAuthorizedUpload = errors.New("tabletsession: not authorized to upload")
	// ErrUnregisteredDevice: the device is missing or not registered.
	ErrUnregisteredDevice = errors.New("tabletsession: unregistered device")
	// ErrBusy: no bcrypt worker freed up in time (HTTP 503).
	ErrBusy = errors.New("tabletsession: login pool busy")
)

// LockedError refuses a login while the username is locked out.
type LockedError struct {
	Until time.Time // end of the lockout, UTC, rounded up to the second
}

func (e *LockedError) Error() string {
	return fmt.Sprintf("tabletsession: account locked until %s", e.Until.Format(time.RFC3339))
}

// NoUploadGroupError: the user has no upload group.
type NoUploadGroupError struct {
	Username string
}

func (e *NoUploadGroupError) Error() string {
	return fmt.Sprintf("tabletsession: no upload group set for user %s", e.Username)
}
