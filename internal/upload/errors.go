package upload

import "fmt"

// Error is a failure the tablet sees: Message is the exact wire text of
// PROTOCOL 11, answered with HTTP 200 and success:0.
type Error struct {
	Message string
	// Log replaces Message in the log when Message holds patient data.
	Log string
}

func (e *Error) Error() string { return "upload: " + e.Message }

// LogText is what the log may say of the failure.
func (e *Error) LogText() string {
	if e.Log != "" {
		return e.Log
	}
	return e.Message
}

func userErrorf(format string, a ...any) error {
	return &Error{Message: fmt.Sprintf(format, a...)}
}

// ErrBusy: another user's batch on the device is still active.
var ErrBusy = &Error{Message: "Device is busy: an upload by another user is in progress"}

// ErrTakenOver: another user rolled back U's stale batch on the device, and
// U has not started again since (PROTOCOL 8.3.2 step 3).
var ErrTakenOver = &Error{Message: "Upload interrupted: another user took over this device's upload. Please upload again."}

// ErrEarlierAttempt: the request was received before U's open batch began,
// so it belongs to an attempt its client has given up (PROTOCOL 8.3.2
// step 4).
var ErrEarlierAttempt = &Error{Message: "Upload interrupted: this request belongs to an earlier upload attempt. Please upload again."}

// DeviceMissingError: the device row vanished after the permission check
// (HTTP 503).
type DeviceMissingError struct {
	DeviceID int64
}

func (e *DeviceMissingError) Error() string {
	return fmt.Sprintf("Device %d missing from Device table", e.DeviceID)
}
