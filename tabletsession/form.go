package tabletsession

import "strings"

// Form holds a request's decoded body parameters. When a key repeats, the
// last occurrence wins (PROTOCOL 1.2).
type Form struct {
	m map[string]string
}

// NewForm builds a Form from decoded key/value lists, keeping the last
// value of each key.
func NewForm(values map[string][]string) Form {
	m := make(map[string]string, len(values))
	for k, vs := range values {
		if len(vs) > 0 {
			m[k] = vs[len(vs)-1]
		}
	}
	return Form{m: m}
}

// Get returns the value of key, or "" when it is absent or blank: a blank
// value counts as absent.
func (f Form) Get(key string) string {
	v := f.m[key]
	if isBlank(v) {
		return ""
	}
	return v
}

// Raw returns the value of key as sent, and whether the key was present at
// all. Only move_off_tablet_values needs the difference between a blank and
// an absent value.
func (f Form) Raw(key string) (string, bool) {
	v, ok := f.m[key]
	return v, ok
}

// Len returns the number of distinct keys.
func (f Form) Len() int { return len(f.m) }

func isBlank(s string) bool { return strings.TrimSpace(s) == "" }
