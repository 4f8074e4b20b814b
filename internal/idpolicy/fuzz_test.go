package idpolicy_test

import (
	"errors"
	"testing"

	"github.com/tabletapi/tabletapi/internal/idpolicy"
)

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		clientMinimum, "", " ", "(", ")", "()", "sex dob", "NOT NOT sex", "(sex)AND(dob)",
		"forename OR surname AND dob", "otheridnum AND NOT idnum01", "idnum99999999999999999999",
		"ſex", "idnum-1", "address OR gp OR email OR otherdetails",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := idpolicy.Parse(s)
		if err != nil {
			if !errors.Is(err, idpolicy.ErrInvalid) || p != nil {
				t.Fatalf("Parse(%q) = %v, %v; want nil and ErrInvalid", s, p, err)
			}
			return
		}
		// Wrapping a valid policy in NOT (…) keeps it valid and negates it.
		neg, err := idpolicy.Parse("NOT (" + s + ")")
		if err != nil {
			t.Fatalf("Parse(NOT (%q)): %v", s, err)
		}
		for name, pt := range patients {
			got := p.Satisfied(pt)
			if neg.Satisfied(pt) == got {
				t.Fatalf("NOT (%q) gives the same result for %s", s, name)
			}
		}
	})
}
