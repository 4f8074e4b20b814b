package patient

import (
	"strconv"
	"strings"
)

// readPatient checks one element of the patient_info array, its keys in
// text order, and returns the patient and its finalizing flag.
func readPatient(v *jvalue, types map[int64]bool) (*candidate, bool, *failure) {
	if v.kind != jObject {
		return nil, false, fail("Patient JSON is not a dict")
	}
	if len(v.keys) == 0 {
		return nil, false, fail("Patient JSON is empty")
	}
	c := &candidate{idnums: map[int64]int64{}}
	var finalizing *bool
	for i, k := range v.keys {
		val := v.vals[i]
		var err *failure
		switch k {
		case "forename":
			c.forename, err = optString(val)
		case "surname":
			c.surname, err = optString(val)
		case "address":
			c.address, err = optString(val)
		case "gp":
			c.gp, err = optString(val)
		case "other":
			c.other, err = optString(val)
		case "sex":
			if val.kind != jString || !validSex(val.s) {
				return nil, false, fail("Bad sex value: %s", repr(val))
			}
			c.sex = &val.s
		case "dob":
			c.dob, err = readDOB(val)
		case "email":
			c.email, err = readEmail(val)
		case "finalizing":
			if val.kind != jBool {
				return nil, false, fail("Bad 'finalizing' value: %s", repr(val))
			}
			finalizing = &val.b
		default:
			if !strings.HasPrefix(k, "idnum") {
				return nil, false, fail("Unknown JSON key: %s", reprString(k))
			}
			err = readIDNum(c, k, val, types)
		}
		if err != nil {
			return nil, false, err
		}
	}
	if finalizing == nil {
		return nil, false, fail("Missing 'finalizing' JSON key")
	}
	return c, *finalizing, nil
}

// optString accepts a string or null.
func optString(v *jvalue) (*string, *failure) {
	switch v.kind {
	case jNull:
		return nil, nil
	case jString:
		return &v.s, nil
	}
	return nil, fail("Patient JSON contains invalid non-string: %s", repr(v))
}

// readDOB returns the YYYY-MM-DD date of a dob value, "" for none.
func readDOB(v *jvalue) (string, *failure) {
	s, err := optString(v)
	if err != nil || s == nil || *s == "" {
		return "", err
	}
	d, ok := dobDate(*s)
	if !ok {
		return "", fail("Invalid DOB: %s", reprString(*s))
	}
	return d, nil
}

// readEmail checks an email value.
func readEmail(v *jvalue) (*string, *failure) {
	s, err := optString(v)
	if err != nil || s == nil || *s == "" {
		return s, err
	}
	if !validEmail(*s) {
		return nil, fail("Bad e-mail address: %s", reprString(*s))
	}
	return s, nil
}

// readIDNum checks an idnum<n> key and its value and adds the ID number to
// c: digits-only suffix, defined type, one value per type, a JSON integer
// within int64 or null, and then a positive value.
func readIDNum(c *candidate, key string, v *jvalue, types map[int64]bool) *failure {
	suffix := key[len("idnum"):]
	if suffix == "" || strings.Trim(suffix, "0123456789") != "" {
		return fail("Bad idnum key: %s", reprString(key))
	}
	which, err := strconv.ParseInt(suffix, 10, 64)
	if err != nil { // too large for any defined type
		return fail("Bad ID number type: %s", strings.TrimLeft(suffix, "0"))
	}
	if !types[which] {
		return badIDNumType(which)
	}
	if _, dup := c.idnums[which]; dup {
		return fail("More than one ID number supplied for ID number type %d", which)
	}
	value := "None"
	var n int64
	switch {
	case v.kind == jNull:
	case v.kind == jNumber && isInteger(v.s):
		if n, err = strconv.ParseInt(v.s, 10, 64); err != nil {
			return fail("Bad ID number value: %s", repr(v))
		}
		value = strconv.FormatInt(n, 10)
	default:
		return fail("Bad ID number value: %s", repr(v))
	}
	if v.kind == jNull || n <= 0 || which <= 0 {
		return badIDNum(value, which)
	}
	c.idnums[which] = n
	return nil
}

// validSex reports whether s is a sex value: F, M or X.
func validSex(s string) bool { return s == "F" || s == "M" || s == "X" }

// badIDNumType is the failure for an undefined ID number type.
func badIDNumType(which int64) *failure { return fail("Bad ID number type: %d", which) }

// badIDNum is the failure for a missing (value "None") or non-positive ID
// number, or a non-positive type.
func badIDNum(value string, which int64) *failure {
	return fail("Bad ID number: IdNumReference(idnum_value=%s, which_idnum=%d)", value, which)
}
