package idpolicy_test

import (
	"errors"
	"testing"

	"github.com/tabletapi/tabletapi/internal/idpolicy"
)

// patients are the fixed patients that the policy table is evaluated on.
var patients = map[string]idpolicy.Patient{
	"empty":    {},
	"full":     {Forename: "Ann", Surname: "Smith", Sex: "F", Address: "1 Road", GP: "Dr X", Email: "a@b.cd", Other: "o", HasDOB: true, IDNums: map[int64]int64{1: 9999999999, 2: 7}},
	"sexOnly":  {Sex: "F"},
	"nameDOB":  {Forename: "Ann", Surname: "Smith", Sex: "F", HasDOB: true},
	"nameNoDB": {Forename: "Ann", Surname: "Smith", Sex: "F"},
	"forename": {Forename: "Ann"},
	"dobOnly":  {HasDOB: true},
	"sexID1":   {Sex: "M", IDNums: map[int64]int64{1: 123}},
	"id1":      {IDNums: map[int64]int64{1: 123}},
	"id3":      {IDNums: map[int64]int64{3: 5}},
	"id1and3":  {IDNums: map[int64]int64{1: 123, 3: 5}},
	"contact":  {Address: "1 Road", GP: "Dr X", Email: "a@b.cd", Other: "o"},
}

const clientMinimum = "sex AND ((forename AND surname AND dob) OR anyidnum)"

func TestPolicy_Satisfied(t *testing.T) {
	tests := []struct {
		policy string
		want   map[string]bool // patient name → result; unlisted patients are false
	}{
		{clientMinimum, map[string]bool{"full": true, "nameDOB": true, "sexID1": true}},
		{"SEX AND ((FORENAME AND SURNAME AND DOB) OR ANYIDNUM)", map[string]bool{"full": true, "nameDOB": true, "sexID1": true}},
		// Strictly left to right: (forename OR surname) AND dob.
		{"forename OR surname AND dob", map[string]bool{"full": true, "nameDOB": true}},
		// (dob OR forename) AND surname; with AND binding tighter, dobOnly would pass.
		{"dob OR forename AND surname", map[string]bool{"full": true, "nameDOB": true, "nameNoDB": true}},
		{"dob OR (forename AND surname)", map[string]bool{"full": true, "nameDOB": true, "nameNoDB": true, "dobOnly": true}},
		{"forename", map[string]bool{"full": true, "nameDOB": true, "nameNoDB": true, "forename": true}},
		{"NOT forename", map[string]bool{"empty": true, "sexOnly": true, "dobOnly": true, "sexID1": true, "id1": true, "id3": true, "id1and3": true, "contact": true}},
		{"NOT NOT sex", map[string]bool{"full": true, "sexOnly": true, "nameDOB": true, "nameNoDB": true, "sexID1": true}},
		{"sex AND NOT dob", map[string]bool{"sexOnly": true, "nameNoDB": true, "sexID1": true}},
		{"NOT sex AND dob", map[string]bool{"dobOnly": true}},
		{"NOT (sex OR dob)", map[string]bool{"empty": true, "forename": true, "id1": true, "id3": true, "id1and3": true, "contact": true}},
		{"(sex)AND(dob)", map[string]bool{"full": true, "nameDOB": true}},
		{"((((sex))))", map[string]bool{"full": true, "sexOnly": true, "nameDOB": true, "nameNoDB": true, "sexID1": true}},
		{" \tsex\nAND\r\ndob ", map[string]bool{"full": true, "nameDOB": true}},
		{"SeX aNd DoB", map[string]bool{"full": true, "nameDOB": true}},
		{"address AND gp AND email AND otherdetails", map[string]bool{"full": true, "contact": true}},
		{"address OR gp OR email OR otherdetails", map[string]bool{"full": true, "contact": true}},
		{"surname", map[string]bool{"full": true, "nameDOB": true, "nameNoDB": true}},
		{"anyidnum", map[string]bool{"full": true, "sexID1": true, "id1": true, "id3": true, "id1and3": true}},
		{"idnum1", map[string]bool{"full": true, "sexID1": true, "id1": true, "id1and3": true}},
		{"IDNUM01", map[string]bool{"full": true, "sexID1": true, "id1": true, "id1and3": true}},
		{"idnum0003", map[string]bool{"id3": true, "id1and3": true}},
		{"idnum2 OR idnum3", map[string]bool{"full": true, "id3": true, "id1and3": true}},
		{"idnum4", nil},
		{"idnum0", nil},
		{"idnum99999999999999999999999", nil},
		{"NOT idnum99999999999999999999999 AND sex", map[string]bool{"full": true, "sexOnly": true, "nameDOB": true, "nameNoDB": true, "sexID1": true}},
		// OTHERIDNUM: an ID number whose type is not named anywhere in the policy.
		{"otheridnum", map[string]bool{"full": true, "sexID1": true, "id1": true, "id3": true, "id1and3": true}},
		{"otheridnum AND NOT idnum1", map[string]bool{"id3": true}},
		{"idnum1 OR otheridnum", map[string]bool{"full": true, "sexID1": true, "id1": true, "id3": true, "id1and3": true}},
		{"otheridnum AND idnum01", map[string]bool{"full": true, "id1and3": true}},
		{"otheridnum OR idnum1 OR idnum2", map[string]bool{"full": true, "sexID1": true, "id1": true, "id3": true, "id1and3": true}},
		{"otheridnum AND (idnum1 OR idnum2)", map[string]bool{"id1and3": true}},
		{"otheridnum AND (idnum1 OR idnum2 OR idnum3)", nil},
	}
	for _, tt := range tests {
		p, err := idpolicy.Parse(tt.policy)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.policy, err)
			continue
		}
		for name, pt := range patients {
			want := tt.want[name]
			if got := p.Satisfied(pt); got != want {
				t.Errorf("Parse(%q).Satisfied(%s) = %v, want %v", tt.policy, name, got, want)
			}
		}
	}
}

func TestParse(t *testing.T) {
	t.Run("ErrInvalid", func(t *testing.T) {
		invalid := []string{
			"", " ", "\t\r\n",
			"foo", "sexx", "forenames", "idnum", "IDNUM", "idnum-1", "idnum+1", "idnumx", "idnum1a", "idnum 1",
			"idnum1.0", "anyidnum2", "otheridnum1", "ſex", "ıdnum1", "séx", "sex&dob", "sex & dob", "sex, dob", "[sex]",
			"and", "or", "not", "AND sex", "OR sex", "sex AND", "sex OR", "sex AND AND dob", "sex AND OR dob",
			"NOT", "NOT NOT", "sex AND NOT", "sex NOT dob", "NOT AND sex",
			"sex dob", "sex (dob)", "(sex)(dob)", "(sex) dob", "sex forename AND dob", "idnum1 idnum2",
			"(", ")", "()", "(sex", "sex)", "((sex)", "(sex))", "sex AND (dob", "sex AND dob)", ")sex(",
			"(sex AND)", "(AND sex)", "sex AND ()", clientMinimum + ")", "(" + clientMinimum,
		}
		for _, s := range invalid {
			p, err := idpolicy.Parse(s)
			if !errors.Is(err, idpolicy.ErrInvalid) || p != nil {
				t.Errorf("Parse(%q) = %v, %v; want nil, ErrInvalid", s, p, err)
			}
		}
	})
}
