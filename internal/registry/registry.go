package registry

import (
	_ "embed"
	"fmt"
	"os"
	"slices"
	"strings"
)

//go:embed default.tables
var defaultTables string

// Registry is a validated, read-only set of client tables. It is safe for
// concurrent use.
type Registry struct {
	tables []*Table // in commit order
	byName map[string]*Table
}

// newRegistry builds a registry from valid tables given in file order.
func newRegistry(tables []*Table) *Registry {
	r := &Registry{
		tables: slices.Clone(tables),
		byName: make(map[string]*Table, len(tables)),
	}
	// Commit order (PROTOCOL 8.6): by kind, then alphabetically by name.
	slices.SortStableFunc(r.tables, func(a, b *Table) int {
		if d := a.Kind.rank() - b.Kind.rank(); d != 0 {
			return d
		}
		return strings.Compare(a.Name, b.Name)
	})
	for _, t := range tables {
		r.byName[t.Name] = t
	}
	return r
}

// Default returns the compiled-in registry of PROTOCOL.md, Appendix A. Each
// call parses it afresh, so callers should call it once and pass the result
// on. It panics only if the embedded file is broken, which a test rules out.
func Default() *Registry {
	r, err := Parse(strings.NewReader(defaultTables), "default.tables")
	if err != nil {
		panic(err)
	}
	return r
}

// Load reads a registry from the file at path, which also names the source in
// error messages. It returns the error of os.Open, prefixed with "registry: ",
// or an error of Parse.
func Load(path string) (*Registry, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("registry: %w", err)
	}
	defer f.Close()
	return Parse(f, path)
}

// Table returns the table with the given name, compared exactly, and reports
// whether there is one. The table must not be modified.
func (r *Registry) Table(name string) (*Table, bool) {
	t, ok := r.byName[name]
	return t, ok
}

// Names returns the table names sorted in byte order, the order of
// get_allowed_tables. The slice is the caller's.
func (r *Registry) Names() []string {
	names := make([]string, 0, len(r.tables))
	for _, t := range r.tables {
		names = append(names, t.Name)
	}
	slices.Sort(names)
	return names
}

// Tables returns the tables in commit order: kind patient first, then
// patient_idnum, nontask and task; within a kind, alphabetically by name. The slice
// is the caller's; the tables must not be modified.
func (r *Registry) Tables() []*Table {
	return slices.Clone(r.tables)
}
