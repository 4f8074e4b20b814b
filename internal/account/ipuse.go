package account

import (
	"fmt"
	"slices"
	"strings"
)

// IPUse is a group's intellectual-property-use flags: the uses its
// patients' data may be put to, which register_patient sends as
// ip_use_info (PROTOCOL 6.3). The zero value is none.
type IPUse struct {
	Commercial, Clinical, Educational, Research bool
}

// IPUseNames returns the names ParseIPUse accepts, in the order the help
// text lists them.
func IPUseNames() []string { return []string{"commercial", "clinical", "educational", "research"} }

// ParseIPUse reads a comma-separated subset of IPUseNames, e.g.
// "clinical,research"; "" is none. The error wraps ErrInvalidIPUse for an
// unknown, empty or repeated name.
func ParseIPUse(list string) (IPUse, error) {
	var u IPUse
	if list == "" {
		return u, nil
	}
	var seen []string
	for name := range strings.SplitSeq(list, ",") {
		if slices.Contains(seen, name) {
			return IPUse{}, fmt.Errorf("account: IP use %q given twice: %w", name, ErrInvalidIPUse)
		}
		seen = append(seen, name)
		switch name {
		case "commercial":
			u.Commercial = true
		case "clinical":
			u.Clinical = true
		case "educational":
			u.Educational = true
		case "research":
			u.Research = true
		default:
			return IPUse{}, fmt.Errorf("account: IP use %q: %w", name, ErrInvalidIPUse)
		}
	}
	return u, nil
}

// IPUse returns g's flags.
func (g *Group) IPUse() IPUse {
	return IPUse{Commercial: g.IPUseCommercial, Clinical: g.IPUseClinical, Educational: g.IPUseEducational, Research: g.IPUseResearch}
}

// SetIPUse sets g's flags to u.
func (g *Group) SetIPUse(u IPUse) {
	g.IPUseCommercial, g.IPUseClinical, g.IPUseEducational, g.IPUseResearch = u.Commercial, u.Clinical, u.Educational, u.Research
}

// String is u as ParseIPUse takes it, e.g. "clinical,research", or "none".
func (u IPUse) String() string {
	var names []string
	for _, f := range []struct {
		on   bool
		name string
	}{{u.Commercial, "commercial"}, {u.Clinical, "clinical"}, {u.Educational, "educational"}, {u.Research, "research"}} {
		if f.on {
			names = append(names, f.name)
		}
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ",")
}
