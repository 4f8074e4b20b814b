package schema

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"github.com/tabletapi/tabletapi/internal/registry"
)

// TablesDDL returns the statements that SyncTables runs to create every
// table of reg, with its indexes, in a database that has none of them. It
// is for tools that fingerprint the schema: the test helper names its
// template databases after a hash of it, so a changed registry or a change
// in how tables are declared gets a new template instead of a stale one.
func TablesDDL(reg *registry.Registry, pg bool) []string {
	var out []string
	for _, t := range reg.Tables() {
		out = append(out, tableDDL(t, pg)...)
	}
	return out
}

// tableDDL returns the statements that create t and its indexes.
func tableDDL(t *registry.Table, pg bool) []string {
	stmts := []string{createTable(t, pg)}
	for _, ix := range indexes(t) {
		stmts = append(stmts, ix.sql)
	}
	return stmts
}

// FieldSQLType is the column type of a registry field type. Date-times are
// ISO 8601 text with microseconds and the client's offset (PROTOCOL 7.6:
// the instant to the microsecond, and the offset, are both kept). Times of
// day are TIME on PostgreSQL and, on SQLite, text in the form of
// codec.Time.String (HH:MM:SS, with a fraction only when there is one).
func FieldSQLType(ft registry.FieldType, pg bool) string {
	switch ft {
	case registry.Integer:
		return "BIGINT"
	case registry.Real:
		if pg {
			return "DOUBLE PRECISION"
		}
		return "REAL"
	case registry.Boolean:
		return "BOOLEAN"
	case registry.Date:
		if pg {
			return "DATE"
		}
		return "TEXT"
	case registry.Time:
		if pg {
			return "TIME"
		}
		return "TEXT"
	case registry.Blob:
		if pg {
			return "BYTEA"
		}
		return "BLOB"
	default: // text, datetime
		return "TEXT"
	}
}

// reservedColumnType is the column definition, but its name, of a
// reserved server column (PROTOCOL 8.1, registry.ReservedColumns). A
// column without one is a bug that every table creation reports at once.
func reservedColumnType(name string, pg bool) string {
	types := typesFor(pg)
	switch name {
	case "_pk":
		return types.PK
	case "_device_id":
		return "BIGINT NOT NULL"
	case "_era":
		return "VARCHAR(32) NOT NULL"
	case "_current":
		return "BOOLEAN NOT NULL"
	case "_when_added_exact", "_when_added_batch_utc", "_when_removed_exact", "_when_removed_batch_utc",
		"_manually_erased_at":
		return types.Time
	case "_adding_user_id", "_removing_user_id", "_preserving_user_id", "_predecessor_pk", "_successor_pk",
		"_manually_erasing_user_id", "_group_id":
		return "BIGINT"
	case "_forcibly_preserved", "_manually_erased", "_addition_pending", "_removal_pending":
		return "BOOLEAN NOT NULL DEFAULT FALSE"
	case "_camcops_version":
		return "VARCHAR(255)"
	}
	panic("schema: no column type for the reserved column " + name)
}

// createTable is t's CREATE TABLE: _pk, the client fields, then the other
// reserved columns, in the order of registry.ReservedColumns.
func createTable(t *registry.Table, pg bool) string {
	var cols, reserved []string
	for _, name := range registry.ReservedColumns() {
		def := name + " " + reservedColumnType(name, pg)
		if name == "_pk" {
			cols = append(cols, def)
		} else {
			reserved = append(reserved, def)
		}
	}
	for _, f := range t.Fields {
		def := quote(f.Name) + " " + FieldSQLType(f.Type, pg)
		if f.Name == t.PK {
			def += " NOT NULL"
		}
		cols = append(cols, def)
	}
	cols = append(cols, reserved...)
	return "CREATE TABLE " + quote(t.Name) + " (\n    " + strings.Join(cols, ",\n    ") + "\n)"
}

// index is one index of a client table.
type index struct {
	name string
	sql  string // CREATE INDEX IF NOT EXISTS …
}

// indexes are what the upload engine's queries need, each bounded by the
// device's own rows: live rows by client PK, era-NOW rows (commit and
// preservation), pending rows, and all versions by client PK (the
// already-received check on preserved rows). The console's records pages
// (internal/records) add one per table, a device's current rows in _pk
// order, and where there is a patient to find: the current rows of a
// device's patient (tables with a patient_id field, and the task
// schedules' completion check) and the current ID numbers by number.
// Each index slows every upload a little, so there are no others.
func indexes(t *registry.Table) []index {
	tbl, pk := quote(t.Name), quote(t.PK)
	ix := func(suffix, def string) index {
		name := indexName(t.Name, suffix)
		return index{name, "CREATE INDEX IF NOT EXISTS " + quote(name) + " ON " + tbl + " " + def}
	}
	out := []index{
		ix("pk", "(_device_id, "+pk+")"),
		ix("now", "(_device_id) WHERE _era = 'NOW'"),
		ix("add", "(_device_id) WHERE _addition_pending"),
		ix("rem", "(_device_id) WHERE _removal_pending"),
		ix("pred", "(_predecessor_pk) WHERE _predecessor_pk IS NOT NULL"),
		ix("cur", "(_device_id, _pk) WHERE _current"),
	}
	if f, ok := t.Field("patient_id"); ok && f.Type == registry.Integer && t.Kind != registry.KindPatient {
		out = append(out, ix("pat", "(_device_id, patient_id) WHERE _current"))
	}
	if t.Kind == registry.KindPatientIDNum && hasFields(t, "which_idnum", "idnum_value") {
		out = append(out, ix("idnum", "(which_idnum, idnum_value) WHERE _current"))
	}
	return out
}

// hasFields reports whether t has every one of the named fields.
func hasFields(t *registry.Table, names ...string) bool {
	for _, n := range names {
		if _, ok := t.Field(n); !ok {
			return false
		}
	}
	return true
}

// indexName keeps index names within PostgreSQL's 63 bytes and distinct.
func indexName(table, suffix string) string {
	name := table + "_" + suffix + "_idx"
	if len(name) <= 63 {
		return name
	}
	h := sha256.Sum256([]byte(table))
	return table[:40] + "_" + hex.EncodeToString(h[:4]) + "_" + suffix + "_idx"
}

// quote quotes an identifier that the registry has already checked to be
// [A-Za-z_][A-Za-z0-9_]*.
func quote(name string) string { return `"` + name + `"` }
