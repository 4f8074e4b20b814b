package registry

import "strings"

// parseTable parses the words after "table" on a table line and makes the
// new table current.
func (p *parser) parseTable(args []string) error {
	if len(args) == 0 {
		return p.errorf(p.line, "table line without a table name")
	}
	name := args[0]
	if !nameRE.MatchString(name) {
		return p.errorf(p.line, "invalid table name %q: %s", name, nameRule)
	}
	if prev, ok := p.tableNames.add(name, p.line); !ok {
		if prev.name == name {
			return p.errorf(p.line, "duplicate table %q (first on line %d)", name, prev.line)
		}
		return p.errorf(p.line, "table %q clashes with table %q on line %d (names are compared ignoring case)",
			name, prev.name, prev.line)
	}
	t := &Table{Name: name}
	if err := p.parseAttributes(t, args[1:]); err != nil {
		return err
	}
	p.cur = &tableState{table: t, line: p.line, fieldNames: nameSet{}}
	return nil
}

// parseAttributes sets the attributes of t from words of the form KEY=VALUE.
func (p *parser) parseAttributes(t *Table, words []string) error {
	set := map[string]bool{}
	for _, w := range words {
		key, val, ok := strings.Cut(w, "=")
		if !ok {
			return p.errorf(p.line, "malformed attribute %q of table %q: want KEY=VALUE", w, t.Name)
		}
		if set[key] {
			return p.errorf(p.line, "duplicate attribute %q of table %q", key, t.Name)
		}
		set[key] = true
		switch key {
		case "kind":
			if Kind(val).rank() < 0 {
				return p.errorf(p.line, "unknown kind %q for table %q", val, t.Name)
			}
			t.Kind = Kind(val)
		case "pk":
			if !nameRE.MatchString(val) {
				return p.errorf(p.line, "invalid pk %q for table %q: %s", val, t.Name, nameRule)
			}
			t.PK = val
		case "min_version":
			if !validVersion(val) {
				return p.errorf(p.line, "bad min_version %q for table %q: want MAJOR.MINOR.PATCH, e.g. 2.0.0",
					val, t.Name)
			}
			t.MinVersion = val
		default:
			return p.errorf(p.line, "unknown attribute %q of table %q", key, t.Name)
		}
	}
	for _, key := range []string{"kind", "pk", "min_version"} {
		if !set[key] {
			return p.errorf(p.line, "missing attribute %q for table %q", key, t.Name)
		}
	}
	return nil
}

// endTable checks the current table as a whole, if there is one, and adds
// it to the finished tables. Errors point at the table line.
func (p *parser) endTable() error {
	st := p.cur
	if st == nil {
		return nil
	}
	p.cur = nil
	t := st.table
	if len(t.Fields) == 0 {
		return p.errorf(st.line, "table %q has no fields", t.Name)
	}
	if _, ok := t.Field(t.PK); !ok {
		return p.errorf(st.line, "pk %q of table %q is not one of its fields", t.PK, t.Name)
	}
	for _, name := range []string{"when_last_modified", "_move_off_tablet"} {
		if _, ok := t.Field(name); !ok {
			return p.errorf(st.line, "table %q lacks required field %q (%s)", t.Name, name, requiredType(name))
		}
	}
	p.tables = append(p.tables, t)
	return nil
}
