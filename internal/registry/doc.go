// Package registry describes the client tables that the gateway accepts: for
// each table its name, its kind (which sets the commit order), its client PK,
// the minimum client version that may upload it, and its typed fields.
//
// Default returns the compiled-in registry of PROTOCOL.md, Appendix A. Parse
// and Load read a registry from the text format below, which FORMAT.md
// describes in full.
//
// # File format
//
// The format is line-oriented UTF-8 text. A '#' starts a comment that runs
// to the end of the line; blank lines and comments are ignored. Words are
// separated by spaces and tabs. A line that starts in the first column
// declares a table, and the indented lines (space or tab) after it declare
// its fields, one NAME TYPE pair a line:
//
//	table bmi kind=task pk=id min_version=2.0.0
//	    id                  integer
//	    when_last_modified  datetime
//	    _move_off_tablet    boolean
//	    mass_kg             real    # kilograms
//
// A table line is "table NAME" followed by the attributes kind, pk and
// min_version, written KEY=VALUE. All three are required, in any order, each
// once. The kind is patient, patient_idnum, nontask or task; min_version is
// MAJOR.MINOR.PATCH without leading zeros. A field's TYPE is integer, real,
// text, datetime, date, time, boolean or blob. Keywords, attributes, kinds
// and types are lower case.
//
// Table and field names become SQL identifiers, so they must match
// ^[A-Za-z_][A-Za-z0-9_]*$, be at most 63 characters long, and differ from
// the other names in the same scope in more than letter case. A field may
// not use a reserved server column name (IsReserved), in any letter case.
// Every table needs its PK as an integer field, a datetime field
// when_last_modified and a boolean field _move_off_tablet. A registry needs
// at least one table.
//
// Parse reports the first error it finds, naming the source and the line:
//
//	registry: tables.txt:12: unknown field type "flaot" for field "mass_kg" of table "bmi"
package registry
