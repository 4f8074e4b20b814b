package registry

import (
	"regexp"
	"strconv"
	"strings"
)

// nameRE matches table and field names. They become SQL identifiers, so this
// is a security check; 63 bytes is PostgreSQL's identifier limit.
var nameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,62}$`)

// nameRule explains nameRE in error messages.
const nameRule = "want 1 to 63 ASCII letters, digits or underscores, not starting with a digit"

// versionRE matches MAJOR.MINOR.PATCH without leading zeros.
var versionRE = regexp.MustCompile(`^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$`)

// validVersion reports whether s matches versionRE and each of its parts
// fits in an int, so that later comparisons cannot overflow.
func validVersion(s string) bool {
	if !versionRE.MatchString(s) {
		return false
	}
	for part := range strings.SplitSeq(s, ".") {
		if _, err := strconv.Atoi(part); err != nil {
			return false
		}
	}
	return true
}

// seen records where a name was first declared.
type seen struct {
	name string
	line int
}

// nameSet holds the names declared in one scope, keyed by their lower-case
// form: SQLite compares identifiers ignoring case, so names that differ only
// in case would clash in the database.
type nameSet map[string]seen

// add records name, declared on line, unless a name equal to it ignoring case
// was declared before, which it then returns.
func (s nameSet) add(name string, line int) (seen, bool) {
	key := strings.ToLower(name)
	if prev, ok := s[key]; ok {
		return prev, false
	}
	s[key] = seen{name: name, line: line}
	return seen{}, true
}
