package tabletsession

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Version is a client CamCOPS version (PROTOCOL 9.1).
type Version struct {
	Major, Minor, Patch int
	Pre                 string // pre-release part without the "-", or ""
}

// MinClientVersion returns the oldest client version the API accepts. It is
// a function because Go has no constant structs, and a variable could be
// changed by any importer.
func MinClientVersion() Version { return Version{Major: 2} }

// ErrBadVersion is returned by ParseVersion for a nonsensical version.
var ErrBadVersion = errors.New("tabletsession: nonsensical camcops_version")

var (
	semverRE = regexp.MustCompile(`^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)` +
		`(?:-((?:0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)(?:\.(?:0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*))*))?` +
		`(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$`)
	legacyRE = regexp.MustCompile(`^([0-9]+)(?:\.([0-9]+))?$`)
)

// maxPart bounds each number so comparisons never overflow.
const maxPart = 1 << 30

// ParseVersion parses a camcops_version string. Blank means 0.0.0. A strict
// semantic version is taken as is (build metadata dropped); the legacy
// decimal style N or N.M means N.m.0 where m is M right-padded with zeros to
// two digits ("1.5" is 1.50.0, "2.05" is 2.5.0). Anything else fails with
// ErrBadVersion.
func ParseVersion(s string) (Version, error) {
	if strings.TrimSpace(s) == "" {
		return Version{}, nil
	}
	if v, ok := plainSemver(s); ok {
		return v, nil
	}
	if m := semverRE.FindStringSubmatch(s); m != nil {
		v := Version{Pre: m[4]}
		var err error
		if v.Major, err = part(m[1]); err != nil {
			return Version{}, err
		}
		if v.Minor, err = part(m[2]); err != nil {
			return Version{}, err
		}
		if v.Patch, err = part(m[3]); err != nil {
			return Version{}, err
		}
		return v, nil
	}
	if m := legacyRE.FindStringSubmatch(s); m != nil {
		major, err := part(m[1])
		if err != nil {
			return Version{}, err
		}
		minor := 0
		if m[2] != "" {
			digits := m[2]
			for len(digits) < 2 {
				digits += "0"
			}
			if minor, err = part(digits); err != nil {
				return Version{}, err
			}
		}
		return Version{Major: major, Minor: minor}, nil
	}
	return Version{}, fmt.Errorf("%w: %q", ErrBadVersion, s)
}

// plainSemver parses the version every tablet sends, MAJOR.MINOR.PATCH
// with no pre-release or build part, without the regular expression (which
// runs on every request). It reports false for anything else, which
// ParseVersion then reads with semverRE: a number with a leading zero, a
// pre-release, build metadata, or a part over maxPart (whose error is
// part's).
func plainSemver(s string) (Version, bool) {
	var n [3]int
	for i := range n {
		j := 0
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if j == 0 || j > 10 || (j > 1 && s[0] == '0') {
			return Version{}, false
		}
		v, err := part(s[:j])
		if err != nil {
			return Version{}, false
		}
		n[i] = v
		s = s[j:]
		if i < 2 {
			if len(s) == 0 || s[0] != '.' {
				return Version{}, false
			}
			s = s[1:]
		}
	}
	if s != "" {
		return Version{}, false
	}
	return Version{Major: n[0], Minor: n[1], Patch: n[2]}, true
}

func part(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n > maxPart {
		return 0, fmt.Errorf("%w: number %q too large", ErrBadVersion, s)
	}
	return n, nil
}

// String writes v as MAJOR.MINOR.PATCH, with "-pre" when there is one.
func (v Version) String() string {
	s := fmt.Sprintf("%d.%d.%d", v.Major, v.Minor, v.Patch)
	if v.Pre != "" {
		s += "-" + v.Pre
	}
	return s
}

// Compare returns -1, 0 or +1 as v sorts before, with or after w, by
// semantic-version precedence (a pre-release sorts below its release).
func (v Version) Compare(w Version) int {
	for _, d := range [][2]int{{v.Major, w.Major}, {v.Minor, w.Minor}, {v.Patch, w.Patch}} {
		if d[0] != d[1] {
			if d[0] < d[1] {
				return -1
			}
			return 1
		}
	}
	switch {
	case v.Pre == w.Pre:
		return 0
	case v.Pre == "":
		return 1
	case w.Pre == "":
		return -1
	}
	return comparePre(strings.Split(v.Pre, "."), strings.Split(w.Pre, "."))
}

// comparePre compares dot-separated pre-release identifiers (semver 11.4).
func comparePre(a, b []string) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if c := compareIdent(a[i], b[i]); c != 0 {
			return c
		}
	}
	switch {
	case len(a) < len(b):
		return -1
	case len(a) > len(b):
		return 1
	}
	return 0
}

func compareIdent(x, y string) int {
	xn, xerr := strconv.ParseUint(x, 10, 64)
	yn, yerr := strconv.ParseUint(y, 10, 64)
	switch {
	case xerr == nil && yerr == nil:
		if xn == yn {
			return 0
		}
		if xn < yn {
			return -1
		}
		return 1
	case xerr == nil:
		return -1 // numeric identifiers sort below alphanumeric ones
	case yerr == nil:
		return 1
	}
	return strings.Compare(x, y)
}
