package registry_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"

	"github.com/tabletapi/tabletapi/internal/registry"
)

// lines joins its arguments as the lines of a file: argument i is line i+1.
func lines(ls ...string) string { return strings.Join(ls, "\n") + "\n" }

// table returns the lines of a valid table of kind task with the required
// fields, followed by extra field lines.
func table(name string, extra ...string) []string {
	return append([]string{
		"table " + name + " kind=task pk=id min_version=2.0.0",
		"    id integer",
		"    when_last_modified datetime",
		"    _move_off_tablet boolean",
	}, extra...)
}

// required are the field lines every table with pk=id needs.
var required = []string{"    id integer", "    when_last_modified datetime", "    _move_off_tablet boolean"}

// tableLine returns a table line followed by the required field lines.
func tableLine(line string) string { return lines(append([]string{line}, required...)...) }

func cat(parts ...[]string) []string {
	var all []string
	for _, p := range parts {
		all = append(all, p...)
	}
	return all
}

func mustParse(tb testing.TB, input string) *registry.Registry {
	tb.Helper()
	r, err := registry.Parse(strings.NewReader(input), "tables.txt")
	if err != nil {
		tb.Fatalf("Parse: %v", err)
	}
	return r
}

func TestParse_Errors(t *testing.T) {
	const prefix = "registry: tables.txt:"
	const nameRule = ": want 1 to 63 ASCII letters, digits or underscores, not starting with a digit"
	// badMassLine12 has the misspelt type of the package documentation on line 12.
	badMassLine12 := lines(table("bmi",
		"    when_created datetime", "    when_firstexit datetime", "    firstexit_is_finish boolean",
		"    firstexit_is_abort boolean", "    editing_time_s real", "    patient_id integer",
		"    height_m real", "    mass_kg flaot")...)
	tests := []struct {
		name  string
		input string
		want  string
	}{
		{"UnknownKeyword", tableLine("tabel bmi kind=task pk=id min_version=2.0.0"), `1: unknown keyword "tabel"`},
		{"KeywordIsCaseSensitive", tableLine("Table bmi kind=task pk=id min_version=2.0.0"), `1: unknown keyword "Table"`},
		{"KeywordAfterTable", lines(table("bmi", "fields x")...), `5: unknown keyword "fields"`},
		{"OnlyBlanksSeparate", tableLine("table\vbmi kind=task pk=id min_version=2.0.0"), `1: unknown keyword "table\vbmi"`},
		{"TableWithoutName", lines("table"), `1: table line without a table name`},
		{"UnknownAttribute", tableLine("table bmi knd=task pk=id min_version=2.0.0"), `1: unknown attribute "knd" of table "bmi"`},
		{"AttributeIsCaseSensitive", tableLine("table bmi kind=task PK=id min_version=2.0.0"), `1: unknown attribute "PK" of table "bmi"`},
		{"MalformedAttribute", tableLine("table bmi task pk=id min_version=2.0.0"), `1: malformed attribute "task" of table "bmi": want KEY=VALUE`},
		{"SpacedAttribute", tableLine("table bmi kind = task pk=id min_version=2.0.0"), `1: malformed attribute "kind" of table "bmi": want KEY=VALUE`},
		{"DuplicateAttribute", tableLine("table bmi kind=task pk=id kind=task min_version=2.0.0"), `1: duplicate attribute "kind" of table "bmi"`},
		{"MissingKind", tableLine("table bmi pk=id min_version=2.0.0"), `1: missing attribute "kind" for table "bmi"`},
		{"MissingPK", tableLine("table bmi kind=task min_version=2.0.0"), `1: missing attribute "pk" for table "bmi"`},
		{"MissingMinVersion", tableLine("table bmi kind=task pk=id"), `1: missing attribute "min_version" for table "bmi"`},
		{"BadKind", tableLine("table bmi kind=tsk pk=id min_version=2.0.0"), `1: unknown kind "tsk" for table "bmi"`},
		{"KindIsCaseSensitive", tableLine("table bmi kind=Task pk=id min_version=2.0.0"), `1: unknown kind "Task" for table "bmi"`},
		{"EmptyKind", tableLine("table bmi kind= pk=id min_version=2.0.0"), `1: unknown kind "" for table "bmi"`},
		{"InvalidPK", tableLine("table bmi kind=task pk=1d min_version=2.0.0"), `1: invalid pk "1d" for table "bmi"` + nameRule},
		{"EmptyPK", tableLine("table bmi kind=task pk= min_version=2.0.0"), `1: invalid pk "" for table "bmi"` + nameRule},
		{"DuplicateTable", lines(cat(table("bmi"), []string{""}, table("bmi"))...), `6: duplicate table "bmi" (first on line 1)`},
		{"TableCaseClash", lines(cat(table("bmi"), table("BMI"))...), `5: table "BMI" clashes with table "bmi" on line 1 (names are compared ignoring case)`},
		{"DuplicateField", lines(table("bmi", "    mass_kg real", "    mass_kg real")...), `6: duplicate field "mass_kg" in table "bmi" (first on line 5)`},
		{"FieldCaseClash", lines(table("bmi", "    ID integer")...), `5: field "ID" of table "bmi" clashes with field "id" on line 2 (names are compared ignoring case)`},
		{"FieldBeforeTable", lines("# tables", "    id integer"), `2: field line before any table`},
		{"IndentedTableLine", lines("  table bmi kind=task pk=id min_version=2.0.0"), `1: field line before any table`},
		{"NoFields", lines(cat([]string{"table phq9 kind=task pk=id min_version=2.0.0", "# none yet", ""}, table("bmi"))...), `1: table "phq9" has no fields`},
		{"NoFieldsAtEnd", lines(cat(table("bmi"), []string{"table phq9 kind=task pk=id min_version=2.0.0"})...), `5: table "phq9" has no fields`},
		{"PKNotAField", tableLine("table bmi kind=task pk=idx min_version=2.0.0"), `1: pk "idx" of table "bmi" is not one of its fields`},
		{"MissingIDField", lines("table bmi kind=task pk=id min_version=2.0.0", "    when_last_modified datetime", "    _move_off_tablet boolean"), `1: pk "id" of table "bmi" is not one of its fields`},
		{"PKNotInteger", lines("table bmi kind=task pk=id min_version=2.0.0", "    when_last_modified datetime", "    id text"), `3: pk "id" of table "bmi" must be integer, not text`},
		{"OtherPKNotInteger", tableLine("table bmi kind=task pk=when_last_modified min_version=2.0.0"), `3: pk "when_last_modified" of table "bmi" must be integer, not datetime`},
		{"MissingWhenLastModified", lines("table bmi kind=task pk=id min_version=2.0.0", "    id integer", "    _move_off_tablet boolean"), `1: table "bmi" lacks required field "when_last_modified" (datetime)`},
		{"MissingMoveOffTablet", lines("table bmi kind=task pk=id min_version=2.0.0", "    id integer", "    when_last_modified datetime"), `1: table "bmi" lacks required field "_move_off_tablet" (boolean)`},
		{"WhenLastModifiedType", lines("table bmi kind=task pk=id min_version=2.0.0", "    when_last_modified date"), `2: field "when_last_modified" of table "bmi" must be datetime, not date`},
		{"MoveOffTabletType", lines("table bmi kind=task pk=id min_version=2.0.0", "    _move_off_tablet integer"), `2: field "_move_off_tablet" of table "bmi" must be boolean, not integer`},
		{"UnknownFieldType", badMassLine12, `12: unknown field type "flaot" for field "mass_kg" of table "bmi"`},
		{"FieldTypeIsCaseSensitive", lines(table("bmi", "    mass_kg Real")...), `5: unknown field type "Real" for field "mass_kg" of table "bmi"`},
		{"FieldWithoutType", lines(table("bmi", "    mass_kg")...), `5: malformed field line of table "bmi": want NAME TYPE`},
		{"FieldWithExtraWords", lines(table("bmi", "    mass_kg real not null")...), `5: malformed field line of table "bmi": want NAME TYPE`},
		{"ReservedField", lines(table("bmi", "    _era text")...), `5: reserved field name "_era" in table "bmi"`},
		{"ReservedFieldAnyCase", lines(table("bmi", "    _PK integer")...), `5: reserved field name "_PK" in table "bmi"`},
		{"ReservedBeforeType", lines(table("bmi", "    _group_id flaot")...), `5: reserved field name "_group_id" in table "bmi"`},
		{"LineTooLong", lines(table("bmi", "# "+strings.Repeat("x", 70000))...), `5: line longer than 65536 bytes`},
	}
	for i, name := range []string{"1bmi", "bm-i", "bmï", "bmi;drop", `"bmi"`, "b.mi", "bmi\x00", strings.Repeat("a", 64)} {
		tests = append(tests, struct{ name, input, want string }{
			fmt.Sprintf("InvalidTableName/%d", i),
			tableLine("table " + name + " kind=task pk=id min_version=2.0.0"),
			fmt.Sprintf("1: invalid table name %q%s", name, nameRule),
		})
	}
	for i, name := range []string{"1q", "q-1", "mass.kg", "q1;", "q\u00a01", "q\r1", strings.Repeat("q", 64)} {
		tests = append(tests, struct{ name, input, want string }{
			fmt.Sprintf("InvalidFieldName/%d", i),
			lines(table("bmi", "    "+name+" integer")...),
			fmt.Sprintf("5: invalid field name %q in table \"bmi\"%s", name, nameRule),
		})
	}
	for _, v := range []string{"2.0", "2", "02.0.0", "2.00.0", "2.0.0-beta", "2.0.0+build", "v2.0.0", "2.0.0.0", "", "2..0", "99999999999999999999.0.0"} {
		tests = append(tests, struct{ name, input, want string }{
			"BadMinVersion/" + v,
			tableLine("table bmi kind=task pk=id min_version=" + v),
			`1: bad min_version "` + v + `" for table "bmi": want MAJOR.MINOR.PATCH, e.g. 2.0.0`,
		})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, err := registry.Parse(strings.NewReader(tt.input), "tables.txt")
			if err == nil {
				t.Fatalf("Parse succeeded with tables %v; want error", r.Names())
			}
			if got, want := err.Error(), prefix+tt.want; got != want {
				t.Fatalf("error:\n got %s\nwant %s", got, want)
			}
		})
	}
}

