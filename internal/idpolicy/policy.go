package idpolicy

// kind is the type of a node of the parsed policy.
type kind int

const (
	and kind = iota
	or
	not
	forename
	surname
	sex
	dob
	address
	gp
	otherDetails
	email
	anyIDNum
	otherIDNum
	idNum
	never // IDNUM<n> with n beyond int64
)

// node is one operator or atom of a parsed policy. and/or use left and
// right, not uses left, idNum uses n.
type node struct {
	kind        kind
	left, right *node
	n           int64
}

// Policy is a parsed, valid ID policy. It is immutable and safe for
// concurrent use.
type Policy struct {
	root      *node
	mentioned map[int64]bool // types named as IDNUM<n>
}

// Patient is what a policy looks at. An empty string means the field is
// absent (null and "" are the same here). IDNums maps an ID number type to
// its value and holds only the numbers that are present.
type Patient struct {
	Forename, Surname, Sex, Address, GP, Email, Other string
	HasDOB                                            bool
	IDNums                                            map[int64]int64
}

// Satisfied reports whether pt satisfies p.
func (p *Policy) Satisfied(pt Patient) bool {
	return p.eval(p.root, &pt)
}

// eval evaluates n for pt.
func (p *Policy) eval(n *node, pt *Patient) bool {
	switch n.kind {
	case and:
		return p.eval(n.left, pt) && p.eval(n.right, pt)
	case or:
		return p.eval(n.left, pt) || p.eval(n.right, pt)
	case not:
		return !p.eval(n.left, pt)
	case forename:
		return pt.Forename != ""
	case surname:
		return pt.Surname != ""
	case sex:
		return pt.Sex != ""
	case dob:
		return pt.HasDOB
	case address:
		return pt.Address != ""
	case gp:
		return pt.GP != ""
	case otherDetails:
		return pt.Other != ""
	case email:
		return pt.Email != ""
	case anyIDNum:
		return len(pt.IDNums) > 0
	case otherIDNum:
		for which := range pt.IDNums {
			if !p.mentioned[which] {
				return true
			}
		}
		return false
	case idNum:
		_, ok := pt.IDNums[n.n]
		return ok
	}
	return false // never
}
