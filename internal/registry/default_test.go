package registry_test

import (
	"cmp"
	"slices"
	"testing"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/tabletapi/tabletapi/internal/registry"
)

// commonFields are the fields of every table (PROTOCOL.md, Appendix A).
var commonFields = []registry.Field{
	{Name: "id", Type: registry.Integer},
	{Name: "when_last_modified", Type: registry.DateTime},
	{Name: "_move_off_tablet", Type: registry.Boolean},
}

// taskFields are the standard task fields, plus patient_id.
var taskFields = []registry.Field{
	{Name: "when_created", Type: registry.DateTime},
	{Name: "when_firstexit", Type: registry.DateTime},
	{Name: "firstexit_is_finish", Type: registry.Boolean},
	{Name: "firstexit_is_abort", Type: registry.Boolean},
	{Name: "editing_time_s", Type: registry.Real},
	{Name: "patient_id", Type: registry.Integer},
}

func fields(groups ...[]registry.Field) []registry.Field {
	var all []registry.Field
	for _, g := range groups {
		all = append(all, g...)
	}
	return all
}

// typed returns fields of one type.
func typed(typ registry.FieldType, names ...string) []registry.Field {
	var fs []registry.Field
	for _, n := range names {
		fs = append(fs, registry.Field{Name: n, Type: typ})
	}
	return fs
}

func mustTable(tb testing.TB, r *registry.Registry, name string) *registry.Table {
	tb.Helper()
	t, ok := r.Table(name)
	if !ok {
		tb.Fatalf("Table(%q) not found", name)
	}
	return t
}

