package idpolicy

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ErrInvalid is wrapped by every error of Parse: the policy is empty or
// blank, contains an unknown token, has unbalanced parentheses, lacks an
// operand, or has two terms in a row.
var ErrInvalid = errors.New("idpolicy: invalid policy")

// atomKinds maps each fixed atom word to its kind; IDNUM<n> is handled
// separately.
var atomKinds = map[string]kind{
	"FORENAME":     forename,
	"SURNAME":      surname,
	"SEX":          sex,
	"DOB":          dob,
	"ADDRESS":      address,
	"GP":           gp,
	"OTHERDETAILS": otherDetails,
	"EMAIL":        email,
	"ANYIDNUM":     anyIDNum,
	"OTHERIDNUM":   otherIDNum,
}

// parser is a recursive-descent parser over the tokens of one policy.
type parser struct {
	toks      []string
	pos       int
	mentioned map[int64]bool
}

// Parse parses s. The error wraps ErrInvalid and says what is wrong.
func Parse(s string) (*Policy, error) {
	p := &parser{toks: tokenize(s), mentioned: map[int64]bool{}}
	if len(p.toks) == 0 {
		return nil, fmt.Errorf("%w: empty", ErrInvalid)
	}
	root, err := p.expr()
	if err != nil {
		return nil, err
	}
	if p.pos < len(p.toks) {
		return nil, fmt.Errorf("%w: unexpected %q at token %d", ErrInvalid, p.toks[p.pos], p.pos+1)
	}
	return &Policy{root: root, mentioned: p.mentioned}, nil
}

// expr parses term *(("AND" / "OR") term), folding to the left.
func (p *parser) expr() (*node, error) {
	left, err := p.term()
	if err != nil {
		return nil, err
	}
	for p.pos < len(p.toks) {
		var k kind
		switch p.toks[p.pos] {
		case "AND":
			k = and
		case "OR":
			k = or
		default:
			return left, nil
		}
		p.pos++
		right, err := p.term()
		if err != nil {
			return nil, err
		}
		left = &node{kind: k, left: left, right: right}
	}
	return left, nil
}

// term parses "NOT" term / "(" expr ")" / atom.
func (p *parser) term() (*node, error) {
	if p.pos >= len(p.toks) {
		return nil, fmt.Errorf("%w: missing operand at end", ErrInvalid)
	}
	tok := p.toks[p.pos]
	p.pos++
	switch tok {
	case "NOT":
		child, err := p.term()
		if err != nil {
			return nil, err
		}
		return &node{kind: not, left: child}, nil
	case "(":
		inner, err := p.expr()
		if err != nil {
			return nil, err
		}
		if p.pos >= len(p.toks) {
			return nil, fmt.Errorf("%w: unbalanced parentheses", ErrInvalid)
		}
		if p.toks[p.pos] != ")" {
			return nil, fmt.Errorf("%w: unexpected %q at token %d", ErrInvalid, p.toks[p.pos], p.pos+1)
		}
		p.pos++
		return inner, nil
	case ")", "AND", "OR":
		return nil, fmt.Errorf("%w: missing operand before %q at token %d", ErrInvalid, tok, p.pos)
	}
	if k, ok := atomKinds[tok]; ok {
		return &node{kind: k}, nil
	}
	return p.idnum(tok)
}

// idnum parses an IDNUM<n> atom. A number too large for int64 is valid
// syntax but names no type that can exist, so the atom is never true.
func (p *parser) idnum(tok string) (*node, error) {
	const prefix = "IDNUM"
	digits, ok := strings.CutPrefix(tok, prefix)
	if !ok || digits == "" || !allDigits(digits) {
		return nil, fmt.Errorf("%w: unknown token %q", ErrInvalid, tok)
	}
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil {
		return &node{kind: never}, nil
	}
	p.mentioned[n] = true
	return &node{kind: idNum, n: n}, nil
}

// allDigits reports whether s consists of ASCII decimal digits only.
func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
