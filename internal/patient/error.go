package patient

import (
	"fmt"
	"strings"
)

// Error is a validate_patients failure to be sent to the client. Message
// is the exact wire text, for example "Top-level JSON is not a list" or
// "Invalid patient: Patient(…) -> Fails upload ID policy"; Error returns it
// unchanged. It holds patient data, so it must never be logged: LogText
// is what the log may say.
type Error struct {
	Message string
	// reason is the failure without any value from the request, e.g.
	// "Bad e-mail address" or "Invalid patient: Fails upload ID policy".
	reason string
	// failing and patients count the patients that fail and that were
	// sent; zero when the JSON was not read that far.
	failing, patients int
}

// Error returns e.Message.
func (e *Error) Error() string { return e.Message }

// LogText describes the failure without patient data: the reason and the
// number of patients, e.g. "Invalid patient: Fails upload ID policy
// (failing: 1, patients: 3)".
func (e *Error) LogText() string {
	switch {
	case e.failing > 0:
		return fmt.Sprintf("%s (failing: %d, patients: %d)", e.reason, e.failing, e.patients)
	case e.patients > 0:
		return fmt.Sprintf("%s (patients: %d)", e.reason, e.patients)
	}
	return e.reason
}

// fail returns an *Error with a formatted message. Its reason is the
// format before the first value it holds, up to a ": " if there is one, so
// no value reaches the log.
func fail(format string, args ...any) *Error {
	reason := format
	if i := strings.IndexByte(format, '%'); i >= 0 {
		reason = strings.TrimRight(format[:i], " :")
		if j := strings.Index(reason, ": "); j >= 0 {
			reason = reason[:j]
		}
	}
	return &Error{Message: fmt.Sprintf(format, args...), reason: reason}
}
