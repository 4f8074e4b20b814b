package patient_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/tabletapi/tabletapi/internal/fault"
	"github.com/tabletapi/tabletapi/internal/patient"
)

// clientMinimum is the client's built-in minimum policy (PROTOCOL Appendix B).
const clientMinimum = "sex AND ((forename AND surname AND dob) OR anyidnum)"

// annText is the patient text of ann().
const annText = "Patient(forename='Ann', surname='Smith', sex='F', DOB=1980-02-29, address=None, email=None, gp=None, otherdetails=None, idnums=[idnum1=9999999999])"

// baseEnv is a clinician (unrestricted) user whose group has the client's
// minimum as its upload policy and "sex AND idnum1" as its finalize policy,
// with ID number types 1, 2 and 10 defined.
func baseEnv() patient.Env {
	return patient.Env{
		UploadPolicy:   ptr(clientMinimum),
		FinalizePolicy: ptr("sex AND idnum1"),
		GroupExists:    true,
		IDNumTypes:     map[int64]bool{1: true, 2: true, 10: true},
		Username:       "alice",
	}
}

func ptr(s string) *string { return &s }

// ann returns one patient object as the client writes it (compact, keys
// sorted), with the raw JSON values in kv replacing or adding keys; a value
// of "-" removes the key.
func ann(kv ...string) string {
	fields := map[string]string{
		"address": "null", "dob": `"1980-02-29"`, "email": "null", "finalizing": "false",
		"forename": `"Ann"`, "gp": "null", "idnum1": "9999999999", "other": "null",
		"sex": `"F"`, "surname": `"Smith"`,
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "-" {
			delete(fields, kv[i])
		} else {
			fields[kv[i]] = kv[i+1]
		}
	}
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = `"` + k + `":` + fields[k]
	}
	return "{" + strings.Join(parts, ",") + "}"
}

// list wraps patient objects in a JSON array.
func list(objs ...string) string { return "[" + strings.Join(objs, ",") + "]" }

// mustMessage runs Validate and checks its result: want "" means success.
func mustMessage(t *testing.T, info string, env patient.Env, want string) {
	t.Helper()
	err := patient.Validate(info, env)
	if want == "" {
		if err != nil {
			t.Errorf("Validate(%s) = %q, want success", info, err)
		}
		return
	}
	var perr *fault.Error
	if !errors.As(err, &perr) || perr.Kind != fault.Refused {
		t.Errorf("Validate(%s) = %#v, want a Refused *fault.Error %q", info, err, want)
		return
	}
	if perr.Message != want {
		t.Errorf("Validate(%s)\n got: %s\nwant: %s", info, perr.Message, want)
	}
}
