package sim_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tabletapi/tabletapi/internal/registry"
	"github.com/tabletapi/tabletapi/testclient"
	"github.com/tabletapi/tabletapi/testclient/sim"
	"github.com/tabletapi/tabletapi/testclient/sim/simtest"
)

// syntheticSchema writes simtest.SyntheticRegistry with 12 tasks to a
// file, loads it as a server does and returns the registry and its
// schema.
func syntheticSchema(t *testing.T, withTime bool) (*registry.Registry, *sim.Schema) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "synthetic.tables")
	if err := os.WriteFile(path, []byte(simtest.SyntheticRegistry(12, withTime)), 0o600); err != nil {
		t.Fatal(err)
	}
	reg, err := registry.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	s, err := sim.NewSchema(reg)
	if err != nil {
		t.Fatalf("NewSchema: %v", err)
	}
	return reg, s
}

// The forms of the values of each field type, as the client stores them.
var valueForms = map[registry.FieldType]*regexp.Regexp{
	registry.DateTime: wlmRE,
	registry.Date:     regexp.MustCompile(`^\d{4}-\d\d-\d\d$`),
	registry.Time:     regexp.MustCompile(`^([01]\d|2[0-3]):[0-5]\d:[0-5]\d$`),
}

func TestNewTablet_ManyTables(t *testing.T) {
	reg, s := syntheticSchema(t, true)
	tab := mustTablet(t, sim.Config{URL: "http://127.0.0.1:1/api", Records: 120, Seed: 3, Schema: s})

	if n := taskRows(tab); n != 120 {
		t.Errorf("%d task records, want 120", n)
	}
	if _, ok := reg.Table(s.Unknown()); ok || s.Unknown() != "tabletsim_unknown" || len(tab.Rows(s.Unknown())) != 0 {
		t.Errorf("unknown table %q: in the registry %v, %d rows", s.Unknown(), ok, len(tab.Rows(s.Unknown())))
	}
	if got, want := len(s.TableNames()), len(reg.Names())+1; got != want || s.RegistryTables() != len(reg.Names()) {
		t.Errorf("%d tables, %d of the registry; want %d and %d", got, s.RegistryTables(), want, len(reg.Names()))
	}
	for _, c := range s.Columns("patient") {
		if c.Name == "uuid" {
			t.Error("the tablet's patient table has uuid, which the client never sends")
		}
	}

	// Every task a 2.4.24 client may upload has records, and so has every
	// child of such a task, each record pointing at its task's; the
	// tables that need a newer client, or belong to a task that does, stay
	// empty.
	empty := map[string]bool{simtest.FutureTask: true, simtest.FutureTaskChild: true, simtest.FutureChild: true}
	filled := 0
	for _, table := range s.TableNames() {
		rows := tab.Rows(table)
		if empty[table] || table == s.Unknown() {
			if len(rows) != 0 {
				t.Errorf("%s: %d records, want none", table, len(rows))
			}
			continue
		}
		if len(rows) == 0 {
			t.Errorf("%s: no records", table)
			continue
		}
		filled++
		parent, fk := s.Parent(table)
		if strings.HasSuffix(table, "_item") && (parent != strings.TrimSuffix(table, "_item") || fk != parent+"_id") {
			t.Errorf("Parent(%s) = %q, %q; want its task", table, parent, fk)
		}
		for _, r := range rows {
			if parent != "" && !hasID(tab.Rows(parent), r[fk]) {
				t.Errorf("%s %d: %s = %v, no record of %s", table, r.ID(), fk, r[fk], parent)
			}
			if p, ok := r["patient_id"]; ok && table != "patient_idnum" && !hasID(tab.Rows("patient"), p) {
				t.Errorf("%s %d: patient_id = %v, no patient of the tablet", table, r.ID(), p)
			}
		}
	}
	if want := len(reg.Names()) - len(empty); filled != want {
		t.Errorf("%d tables filled, want %d", filled, want)
	}
	if p, _ := s.Parent(simtest.Standalone); p != "" {
		t.Errorf("%s has parent %q, want none", simtest.Standalone, p)
	}
	if p, fk := s.Parent("task04"); p != "" || fk != "" {
		t.Errorf("task table task04 has parent %q, %q", p, fk)
	}
	for _, r := range tab.Rows("task04") {
		if _, ok := r["patient_id"]; ok {
			t.Fatalf("anonymous task04 %d has patient_id", r.ID())
		}
	}
	wantValues(t, tab, s)
	wantBlobs(t, tab)
}

// hasID reports whether a record of rows has the PK v.
func hasID(rows []sim.Row, v testclient.Value) bool {
	for _, r := range rows {
		if v.Kind == testclient.KindInt && r.ID() == v.Int {
			return true
		}
	}
	return false
}

