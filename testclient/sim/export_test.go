package sim

import "slices"

// SetRows replaces the local rows of table, for tests that need exact
// data; later rows get PKs after the largest one given.
func (t *Tablet) SetRows(table string, rows []Row) {
	t.tables[table] = rows
	slices.SortFunc(t.tables[table], func(a, b Row) int { return int(a.ID() - b.ID()) })
	t.nextID[table] = 0
	for _, r := range rows {
		t.nextID[table] = max(t.nextID[table], r.ID())
	}
}

// ClearTables empties every local table.
func (t *Tablet) ClearTables() {
	for _, table := range TableNames() {
		t.SetRows(table, nil)
	}
}

// Canonical is canonical, for tests of how Verify compares stored values.
func Canonical(ft FieldType, v any) string { return canonical(ft, v) }
