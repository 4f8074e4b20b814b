package upload

import (
	"fmt"

	"github.com/tabletapi/tabletapi/internal/fault"
)

// The batch refusals of PROTOCOL 8.3.2, with their exact wire text.
var (
	// ErrDeviceBusy: another user's batch on the device is still active.
	// A refusal (HTTP 200), unlike tabletsession.ErrLoginPoolBusy.
	ErrDeviceBusy = &fault.Error{Kind: fault.Refused, Message: "Device is busy: an upload by another user is in progress"}
	// ErrTakenOver: another user rolled back U's stale batch on the device,
	// and U has not started again since (step 3).
	ErrTakenOver = &fault.Error{Kind: fault.Refused, Message: "Upload interrupted: another user took over this device's upload. Please upload again."}
	// ErrEarlierAttempt: the request was received before U's open batch
	// began, so it belongs to an attempt its client has given up (step 4).
	ErrEarlierAttempt = &fault.Error{Kind: fault.Refused, Message: "Upload interrupted: this request belongs to an earlier upload attempt. Please upload again."}
)

// userErrorf returns a refusal whose wire text is formatted.
func userErrorf(format string, a ...any) error {
	return fault.Errorf(fault.Refused, format, a...)
}

// deviceMissing is the failure of a device row that vanished after the
// permission check (PROTOCOL 8.3.2, HTTP 503).
func deviceMissing(id int64) error {
	return &fault.Error{Kind: fault.Inconsistent, Message: fmt.Sprintf("Device %d missing from Device table", id)}
}
