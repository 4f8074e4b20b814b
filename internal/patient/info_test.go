package patient_test

import (
	"testing"

	"github.com/tabletapi/tabletapi/internal/patient"
)

// The wanted text is what the reference's json.dumps writes for the same
// patient (checked with python3).
func TestInfoJSON(t *testing.T) {
	s := func(v string) *string { return &v }
	p := &patient.ServerPatient{
		Surname: s("O’Brien"), Forename: s("Zoë"), Sex: s("X"), Email: s("z@example.org"),
		Address: s("1 High St\nLeeds"), GP: s(""), IDNums: map[int64]int64{2: 42, 1: 9434765919},
	}
	want := `[{"surname": "O\u2019Brien", "forename": "Zo\u00eb", "sex": "X", "dob": null, "email": "z@example.org", ` +
		`"address": "1 High St\nLeeds", "gp": "", "other": null, "idnum1": 9434765919, "idnum2": 42}]`
	if got := patient.InfoJSON(p); got != want {
		t.Errorf("InfoJSON = %s\nwant %s", got, want)
	}
	p.DOB = s("1980-02-29")
	p.IDNums = map[int64]int64{}
	want = `[{"surname": "O\u2019Brien", "forename": "Zo\u00eb", "sex": "X", "dob": "1980-02-29", "email": "z@example.org", ` +
		`"address": "1 High St\nLeeds", "gp": "", "other": null}]`
	if got := patient.InfoJSON(p); got != want {
		t.Errorf("InfoJSON = %s\nwant %s", got, want)
	}
}
