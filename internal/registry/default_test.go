package registry_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

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

	t.Run("CommitOrder", func(t *testing.T) {
		var got []string
		for _, tab := range r.Tables() {
			got = append(got, tab.Name+":"+string(tab.Kind))
		}
		want := []string{"patient:patient", "patient_idnum:patient_idnum", "blobs:nontask", "bmi:task", "phq9:task"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("Tables() (-want +got):\n%s", diff)
		}
	})
	t.Run("Names", func(t *testing.T) {
		want := []string{"blobs", "bmi", "patient", "patient_idnum", "phq9"}
		if diff := cmp.Diff(want, r.Names()); diff != "" {
			t.Fatalf("Names() (-want +got):\n%s", diff)
		}
	})
	t.Run("PKAndMinVersion", func(t *testing.T) {
		for _, tab := range r.Tables() {
			if tab.PK != "id" || tab.MinVersion != "2.0.0" {
				t.Errorf("%s: PK %q, MinVersion %q; want id, 2.0.0", tab.Name, tab.PK, tab.MinVersion)
			}
		}
	})
	t.Run("Fields", func(t *testing.T) {
		text := func(names ...string) []registry.Field { return typed(registry.Text, names...) }
		tests := []struct {
			table string
			want  []registry.Field
		}{
			{"patient", fields(commonFields, text("forename", "surname"),
				[]registry.Field{{Name: "dob", Type: registry.Date}},
				text("sex", "address", "email", "gp", "other", "uuid"))},
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
			{"phq9", fields(commonFields, taskFields,
				typed(registry.Integer, "q1", "q2", "q3", "q4", "q5", "q6", "q7", "q8", "q9", "q10"))},
		}
		for _, tt := range tests {
			t.Run(tt.table, func(t *testing.T) {
				got := mustTable(t, r, tt.table).Fields
				if diff := cmp.Diff(tt.want, got); diff != "" {
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
		for _, name := range []string{"BMI", "bmi ", "", "ace3"} {
			if _, ok := r.Table(name); ok {
				t.Errorf("Table(%q) found", name)
			}
		}
	})
	t.Run("FreshCopies", func(t *testing.T) {
		r.Names()[0] = "x"
		r.Tables()[0] = nil
		if r.Names()[0] != "blobs" || r.Tables()[0] == nil {
			t.Fatal("Names or Tables returned the registry's own slice")
		}
	})
}
