package device

import (
	"errors"

	"github.com/tabletapi/tabletapi/internal/fault"
)

// Sentinel errors. Store methods wrap them with %w; test with errors.Is.
// The refusals carry their exact wire text (PROTOCOL 11).
var (
	// ErrNotFound means no device has that name: "Unregistered device".
	ErrNotFound = &fault.Error{Kind: fault.Refused, Message: "Unregistered device"}
	// ErrNameRequired means a registration gave no device name.
	ErrNameRequired = fault.MissingVariable("device")
	// ErrReservedName means a registration used the name "server". It is
	// no refusal: tabletsession.Parse turns such a request away first, so
	// the API meets it only as a server fault.
	ErrReservedName = errors.New("device: reserved name")
	// ErrInsertFailed means the database refused a registration with an
	// integrity error: "Failed to insert record".
	ErrInsertFailed = &fault.Error{Kind: fault.Refused, Message: "Failed to insert record"}
)
