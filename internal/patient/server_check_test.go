package patient_test

import (
	"errors"
	"testing"

	"github.com/tabletapi/tabletapi/internal/patient"
)

// newAnn is a server patient that passes every rule of baseRules.
func newAnn() *patient.ServerPatient {
	return &patient.ServerPatient{
		Forename: ptr("Ann"), Surname: ptr("Smith"), Sex: ptr("F"), DOB: ptr("1980-02-29"),
		IDNums: map[int64]int64{1: 9434765919},
	}
}

// baseRules: the client's minimum as upload policy, "sex AND idnum1" as
// finalize policy; type 1 is an NHS number, type 2 has no validation.
func baseRules() patient.Rules {
	return patient.Rules{
		UploadPolicy: ptr(clientMinimum), FinalizePolicy: ptr("sex AND idnum1"),
		IDNumMethods: map[int64]string{1: "uk_nhs_number", 2: ""},
	}
}

func TestCheck(t *testing.T) {
	for _, tc := range []struct {
		name          string
		change        func(p *patient.ServerPatient, r *patient.Rules)
		field, reason string // reason "" means accepted
	}{
		{"OK", func(*patient.ServerPatient, *patient.Rules) {}, "", ""},
		{"OKWithoutDOB", func(p *patient.ServerPatient, _ *patient.Rules) { p.DOB = nil }, "", ""},
		{"OKEmail", func(p *patient.ServerPatient, _ *patient.Rules) { p.Email = ptr("ann@example.org") }, "", ""},
		{"OKUnvalidatedType", func(p *patient.ServerPatient, _ *patient.Rules) { p.IDNums[2] = 5 }, "", ""},
		{"NoSex", func(p *patient.ServerPatient, _ *patient.Rules) { p.Sex = nil }, "sex", "Bad sex value: None"},
		{"BadSex", func(p *patient.ServerPatient, _ *patient.Rules) { p.Sex = ptr("f") }, "sex", "Bad sex value: 'f'"},
		{"BadDOB", func(p *patient.ServerPatient, _ *patient.Rules) { p.DOB = ptr("1981-02-29") }, "dob", "Invalid DOB: '1981-02-29'"},
		{"DateTimeDOB", func(p *patient.ServerPatient, _ *patient.Rules) { p.DOB = ptr("1980-02-29T10:00") }, "dob", "Invalid DOB: '1980-02-29T10:00'"},
		{"BadEmail", func(p *patient.ServerPatient, _ *patient.Rules) { p.Email = ptr("ann@") }, "email", "Bad e-mail address: 'ann@'"},
		{"UndefinedType", func(p *patient.ServerPatient, _ *patient.Rules) { p.IDNums[7] = 5 }, "idnum", "Bad ID number type: 7"},
		{"ZeroValue", func(p *patient.ServerPatient, _ *patient.Rules) { p.IDNums[2] = 0 }, "idnum",
			"Bad ID number: IdNumReference(idnum_value=0, which_idnum=2)"},
		{"NHSCheckDigit", func(p *patient.ServerPatient, _ *patient.Rules) { p.IDNums[1] = 9434765918 }, "idnum",
			"For ID type 1, ID number 9434765918 is invalid: Invalid UK NHS number"},
		{"UploadPolicy", func(p *patient.ServerPatient, _ *patient.Rules) { p.IDNums, p.DOB = nil, nil }, "", "Fails upload ID policy"},
		{"FinalizePolicy", func(p *patient.ServerPatient, _ *patient.Rules) { p.IDNums = map[int64]int64{2: 5} }, "", "Fails finalizing ID policy"},
		{"NullUploadPolicy", func(_ *patient.ServerPatient, r *patient.Rules) { r.UploadPolicy = nil }, "", "Fails upload ID policy"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, r := newAnn(), baseRules()
			tc.change(p, &r)
			err := patient.Check(p, r)
			if tc.reason == "" {
				if err != nil {
					t.Fatalf("Check() = %v, want nil", err)
				}
				return
			}
			var ce *patient.CheckError
			if !errors.As(err, &ce) || ce.Field != tc.field || ce.Reason != tc.reason {
				t.Fatalf("Check() = %#v, want field %q reason %q", err, tc.field, tc.reason)
			}
			if err.Error() != "patient: "+tc.reason {
				t.Errorf("Error() = %q", err.Error())
			}
		})
	}
}
