package patient

import (
	"maps"
	"slices"
	"strconv"

	"github.com/tabletapi/tabletapi/internal/pyjson"
)

// InfoJSON returns the patient_info reply value of register_patient and
// get_task_schedules (PROTOCOL 6.3): a JSON array of one object with the
// keys surname, forename, sex, dob ("YYYY-MM-DD" or null), email, address,
// gp and other (each a string or null), then idnum<N> (an integer) for
// each ID number in ascending N, written as the reference's json.dumps
// writes it.
func (p *ServerPatient) InfoJSON() ([]byte, error) {
	var dob *string
	if p.DOB != nil && *p.DOB != "" {
		d := serverDOB(p.DOB)
		dob = &d
	}
	o := pyjson.Object{
		{Key: "surname", Value: p.Surname}, {Key: "forename", Value: p.Forename}, {Key: "sex", Value: p.Sex},
		{Key: "dob", Value: dob}, {Key: "email", Value: p.Email}, {Key: "address", Value: p.Address},
		{Key: "gp", Value: p.GP}, {Key: "other", Value: p.Other},
	}
	for _, n := range slices.Sorted(maps.Keys(p.IDNums)) {
		o = append(o, pyjson.Member{Key: "idnum" + strconv.FormatInt(n, 10), Value: p.IDNums[n]})
	}
	return pyjson.Marshal([]pyjson.Object{o})
}
