package patient

import (
	"fmt"
	"strings"

	"github.com/tabletapi/tabletapi/internal/fault"
)

// failure is a validate_patients failure while Validate builds it: the wire
// text, and what the log gets instead, since the text quotes patient data.
type failure struct {
	// message is the exact wire text, for example "Top-level JSON is not
	// a list" or "Invalid patient: Patient(…) -> Fails upload ID policy".
	message string
	// reason is the failure without any value from the request, e.g.
	// "Bad e-mail address" or "Invalid patient: Fails upload ID policy".
	reason string
	// failing and patients count the patients that fail and that were
	// sent; zero when the JSON was not read that far.
	failing, patients int
}

// fault returns the Refused *fault.Error of f. Its Log is the reason and
// the number of patients, e.g. "Invalid patient: Fails upload ID policy
// (failing: 1, patients: 3)".
func (f *failure) fault() *fault.Error {
	log := f.reason
	switch {
	case f.failing > 0:
		log = fmt.Sprintf("%s (failing: %d, patients: %d)", f.reason, f.failing, f.patients)
	case f.patients > 0:
		log = fmt.Sprintf("%s (patients: %d)", f.reason, f.patients)
	}
	return &fault.Error{Kind: fault.Refused, Message: f.message, Log: log}
}

// fail returns a *failure with a formatted message. Its reason is the
// format before the first value it holds, up to a ": " if there is one, so
// no value reaches the log.
func fail(format string, args ...any) *failure {
	reason := format
	if i := strings.IndexByte(format, '%'); i >= 0 {
		reason = strings.TrimRight(format[:i], " :")
		if j := strings.Index(reason, ": "); j >= 0 {
			reason = reason[:j]
		}
	}
	return &failure{message: fmt.Sprintf(format, args...), reason: reason}
}
