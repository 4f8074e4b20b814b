package main_test

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tabletapi/tabletapi/internal/dbtest"
	"github.com/tabletapi/tabletapi/internal/registry"
)

// TestEveryRegistryTableRoundTrip: for every table of the default
// registry, one record with every field set to a value of its type uploads
// by upload_table (one multi-step batch: start_upload, upload_table per
// table, end_upload) and, from another device, by upload_entire_database;
// then every stored column reads back from the database, typed, equal to
// what was sent (issue 9, Tests). The test walks the registry, so it
// covers whatever tables the registry holds.
func TestEveryRegistryTableRoundTrip(t *testing.T) {
	t.Parallel()
	s := sharedServer(t)
	reg := registry.Default()
	data := map[string][]map[string]fieldValue{}
	for k, tbl := range reg.Tables() {
		data[tbl.Name] = []map[string]fieldValue{typedRecord(tbl, typedPatientPK, k)}
	}
	for _, mode := range uploadModes {
		t.Run(mode.name, func(t *testing.T) {
			parallelOnPostgres(t)
			e := newTabletEnv(t, s)
			e.c.ResetSession()
			if mode.oneStep {
				e.s.step(t, e.c, "upload_entire_database", typedOneStepParams(t, reg, data, false), "Success")
			} else {
				e.s.step(t, e.c, "start_upload", nil, "start_upload")
				for _, name := range reg.Names() { // the client's order
					tbl, _ := reg.Table(name)
					e.s.step(t, e.c, "upload_table", typedUploadTable(tbl, data[name]), "Table "+name+" upload successful")
				}
				e.s.step(t, e.c, "end_upload", nil, "end_upload")
			}
			for _, tbl := range reg.Tables() {
				wantStoredRecord(t, s, e.dev, tbl, data[tbl.Name][0])
			}
		})
	}
}

// TestEveryRegistryTableMove: the same records uploaded by Move (PROTOCOL
// 12.3: start_upload, start_preservation, upload_table for every table,
// end_upload) are committed and preserved in every table of the default
// registry, ancillary (nontask) tables included (issue 9, Kinds): each
// table then holds one current row, in the batch's era, none in era NOW,
// and none pending.
func TestEveryRegistryTableMove(t *testing.T) {
	t.Parallel()
	s := sharedServer(t)
	reg := registry.Default()
	e := newTabletEnv(t, s)
	e.c.ResetSession()
	e.s.step(t, e.c, "start_upload", nil, "start_upload")
	e.s.step(t, e.c, "start_preservation", nil, "STARTPRESERVATION")
	for k, name := range reg.Names() {
		tbl, _ := reg.Table(name)
		rec := typedRecord(tbl, typedPatientPK, k)
		e.s.step(t, e.c, "upload_table", typedUploadTable(tbl, []map[string]fieldValue{rec}), "Table "+name+" upload successful")
	}
	e.s.step(t, e.c, "end_upload", nil, "end_upload")
	for _, tbl := range reg.Tables() {
		all := s.count(t, tbl.Name, "_device_id = ?", e.dev)
		preserved := s.count(t, tbl.Name, "_device_id = ? AND _current AND _era <> 'NOW'"+
			" AND NOT _addition_pending AND NOT _removal_pending AND _preserving_user_id IS NOT NULL", e.dev)
		if all != 1 || preserved != 1 {
			t.Errorf("%s (%s): %d rows, %d current and preserved; want 1 and 1", tbl.Name, tbl.Kind, all, preserved)
		}
	}
}

