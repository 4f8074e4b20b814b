package registry

import "strings"

// parseField parses the words of an indented line, NAME TYPE, and adds the
// field to the current table.
func (p *parser) parseField(words []string) error {
	if p.cur == nil {
		return p.errorf(p.line, "field line before any table")
	}
	t := p.cur.table
	if len(words) != 2 {
		return p.errorf(p.line, "malformed field line of table %q: want NAME TYPE", t.Name)
	}
	name, typ := words[0], words[1]
	if !nameRE.MatchString(name) {
		return p.errorf(p.line, "invalid field name %q in table %q: %s", name, t.Name, nameRule)
	}
	// Names are matched ignoring case too, so "_PK" cannot clash with "_pk"
	// in SQLite, which compares identifiers ignoring case.
	if IsReserved(strings.ToLower(name)) {
		return p.errorf(p.line, "reserved field name %q in table %q", name, t.Name)
	}
	if prev, ok := p.cur.fieldNames.add(name, p.line); !ok {
		if prev.name == name {
			return p.errorf(p.line, "duplicate field %q in table %q (first on line %d)", name, t.Name, prev.line)
		}
		return p.errorf(p.line, "field %q of table %q clashes with field %q on line %d (names are compared ignoring case)",
			name, t.Name, prev.name, prev.line)
	}
	ft, ok := parseFieldType(typ)
	if !ok {
		return p.errorf(p.line, "unknown field type %q for field %q of table %q", typ, name, t.Name)
	}
	if name == t.PK && ft != Integer {
		return p.errorf(p.line, "pk %q of table %q must be integer, not %s", name, t.Name, ft)
	}
	if want := requiredType(name); want != "" && ft != want {
		return p.errorf(p.line, "field %q of table %q must be %s, not %s", name, t.Name, want, ft)
	}
	t.Fields = append(t.Fields, Field{Name: name, Type: ft})
	return nil
}

// requiredType returns the type of a field that every table must have,
// other than its PK, or "" if name is not such a field.
func requiredType(name string) FieldType {
	switch name {
	case "when_last_modified":
		return DateTime
	case "_move_off_tablet":
		return Boolean
	}
	return ""
}
