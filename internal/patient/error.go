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
	// code is the reason as a stable token for the log, e.g.
	// "email_invalid" or "policy_unsatisfied" (reasonCodes).
	code string
	// failing and patients count the patients that fail and that were
	// sent; zero when the JSON was not read that far.
	failing, patients int
}

// reasonCodes give each rule's reason its token; a reason not listed is
// "patient_invalid".
var reasonCodes = map[string]string{
	"Bad JSON for key 'patient_info'":                     "json_invalid",
	"Top-level JSON is not a list":                        "not_a_list",
	"Patient JSON is not a dict":                          "patient_not_a_dict",
	"Patient JSON is empty":                               "patient_empty",
	"Bad sex value":                                       "sex_invalid",
	"Bad 'finalizing' value":                              "finalizing_invalid",
	"Unknown JSON key":                                    "key_unknown",
	"Missing 'finalizing' JSON key":                       "missing_field",
	"Patient JSON contains invalid non-string":            "value_not_a_string",
	"Invalid DOB":                                         "dob_invalid",
	"Bad e-mail address":                                  "email_invalid",
	"Bad idnum key":                                       "idnum_key_invalid",
	"Bad ID number type":                                  "idnum_type_unknown",
	"More than one ID number supplied for ID number type": "idnum_duplicate",
	"Bad ID number value":                                 "idnum_value_invalid",
	"Bad ID number":                                       "idnum_invalid",
	"Nonexistent group":                                   "group_missing",
	"Fails upload ID policy":                              "policy_unsatisfied",
	"Fails finalizing ID policy":                          "policy_unsatisfied",
	"Should be the server's patient":                      "not_the_users_patient",
}

// reasonCode returns reason's token.
func reasonCode(reason string) string {
	if c, ok := reasonCodes[reason]; ok {
		return c
	}
	if strings.HasPrefix(reason, "Restricted user ") {
		return "user_has_no_patient"
	}
	return "patient_invalid"
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
	code := f.code
	if code == "" {
		code = reasonCode(f.reason)
	}
	return &fault.Error{Kind: fault.Refused, Message: f.message, Log: log, Reason: code}
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
