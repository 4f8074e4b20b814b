package patient

import (
	"maps"
	"slices"
	"strconv"

	"github.com/tabletapi/tabletapi/internal/pyjson"
)

// InfoJSON returns the patient_info value of register_patient and
// get_task_schedules (PROTOCOL 6.3): a JSON array of one object with
// surname, forename, sex, dob, email, address, gp and other (each a string
// or null), then idnum<N> for each ID number in ascending N. It is written
// as the reference's Python json.dumps writes it: ", " and ": " between
// items, and every character outside printable ASCII escaped, so the value
// is one line of ASCII.
func InfoJSON(p *ServerPatient) string {
	o := pyjson.Object{
		{Key: "surname", Value: p.Surname}, {Key: "forename", Value: p.Forename}, {Key: "sex", Value: p.Sex},
		{Key: "dob", Value: p.DOB}, {Key: "email", Value: p.Email}, {Key: "address", Value: p.Address},
		{Key: "gp", Value: p.GP}, {Key: "other", Value: p.Other},
	}
	for _, n := range slices.Sorted(maps.Keys(p.IDNums)) {
		o = append(o, pyjson.Member{Key: "idnum" + strconv.FormatInt(n, 10), Value: p.IDNums[n]})
	}
	b, err := pyjson.Marshal([]pyjson.Object{o})
	if err != nil {
		panic(err) // cannot happen: every value is a *string or an int64
	}
	return string(b)
}