// wantValues checks that the fields of tasks and other nontask tables
// hold values of their types, NULL now and then, reals with fractions and
// the awkward texts among them.
func wantValues(t *testing.T, tab *sim.Tablet, s *sim.Schema) {
	t.Helper()
	values, nulls := map[registry.FieldType]int{}, map[registry.FieldType]int{}
	var fraction bool
	texts := ""
	for _, table := range s.TableNames() {
		if table == "patient" || table == "patient_idnum" || table == "blobs" {
			continue
		}
		for _, r := range tab.Rows(table) {
			for _, c := range s.Columns(table) {
				v := r[c.Name]
				if v.Kind == testclient.KindNull {
					nulls[c.Type]++
					continue
				}
				values[c.Type]++
				want := map[registry.FieldType]testclient.ValueKind{
					registry.Integer: testclient.KindInt, registry.Boolean: testclient.KindInt, registry.Real: testclient.KindReal,
					registry.Blob: testclient.KindBytes,
				}[c.Type]
				if want == testclient.KindNull {
					want = testclient.KindText
				}
				if v.Kind != want || (c.Type == registry.Boolean && v.Int != 0 && v.Int != 1) ||
					(valueForms[c.Type] != nil && !valueForms[c.Type].MatchString(v.Text)) {
					t.Fatalf("%s %d: %s (%s) = %#v", table, r.ID(), c.Name, c.Type, v)
				}
				fraction = fraction || v.Kind == testclient.KindReal && v.Real != float64(int64(v.Real))
				texts += v.Text
			}
		}
	}
	for _, ft := range []registry.FieldType{registry.Integer, registry.Real, registry.Text, registry.DateTime,
		registry.Date, registry.Boolean, registry.Blob, registry.Time} {
		if values[ft] == 0 || nulls[ft] == 0 {
			t.Errorf("type %s: %d values, %d NULLs; want some of each", ft, values[ft], nulls[ft])
		}
	}
	if !fraction {
		t.Error("no real has a fraction")
	}
	for _, want := range []string{"'", "\n", `\`, "ë", "😀"} {
		if !strings.Contains(texts, want) {
			t.Errorf("no text contains %q", want)
		}
	}
}

// wantBlobs checks that every BLOB belongs to a record, and that a
// *_blobid field that is set holds the PK of the BLOB made for it.
func wantBlobs(t *testing.T, tab *sim.Tablet) {
	t.Helper()
	blobs := tab.Rows("blobs")
	byField := 0
	for _, b := range blobs {
		table, pk, field := b["tablename"].Text, b["tablepk"], b["fieldname"].Text
		if !hasID(tab.Rows(table), pk) {
			t.Errorf("BLOB %d belongs to %s %v, which the tablet lacks", b.ID(), table, pk)
		}
		for _, r := range tab.Rows(table) {
			if r.ID() == pk.Int && field == "picture_blobid" {
				byField++
				if r[field].Int != b.ID() {
					t.Errorf("BLOB %d is for %s %d %s, which holds %v", b.ID(), table, pk.Int, field, r[field])
				}
			}
		}
	}
	if byField == 0 || byField == len(blobs) {
		t.Errorf("%d BLOBs, %d of them for picture_blobid fields; want some of both kinds", len(blobs), byField)
	}
}

func TestNewSchema_Errors(t *testing.T) {
	patient := "table patient kind=patient pk=id min_version=2.0.0\n id integer\n when_last_modified datetime\n" +
		" _move_off_tablet boolean\n forename text\n surname text\n dob date\n sex text\n"
	idnum := "table patient_idnum kind=patient_idnum pk=id min_version=2.0.0\n id integer\n when_last_modified datetime\n" +
		" _move_off_tablet boolean\n patient_id integer\n which_idnum integer\n idnum_value integer\n"
	task := "table t1 kind=task pk=id min_version=2.5.0\n id integer\n when_last_modified datetime\n _move_off_tablet boolean\n"
	for _, tc := range []struct {
		name, text, want string
	}{
		{"NoTasks", patient + idnum, "sim: the registry has no table of kind task: a simulated tablet would have nothing to fill"},
		{"NoPatient", idnum + task, "sim: the registry has no table patient of kind patient with PK id, which every tablet fills"},
		{"NoSex", strings.Replace(patient, " sex text\n", "", 1) + idnum + task,
			"sim: table patient of the registry lacks the text field sex, which the simulator fills"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := sim.NewSchema(mustParse(tc.text))
			if err == nil || err.Error() != tc.want {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
	t.Run("ErrTasksNeedNewerClient", func(t *testing.T) {
		s := mustSchema(mustParse(patient + idnum + task))
		_, err := sim.NewTablet(sim.Config{URL: "http://127.0.0.1:1/api", Schema: s})
		want := "sim: none of the 1 task tables of the registry may be uploaded by client version 2.4.24"
		if err == nil || err.Error() != want {
			t.Fatalf("err = %v, want %q", err, want)
		}
		if _, err := sim.NewTablet(sim.Config{URL: "http://127.0.0.1:1/api", Schema: s, CamcopsVersion: "2.5.0"}); err != nil {
			t.Fatalf("client 2.5.0: %v", err)
		}
	})
	t.Run("UnknownNameTaken", func(t *testing.T) {
		s := mustSchema(mustParse(patient + idnum + strings.ReplaceAll(task, "t1", "Tabletsim_Unknown")))
		if got := s.Unknown(); got != "tabletsim_unknown_2" {
			t.Fatalf("Unknown() = %q, want tabletsim_unknown_2", got)
		}
	})
}

func TestDefaultSchema(t *testing.T) {
	s, reg := sim.DefaultSchema(), registry.Default()
	if got, want := s.RegistryTables(), len(reg.Names()); got != want || len(s.Tasks()) == 0 {
		t.Fatalf("the default schema has %d tables, %d tasks; the registry %d tables", got, len(s.Tasks()), want)
	}
}