func TestDefault(t *testing.T) {
	r := registry.Default()

	t.Run("Counts", func(t *testing.T) {
		// The reference's complete set (PROTOCOL Appendix A), generated from
		// the commit named in default.tables.
		nfields := 0
		for _, tab := range r.Tables() {
			nfields += len(tab.Fields)
		}
		if len(r.Tables()) != 152 || nfields != 5330 {
			t.Fatalf("%d tables, %d fields; want 152, 5330", len(r.Tables()), nfields)
		}
	})
	t.Run("CommitOrder", func(t *testing.T) {
		tabs := r.Tables()
		var head []string
		for _, tab := range tabs[:5] {
			head = append(head, tab.Name+":"+string(tab.Kind))
		}
		want := []string{"patient:patient", "patient_idnum:patient_idnum", "blobs:nontask",
			"cardinal_expdet_trialgroupspec:nontask", "cardinal_expdet_trials:nontask"}
		if diff := gocmp.Diff(want, head); diff != "" {
			t.Fatalf("Tables()[:5] (-want +got):\n%s", diff)
		}
		if last := tabs[len(tabs)-1]; last.Name != "zbi12" || last.Kind != registry.KindTask {
			t.Fatalf("last table %s:%s; want zbi12:task", last.Name, last.Kind)
		}
	})
	t.Run("Names", func(t *testing.T) {
		names := r.Names()
		if !slices.IsSorted(names) || names[0] != "ace3" || len(names) != 152 {
			t.Fatalf("Names() = %v...; want 152 names sorted, from ace3", names[:3])
		}
	})
	t.Run("PKAndMinVersion", func(t *testing.T) {
		// Tables whose task overrides minimum_client_version in the
		// reference; every other table, ancillary ones included, is 2.0.0.
		want := map[string]string{"cesd": "2.2.8", "cesdr": "2.2.8", "chit": "2.4.15", "cisr": "2.2.0",
			"core10": "2.2.8", "pcl5": "2.2.8"}
		for _, tab := range r.Tables() {
			v := cmp.Or(want[tab.Name], "2.0.0")
			if tab.PK != "id" || tab.MinVersion != v {
				t.Errorf("%s: PK %q, MinVersion %q; want id, %s", tab.Name, tab.PK, tab.MinVersion, v)
			}
		}
	})
	t.Run("Kinds", func(t *testing.T) {
		var nontask []string
		for _, tab := range r.Tables() {
			if tab.Kind == registry.KindNonTask {
				nontask = append(nontask, tab.Name)
			}
		}
		want := []string{"blobs", "cardinal_expdet_trialgroupspec", "cardinal_expdet_trials",
			"cardinal_expdetthreshold_trials", "diagnosis_icd10_item", "diagnosis_icd9cm_item",
			"ided3d_stages", "ided3d_trials", "khandaker_mojo_medication_item",
			"khandaker_mojo_therapy_item", "kirby_mcq_trials", "photosequence_photos"}
		if diff := gocmp.Diff(want, nontask); diff != "" {
			t.Fatalf("nontask tables (-want +got):\n%s", diff)
		}
	})
	t.Run("Fields", func(t *testing.T) {
		text := func(names ...string) []registry.Field { return typed(registry.Text, names...) }
		tests := []struct {
			table string
			want  []registry.Field
		}{
			{"patient", fields(commonFields, text("uuid", "forename", "surname"),
				[]registry.Field{{Name: "dob", Type: registry.Date}},
				text("sex", "address", "email", "gp", "other"))},
			{"patient_idnum", fields(commonFields, []registry.Field{
				{Name: "patient_id", Type: registry.Integer},
				{Name: "which_idnum", Type: registry.Integer},
				{Name: "idnum_value", Type: registry.Integer},
			})},
			{"blobs", fields(commonFields, []registry.Field{
				{Name: "tablename", Type: registry.Text},
				{Name: "tablepk", Type: registry.Integer},
				{Name: "fieldname", Type: registry.Text},
				{Name: "filename", Type: registry.Text},
				{Name: "mimetype", Type: registry.Text},
				{Name: "image_rotation_deg_cw", Type: registry.Integer},
				{Name: "theblob", Type: registry.Blob},
			})},
			{"bmi", fields(commonFields, taskFields, []registry.Field{
				{Name: "height_m", Type: registry.Real},
				{Name: "mass_kg", Type: registry.Real},
				{Name: "waist_cm", Type: registry.Real},
				{Name: "comment", Type: registry.Text},
			})},
			// q10 is a class attribute; q1..q9 are added by extend_columns.
			{"phq9", fields(commonFields, taskFields,
				typed(registry.Integer, "q10", "q1", "q2", "q3", "q4", "q5", "q6", "q7", "q8", "q9"))},
		}
		for _, tt := range tests {
			t.Run(tt.table, func(t *testing.T) {
				got := mustTable(t, r, tt.table).Fields
				if diff := gocmp.Diff(tt.want, got); diff != "" {
					t.Fatalf("fields (-want +got):\n%s", diff)
				}
			})
		}
	})
	t.Run("FieldLookup", func(t *testing.T) {
		tests := []struct {
			table, field string
			want         registry.FieldType
		}{
			{"patient", "uuid", registry.Text},
			{"patient", "dob", registry.Date},
			{"blobs", "theblob", registry.Blob},
			{"bmi", "mass_kg", registry.Real},
			{"phq9", "q10", registry.Integer},
			{"phq9", "_move_off_tablet", registry.Boolean},
			{"demoquestionnaire", "time_only", registry.Time},
			{"diagnosis_icd10_item", "diagnosis_icd10_id", registry.Integer},
			{"ace3", "clinician_name", registry.Text},
		}
		for _, tt := range tests {
			f, ok := mustTable(t, r, tt.table).Field(tt.field)
			if !ok || f.Type != tt.want {
				t.Errorf("%s.Field(%q) = %v, %v; want type %s", tt.table, tt.field, f, ok, tt.want)
			}
		}
		if _, ok := mustTable(t, r, "bmi").Field("Mass_kg"); ok {
			t.Error(`bmi.Field("Mass_kg") found; field lookup must be case-sensitive`)
		}
	})
	t.Run("UnknownTable", func(t *testing.T) {
		for _, name := range []string{"BMI", "bmi ", "", "nosuchtask", "_security_devices"} {
			if _, ok := r.Table(name); ok {
				t.Errorf("Table(%q) found", name)
			}
		}
	})
	t.Run("FreshCopies", func(t *testing.T) {
		r.Names()[0] = "x"
		r.Tables()[0] = nil
		if r.Names()[0] != "ace3" || r.Tables()[0] == nil {
			t.Fatal("Names or Tables returned the registry's own slice")
		}
	})
}
