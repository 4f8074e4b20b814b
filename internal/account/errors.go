package account

import "errors"

// Sentinel errors. Store methods wrap them with %w; test with errors.Is.
var (
	// ErrExists means a group, user or ID-number definition with that name
	// or number already exists.
	ErrExists = errors.New("account: already exists")
	// ErrInvalidName means a group name or username breaks its rule.
	ErrInvalidName = errors.New("account: invalid name")
	// ErrGroupNotFound means no group has that name or id.
	ErrGroupNotFound = errors.New("account: group not found")
	// ErrUserNotFound means no user has that name or id.
	ErrUserNotFound = errors.New("account: user not found")
	// ErrInvalidIDNum means an ID-number definition is incomplete or names
	// an unknown validation method.
	ErrInvalidIDNum = errors.New("account: invalid ID number definition")
	// ErrInvalidIPUse means an IP-use list names something other than
	// commercial, clinical, educational and research, or one twice.
	ErrInvalidIPUse = errors.New("account: invalid IP use")
	// ErrNoChange means a change names nothing to change.
	ErrNoChange = errors.New("account: nothing to change")
)