func TestParse_ErrorsWithoutLine(t *testing.T) {
	tests := []struct {
		name  string
		input string
		want  string
	}{
		{"Empty", "", "registry: tables.txt: no tables"},
		{"OnlyComments", lines("# nothing here", "", "   # indented comment", "\t"), "registry: tables.txt: no tables"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := registry.Parse(strings.NewReader(tt.input), "tables.txt")
			if err == nil || err.Error() != tt.want {
				t.Fatalf("err = %v, want %s", err, tt.want)
			}
		})
	}
	t.Run("ReadError", func(t *testing.T) {
		boom := errors.New("boom")
		_, err := registry.Parse(iotest.ErrReader(boom), "tables.txt")
		if !errors.Is(err, boom) || err.Error() != "registry: tables.txt: read: boom" {
			t.Fatalf("err = %v, want registry: tables.txt: read: boom", err)
		}
	})
}

func TestParse_OK(t *testing.T) {
	long := strings.Repeat("a", 63)
	input := lines(
		"# A registry with every kind, out of commit order.",
		"table t2 kind=task min_version=2.4.0 pk=idx   # attributes in any order",
		"\tidx\tinteger",
		"\twhen_last_modified   datetime",
		"",
		"  # a comment between fields",
		"  _move_off_tablet boolean # trailing comment",
		"  "+long+" blob",
		"table p kind=patient pk=id min_version=0.0.0",
		"    id integer",
		"    when_last_modified datetime",
		"    _move_off_tablet boolean",
		"    Dob date",
		"table "+long+" kind=patient_idnum pk=id min_version=10.20.30",
		"    id integer",
		"    when_last_modified datetime",
		"    _move_off_tablet boolean",
		"table t1 kind=task pk=id min_version=2.0.0",
		"    id integer",
		"    when_last_modified datetime",
		"    _move_off_tablet boolean",
		"    text text",
		"table n kind=nontask pk=id min_version=2.0.0",
		"    _move_off_tablet boolean",
		"    when_last_modified datetime",
		"    id integer",
		"    r real",
	)
	common := func(pk string, extra ...registry.Field) []registry.Field {
		return append([]registry.Field{
			{Name: pk, Type: registry.Integer},
			{Name: "when_last_modified", Type: registry.DateTime},
			{Name: "_move_off_tablet", Type: registry.Boolean},
		}, extra...)
	}
	want := []*registry.Table{
		{Name: "p", Kind: registry.KindPatient, PK: "id", MinVersion: "0.0.0", Fields: common("id", registry.Field{Name: "Dob", Type: registry.Date})},
		{Name: long, Kind: registry.KindPatientIDNum, PK: "id", MinVersion: "10.20.30", Fields: common("id")},
		{Name: "n", Kind: registry.KindNonTask, PK: "id", MinVersion: "2.0.0", Fields: []registry.Field{
			{Name: "_move_off_tablet", Type: registry.Boolean},
			{Name: "when_last_modified", Type: registry.DateTime},
			{Name: "id", Type: registry.Integer},
			{Name: "r", Type: registry.Real},
		}},
		{Name: "t1", Kind: registry.KindTask, PK: "id", MinVersion: "2.0.0", Fields: common("id", registry.Field{Name: "text", Type: registry.Text})},
		{Name: "t2", Kind: registry.KindTask, PK: "idx", MinVersion: "2.4.0", Fields: common("idx", registry.Field{Name: long, Type: registry.Blob})},
	}
	for name, in := range map[string]string{"LF": input, "CRLF": strings.ReplaceAll(input, "\n", "\r\n")} {
		t.Run(name, func(t *testing.T) {
			r := mustParse(t, in)
			if diff := cmp.Diff(want, r.Tables()); diff != "" {
				t.Fatalf("Tables() (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]string{long, "n", "p", "t1", "t2"}, r.Names()); diff != "" {
				t.Fatalf("Names() (-want +got):\n%s", diff)
			}
			if _, ok := mustTable(t, r, "t2").Field("id"); ok {
				t.Fatal(`t2.Field("id") found, but t2 has no field id`)
			}
		})
	}
}
