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

// DeviceMissingError: the device row vanished after the permission check
// (HTTP 503).
type DeviceMissingError struct {
	DeviceID int64
}

func (e *DeviceMissingError) Error() string {
	return fmt.Sprintf("Device %d missing from Device table", e.DeviceID)
}