// wantStoredRecord reads dev's current row of tbl, which must be the only
// one, and fails the test for each column that differs from rec.
func wantStoredRecord(t *testing.T, s *testServer, dev int64, tbl *registry.Table, rec map[string]fieldValue) {
	t.Helper()
	cols := make([]string, len(tbl.Fields))
	for i, f := range tbl.Fields {
		cols[i] = `"` + f.Name + `"`
	}
	rows, err := s.DB.QueryContext(context.Background(), "SELECT "+strings.Join(cols, ", ")+` FROM "`+tbl.Name+
		`" WHERE _device_id = ? AND _current AND _era = 'NOW'`, dev)
	if err != nil {
		t.Fatalf("%s: %v", tbl.Name, err)
	}
	defer rows.Close()
	got := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range got {
		ptrs[i] = &got[i]
	}
	n := 0
	for rows.Next() {
		if n++; n > 1 {
			t.Fatalf("%s: more than one current row", tbl.Name)
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatalf("%s: %v", tbl.Name, err)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("%s: %v", tbl.Name, err)
	}
	if n == 0 {
		t.Fatalf("%s: no current row", tbl.Name)
	}
	types := storedColumnTypes(t, s, tbl.Name)
	for i, f := range tbl.Fields {
		if msg := compareStored(f.Type, got[i], rec[f.Name].want); msg != "" {
			t.Errorf("%s.%s (%s): %s", tbl.Name, f.Name, f.Type, msg)
		}
		if want := sqlColumnType(f.Type); types[f.Name] != want {
			t.Errorf("%s.%s (%s): column of type %q, want %q", tbl.Name, f.Name, f.Type, types[f.Name], want)
		}
	}
}

// storedColumnTypes returns the declared types of table's columns, by name:
// PostgreSQL's information_schema data_type, SQLite's declared type.
func storedColumnTypes(t *testing.T, s *testServer, table string) map[string]string {
	t.Helper()
	q := "SELECT name, lower(type) FROM pragma_table_info(?)"
	if dbtest.Postgres() {
		q = "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ?"
	}
	rows, err := s.DB.QueryContext(context.Background(), q, table)
	if err != nil {
		t.Fatalf("column types of %s: %v", table, err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			t.Fatal(err)
		}
		out[name] = typ
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// sqlColumnType is the column type a field of type ft must have: the
// database's own type where it has one (PROTOCOL 7.5), text for
// date-times (ISO 8601 with the client's offset, 7.6) and for what SQLite
// has no type of.
func sqlColumnType(ft registry.FieldType) string {
	pg := map[registry.FieldType]string{
		registry.Integer: "bigint", registry.Real: "double precision", registry.Text: "text",
		registry.DateTime: "text", registry.Date: "date", registry.Boolean: "boolean", registry.Blob: "bytea",
		registry.Time: "time without time zone",
	}
	sqlite := map[registry.FieldType]string{
		registry.Integer: "bigint", registry.Real: "real", registry.Text: "text", registry.DateTime: "text",
		registry.Date: "text", registry.Boolean: "boolean", registry.Blob: "blob", registry.Time: "text",
	}
	if dbtest.Postgres() {
		return pg[ft]
	}
	return sqlite[ft]
}

// compareStored compares a value as the database driver returns it with the
// value sent, by the field's type, and says how they differ ("" if they do
// not): an integer as int64, a real as float64 to the bit, a boolean as
// bool (on SQLite also the integer 0 or 1 it stores), a date as its
// "YYYY-MM-DD" text (pgdriver returns a DATE so), a date-time as ISO 8601
// text of the same instant to the microsecond with the client's offset, a
// time of day as "HH:MM:SS" (pgdriver returns a TIME as its text, SQLite
// stores text), a blob as its bytes and text exactly. storedColumnTypes checks
// the columns' own types.
func compareStored(ft registry.FieldType, got, want any) string {
	bad := func() string { return fmt.Sprintf("got %#v (%T), want %#v", got, got, want) }
	pg := dbtest.Postgres()
	switch ft {
	case registry.Integer:
		if g, ok := got.(int64); !ok || g != want.(int64) {
			return bad()
		}
	case registry.Real:
		if g, ok := got.(float64); !ok || math.Float64bits(g) != math.Float64bits(want.(float64)) {
			return bad()
		}
	case registry.Boolean:
		g, ok := got.(bool)
		if i, isInt := got.(int64); !pg && isInt && (i == 0 || i == 1) {
			g, ok = i == 1, true
		}
		if !ok || g != want.(bool) {
			return bad()
		}
	case registry.Date:
		if g, ok := got.(string); !ok || g != want.(string) {
			return bad()
		}
	case registry.DateTime:
		text, ok := got.(string)
		if !ok {
			return bad()
		}
		g, err := time.Parse(time.RFC3339Nano, text)
		w := want.(time.Time)
		_, gotOff := g.Zone()
		_, wantOff := w.Zone()
		if err != nil || !g.Equal(w) || gotOff != wantOff {
			return bad()
		}
	case registry.Time:
		var g string
		switch x := got.(type) {
		case string:
			g = x
		case []byte:
			g = string(x)
		}
		if g != want.(string) {
			return bad()
		}
	case registry.Blob:
		if g, ok := got.([]byte); !ok || !bytes.Equal(g, want.([]byte)) {
			return bad()
		}
	case registry.Text:
		if g, ok := got.(string); !ok || g != want.(string) {
			return bad()
		}
	default:
		return "no comparison for this type"
	}
	return ""
}

// TestAllowedTablesListsRegistry: get_allowed_tables lists every table of
// the registry with its minimum client version, sorted by name in byte
// order, as exact wire records (PROTOCOL 6.5): the default registry, built
// from the registry itself, and a registry whose names sort differently
// in byte order than by letters and whose versions differ, written out.
func TestAllowedTablesListsRegistry(t *testing.T) {
	t.Parallel()
	reg := registry.Default()
	var names []string
	for _, tbl := range reg.Tables() {
		names = append(names, tbl.Name)
	}
	slices.Sort(names)
	var def strings.Builder
	fmt.Fprintf(&def, "nfields:2\nfields:tablename,min_client_version\nnrecords:%d\n", len(names))
	for i, n := range names {
		tbl, _ := reg.Table(n)
		fmt.Fprintf(&def, "record%d:'%s','%s'\n", i, n, tbl.MinVersion)
	}

	var custom strings.Builder
	for _, tv := range [][2]string{{"beta", "2.0.0"}, {"alpha_2", "2.3.0"}, {"Zeta", "2.4.15"}, {"alpha2", "2.0.1"}, {"alpha", "2.4.0"}} {
		fmt.Fprintf(&custom, "table %s kind=task pk=id min_version=%s\n    id integer\n    when_last_modified datetime\n"+
			"    _move_off_tablet boolean\n", tv[0], tv[1])
	}
	path := filepath.Join(t.TempDir(), "custom.tables")
	if err := os.WriteFile(path, []byte(custom.String()), 0o600); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"Default", nil, def.String()},
		{"Custom", []string{"--tables", path}, "nfields:2\nfields:tablename,min_client_version\nnrecords:5\n" +
			"record0:'Zeta','2.4.15'\nrecord1:'alpha','2.4.0'\nrecord2:'alpha2','2.0.1'\nrecord3:'alpha_2','2.3.0'\nrecord4:'beta','2.0.0'\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := startServer(t, tc.args...)
			s.addUser(t, "research", "alice", "pw!-secret", "--may-register-devices")
			c := s.client("alice", "pw!-secret")
			rs, err := c.RegisterSequence(context.Background(), "tablet")
			if err != nil {
				t.Fatal(err)
			}
			wantReply(t, rs.AllowedTables, http.StatusOK, tc.want+"success:1\nsession_id:{session_id}\nsession_token:{session_token}\n")
			r, err := c.Do(context.Background(), "get_allowed_tables", nil)
			if err != nil {
				t.Fatal(err)
			}
			wantReply(t, r, http.StatusOK, tc.want+"success:1\nsession_id:{session_id}\nsession_token:{session_token}\n")
		})
	}
}
