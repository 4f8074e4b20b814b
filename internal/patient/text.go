package patient

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// candidate is one patient as validate_patients sees it. A nil string is
// an absent or null field; dob is "" when there is no date of birth.
type candidate struct {
	forename, surname, sex, address, email, gp, other *string
	dob                                               string
	idnums                                            map[int64]int64
}

// text writes c as the reference writes a BarePatientInfo:
//
//	Patient(forename='Ann', surname=None, sex='F', DOB=1980-02-29, address=None, email=None, gp=None, otherdetails=None, idnums=[idnum1=9999999999])
func (c *candidate) text() string {
	dob := "None"
	if c.dob != "" {
		dob = c.dob
	}
	ids := make([]string, 0, len(c.idnums))
	for _, which := range slices.Sorted(maps.Keys(c.idnums)) {
		ids = append(ids, fmt.Sprintf("idnum%d=%d", which, c.idnums[which]))
	}
	return fmt.Sprintf("Patient(forename=%s, surname=%s, sex=%s, DOB=%s, address=%s, email=%s, gp=%s, otherdetails=%s, idnums=[%s])",
		reprOpt(c.forename), reprOpt(c.surname), reprOpt(c.sex), dob, reprOpt(c.address),
		reprOpt(c.email), reprOpt(c.gp), reprOpt(c.other), strings.Join(ids, ", "))
}
