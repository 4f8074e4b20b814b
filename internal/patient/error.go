package patient

import "fmt"

// Error is a validate_patients failure to be sent to the client. Message
// is the exact wire text, for example "Top-level JSON is not a list" or
// "Invalid patient: Patient(…) -> Fails upload ID policy"; Error returns it
// unchanged.
type Error struct {
	Message string
}

// Error returns e.Message.
func (e *Error) Error() string { return e.Message }

// fail returns an *Error with a formatted message.
func fail(format string, args ...any) *Error {
	return &Error{Message: fmt.Sprintf(format, args...)}
}
