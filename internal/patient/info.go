package patient

import (
	"maps"
	"slices"
	"strconv"
	"strings"

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
	var b strings.Builder
	b.WriteString("[{")
	for i, f := range []struct {
		key string
		val *string
	}{
		{"surname", p.Surname}, {"forename", p.Forename}, {"sex", p.Sex}, {"dob", p.DOB},
		{"email", p.Email}, {"address", p.Address}, {"gp", p.GP}, {"other", p.Other},
	} {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(`"` + f.key + `": `)
		if f.val == nil {
			b.WriteString("null")
		} else {
			b.Write(pyjson.AppendString(nil, *f.val))
		}
	}
	for _, n := range slices.Sorted(maps.Keys(p.IDNums)) {
		b.WriteString(`, "idnum` + strconv.FormatInt(n, 10) + `": ` + strconv.FormatInt(p.IDNums[n], 10))
	}
	b.WriteString("}]")
	return b.String()
}
