package device

import "errors"

// Sentinel errors. Store methods wrap them with %w; test with errors.Is.
var (
	// ErrNotFound means no device has that name.
	ErrNotFound = errors.New("device: not found")
	// ErrNameRequired means a registration gave no device name.
	ErrNameRequired = errors.New("device: name required")
	// ErrReservedName means a registration used the name "server".
	ErrReservedName = errors.New("device: reserved name")
	// ErrInsertFailed means the database refused a registration with an
	// integrity error; the API answers "Failed to insert record".
	ErrInsertFailed = errors.New("device: insert failed")
)
