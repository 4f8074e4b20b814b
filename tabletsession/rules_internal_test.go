package tabletsession

import (
	"regexp"
	"strings"
	"testing"
)

// The byte-loop rules replaced regular expressions (issue 14); they must
// accept exactly what the expressions accepted.
func TestRulesMatchTheirExpressions(t *testing.T) {
	operationRE := regexp.MustCompile(`\A[A-Za-z0-9_]{1,191}\z`)
	nameRE := regexp.MustCompile(`\A[A-Za-z0-9,_\-{}]{1,191}\z`)
	intRE := regexp.MustCompile(`\A[0-9]+\z`)
	inputs := []string{"", "a", "A_z", "upload_table", "dev-{1},x", "a b", "é", "a\n", "\x00", "09",
		"-", "{", "}", ",", "_", strings.Repeat("a", 191), strings.Repeat("a", 192), "a.b", "ä1", "1 "}
	// Every byte alone and between letters.
	for c := range 256 {
		inputs = append(inputs, string(rune(c)), "a"+string([]byte{byte(c)})+"b")
	}
	for _, s := range inputs {
		if got, want := isOperation(s), operationRE.MatchString(s); got != want {
			t.Errorf("isOperation(%q) = %t, want %t", s, got, want)
		}
		if got, want := isName(s), nameRE.MatchString(s); got != want {
			t.Errorf("isName(%q) = %t, want %t", s, got, want)
		}
		if got, want := isDigits(s), intRE.MatchString(s); got != want {
			t.Errorf("isDigits(%q) = %t, want %t", s, got, want)
		}
	}
}

// plainSemver's answers are those of the expression path.
func TestPlainSemverMatchesExpression(t *testing.T) {
	for _, s := range []string{"2.0.0", "2.4.15", "0.0.0", "10.20.30", "02.0.0", "2.00.0", "2.0.01",
		"2.0", "2", "2.0.0-beta", "2.0.0+b1", "2.0.0.", ".2.0.0", "2..0", "2.0.0 ", " 2.0.0", "2.0.0\n",
		"1073741824.0.0", "1073741825.0.0", "99999999999.0.0", "2.a.0", "2.0.0.0"} {
		v, ok := plainSemver(s)
		if !ok {
			continue // the expression decides
		}
		m := semverRE.FindStringSubmatch(s)
		if m == nil || m[4] != "" {
			t.Errorf("plainSemver(%q) = %v, but the expression does not match it as plain", s, v)
			continue
		}
		major, err1 := part(m[1])
		minor, err2 := part(m[2])
		patch, err3 := part(m[3])
		if want := (Version{Major: major, Minor: minor, Patch: patch}); err1 != nil || err2 != nil || err3 != nil || v != want {
			t.Errorf("plainSemver(%q) = %v, the expression gives %v (%v %v %v)", s, v, want, err1, err2, err3)
		}
	}
}
