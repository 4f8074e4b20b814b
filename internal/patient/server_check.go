package patient

import (
	"fmt"
	"maps"
	"slices"
)

// Rules is what Check needs to know about the patient's group and the
// server's ID-number types.
type Rules struct {
	// UploadPolicy and FinalizePolicy are the group's ID policies; nil is
	// NULL, which no patient satisfies.
	UploadPolicy, FinalizePolicy *string
	// IDNumMethods maps each defined ID-number type to its validation
	// method, "" for none.
	IDNumMethods map[int64]string
}

// CheckError is why Check refuses a patient.
type CheckError struct {
	// Field names what is wrong: "sex", "dob", "email" or "idnum", or ""
	// when the patient as a whole fails an ID policy.
	Field string
	// Reason is the rule's wording, as validate_patients and upload word
	// it (PROTOCOL 11), e.g. "Bad sex value: 'Q'", "For ID type 1, ID
	// number 1234567890 is invalid: Invalid UK NHS number" or "Fails
	// finalizing ID policy". It quotes the patient's data.
	Reason string
}

// Error returns "patient: " and the reason.
func (e *CheckError) Error() string { return "patient: " + e.Reason }

// Check applies to a patient that the server is about to create the rules
// that a tablet's patient meets: the field rules of validate_patients
// (PROTOCOL 6.10: sex F, M or X and required; dob a YYYY-MM-DD date, if
// any; a valid e-mail address, if any; each ID number of a defined type
// and positive), each ID number's validation method (8.4.2, e.g. the NHS
// check digit), and then the group's upload and finalize policies, since
// the patient's tablet will upload and finalize under both. It returns nil
// or a *CheckError for the first rule broken, in that order, ID numbers in
// ascending type.
func Check(p *ServerPatient, r Rules) error {
	if f := check(p, r); f != nil {
		return f
	}
	return nil
}

// CheckFields applies the rules of Check that need nothing from the
// database: sex, dob and email. It returns nil or a *CheckError.
func CheckFields(p *ServerPatient) error {
	if f := checkFields(p); f != nil {
		return f
	}
	return nil
}

// checkFields is CheckFields, returning a nil-able pointer.
func checkFields(p *ServerPatient) *CheckError {
	refuse := func(field string, f *failure) *CheckError { return &CheckError{Field: field, Reason: f.message} }
	if p.Sex == nil || !validSex(*p.Sex) {
		return refuse("sex", fail("Bad sex value: %s", reprOpt(p.Sex)))
	}
	if p.DOB != nil && *p.DOB != "" {
		if d, ok := dobDate(*p.DOB); !ok || d != *p.DOB {
			return refuse("dob", fail("Invalid DOB: %s", reprString(*p.DOB)))
		}
	}
	if p.Email != nil && *p.Email != "" && !validEmail(*p.Email) {
		return refuse("email", fail("Bad e-mail address: %s", reprString(*p.Email)))
	}
	return nil
}

// check is Check, returning a nil-able pointer.
func check(p *ServerPatient, r Rules) *CheckError {
	if f := checkFields(p); f != nil {
		return f
	}
	types := make(map[int64]bool, len(r.IDNumMethods))
	for n := range r.IDNumMethods {
		types[n] = true
	}
	for _, which := range slices.Sorted(maps.Keys(p.IDNums)) {
		v := p.IDNums[which]
		switch {
		case which > 0 && !types[which]:
			return &CheckError{Field: "idnum", Reason: badIDNumType(which).message}
		case v <= 0 || which <= 0:
			return &CheckError{Field: "idnum", Reason: badIDNum(fmt.Sprint(v), which).message}
		}
		if why := IDNumProblem(r.IDNumMethods[which], v); why != "" {
			return &CheckError{Field: "idnum", Reason: InvalidIDNumMessage(which, fmt.Sprint(v), why)}
		}
	}
	k := newChecker(Env{GroupExists: true, UploadPolicy: r.UploadPolicy, FinalizePolicy: r.FinalizePolicy})
	c := fromServer(p)
	for _, finalizing := range []bool{false, true} {
		if reasons := k.reasons(c, finalizing); len(reasons) > 0 {
			return &CheckError{Reason: reasons[0]}
		}
	}
	return nil
}
