// Package idpolicy parses and evaluates the ID-policy language of
// PROTOCOL.md, Appendix B: a group's upload and finalize policies, such as
//
//	sex AND ((forename AND surname AND dob) OR anyidnum)
//
// Tokens are case-insensitive (ASCII letters only) and separated by Unicode
// white space; "(" and ")" need no spaces around them. The grammar is
//
//	expr = term *( ("AND" / "OR") term )   ; strictly left to right
//	term = "NOT" term / "(" expr ")" / atom
//
// so "a OR b AND c" means "(a OR b) AND c". The atoms are FORENAME, SURNAME,
// SEX, DOB, ADDRESS, GP, OTHERDETAILS, EMAIL, ANYIDNUM, OTHERIDNUM and
// IDNUM<n>, where n is one or more ASCII decimal digits (IDNUM01 is type 1).
//
// Parse reports a malformed policy with an error wrapping ErrInvalid; its
// callers treat an empty or invalid policy as one that no patient
// satisfies.
package idpolicy
