package patient_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/tabletapi/tabletapi/internal/fault"
	"github.com/tabletapi/tabletapi/internal/patient"
)

// TestError_LogText: what the log may say of a validate_patients failure
// names the reason and counts the patients, and holds none of their data
// (the hardening issue, item 6); the wire message is unchanged.
func TestError_LogText(t *testing.T) {
	restricted := baseEnv()
	restricted.Restricted = true
	restricted.SinglePatient = &patient.ServerPatient{Forename: ptr("Zed"), Surname: ptr("Quux"), Sex: ptr("M"),
		DOB: ptr("1955-05-05"), IDNums: map[int64]int64{1: 4010232137}}
	for _, tc := range []struct {
		name, info string
		env        patient.Env
		want, code string
	}{
		{"Policy", list(ann(), ann("idnum1", "-", "forename", `"Bob"`, "dob", "-"), ann("surname", `"Jones"`)), baseEnv(),
			"Invalid patient: Fails upload ID policy (failing: 1, patients: 3)", "policy_unsatisfied"},
		{"Restricted", list(ann(), ann("email", `"ann@example.org"`)), restricted,
			"Invalid patient: Should be the server's patient (failing: 2, patients: 2)", "not_the_users_patient"},
		{"Email", list(ann(), ann("email", `"not an address"`)), baseEnv(), "Bad e-mail address (patients: 2)", "email_invalid"},
		{"DOB", list(ann("dob", `"1980-02-30"`)), baseEnv(), "Invalid DOB (patients: 1)", "dob_invalid"},
		{"IDNumber", list(ann("idnum1", "-1")), baseEnv(), "Bad ID number (patients: 1)", "idnum_invalid"},
		{"Sex", list(ann("sex", `"Q"`)), baseEnv(), "Bad sex value (patients: 1)", "sex_invalid"},
		{"NotJSON", "[", baseEnv(), "Bad JSON for key 'patient_info'", "json_invalid"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var perr *fault.Error
			err := patient.Validate(tc.info, tc.env)
			if !errors.As(err, &perr) {
				t.Fatalf("Validate = %v, want a *fault.Error", err)
			}
			if got := perr.LogText(); got != tc.want || err.Error() != tc.want {
				t.Fatalf("LogText = %q, Error() = %q, want %q (message %q)", got, err.Error(), tc.want, perr.Message)
			}
			if perr.Reason != tc.code {
				t.Errorf("Reason = %q, want %q", perr.Reason, tc.code)
			}
			for _, data := range []string{"Ann", "Smith", "Bob", "Jones", "1980", "9999999999", "example.org",
				"not an address", "Zed", "Quux", "1955", "4010232137", "'Q'"} {
				if strings.Contains(perr.LogText(), data) {
					t.Errorf("LogText %q holds patient data %q", perr.LogText(), data)
				}
			}
		})
	}
}
