package patient

import "maps"

// matches reports whether the client's patient c equals the server patient
// sp (PROTOCOL.md 6.10, 13 C12): null equals "", and the ID numbers are
// compared as a set of (type, value) pairs.
func matches(c *candidate, sp *ServerPatient) bool {
	same := func(a, b *string) bool { return deref(a) == deref(b) }
	return same(c.forename, sp.Forename) && same(c.surname, sp.Surname) &&
		same(c.sex, sp.Sex) && c.dob == serverDOB(sp.DOB) &&
		same(c.address, sp.Address) && same(c.email, sp.Email) &&
		same(c.gp, sp.GP) && same(c.other, sp.Other) &&
		maps.Equal(c.idnums, sp.IDNums)
}

// fromServer turns sp into a candidate, for the "Should be" text.
func fromServer(sp *ServerPatient) *candidate {
	return &candidate{
		forename: sp.Forename, surname: sp.Surname, sex: sp.Sex, dob: serverDOB(sp.DOB),
		address: sp.Address, email: sp.Email, gp: sp.GP, other: sp.Other, idnums: sp.IDNums,
	}
}

// serverDOB returns the date part of the server's DOB text, "" when absent.
// Text that is not a 7.6 date is compared as it is.
func serverDOB(s *string) string {
	if s == nil {
		return ""
	}
	if d, ok := dobDate(*s); ok {
		return d
	}
	return *s
}
