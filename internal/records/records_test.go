package records_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/uptrace/bun"

	"github.com/tabletapi/tabletapi/internal/dbtest"
	"github.com/tabletapi/tabletapi/internal/records"
	"github.com/tabletapi/tabletapi/internal/registry"
	"github.com/tabletapi/tabletapi/schema"
)

const testRegistry = `
table patient kind=patient pk=id min_version=2.0.0
    id                  integer
    when_last_modified  datetime
    _move_off_tablet    boolean
    forename            text
table patient_idnum kind=patient_idnum pk=id min_version=2.0.0
    id                  integer
    when_last_modified  datetime
    _move_off_tablet    boolean
    patient_id          integer
    which_idnum         integer
    idnum_value         integer
table bmi kind=task pk=id min_version=2.0.0
    id                  integer
    when_last_modified  datetime
    _move_off_tablet    boolean
    when_created        datetime
    patient_id          integer
    mass_kg             real
    ok                  boolean
    seen                date
    photo               blob
table note kind=nontask pk=id min_version=2.0.0
    id                  integer
    when_last_modified  datetime
    _move_off_tablet    boolean
    text                text
`

// fixture is a database with testRegistry's tables and rows of three
// patients: patient 1 (ID number 1/111) on device 1 in eras NOW and
// 2020-01-01T00:00:00Z and on device 2; patient 2 (1/222) on device 1.
type fixture struct {
	db  *bun.DB
	reg *registry.Registry
}

func mustFixture(tb testing.TB) *fixture {
	tb.Helper()
	reg, err := registry.Parse(strings.NewReader(testRegistry), "test")
	if err != nil {
		tb.Fatal(err)
	}
	db := dbtest.New(tb)
	if err := schema.SyncTables(tb.Context(), db, reg); err != nil {
		tb.Fatal(err)
	}
	f := &fixture{db: db, reg: reg}
	const old = "2020-01-01T00:00:00Z"
	// device, era, client id, name, current
	for _, p := range []struct {
		dev     int64
		era     string
		id      int64
		name    string
		current bool
		value   int64
	}{
		{1, "NOW", 1, "Ann", true, 111},
		{1, old, 1, "Ann (old era)", true, 111},
		{2, "NOW", 5, "Ann on 2", true, 111},
		{1, "NOW", 2, "Bob", true, 222},
		{1, "NOW", 9, "Ann, replaced", false, 111},
	} {
		f.exec(tb, `INSERT INTO patient (id, forename, _device_id, _era, _current) VALUES (?, ?, ?, ?, ?)`,
			p.id, p.name, p.dev, p.era, p.current)
		f.exec(tb, `INSERT INTO patient_idnum (id, patient_id, which_idnum, idnum_value, _device_id, _era, _current)
			VALUES (?, ?, 1, ?, ?, ?, ?)`, p.id*10, p.id, p.value, p.dev, p.era, p.current)
	}
	// bmi rows: client id, device, era, patient, current
	for _, b := range []struct {
		id, dev int64
		era     string
		patient int64
		current bool
	}{
		{1, 1, "NOW", 1, true},
		{2, 1, "NOW", 2, true},
		{3, 1, old, 1, true},
		{4, 2, "NOW", 5, true},
		{5, 2, "NOW", 1, true},  // patient 1 of device 2: nobody
		{6, 1, "NOW", 1, false}, // an old version
		{7, 1, "NOW", 9, true},  // the patient whose ID number row is not current
	} {
		f.exec(tb, `INSERT INTO bmi (id, when_created, patient_id, mass_kg, ok, seen, photo, _device_id, _era, _current)
			VALUES (?, ?, ?, 70.5, TRUE, '2020-01-02', ?, ?, ?, ?)`,
			b.id, fmt.Sprintf("2020-01-%02dT10:00:00.000+01:00", b.id), b.patient, []byte("abc"), b.dev, b.era, b.current)
	}
	f.exec(tb, `INSERT INTO note (id, _device_id, _era, _current) VALUES (1, 1, 'NOW', TRUE)`)
	return f
}

func (f *fixture) exec(tb testing.TB, q string, args ...any) {
	tb.Helper()
	if _, err := f.db.NewRaw(q, args...).Exec(tb.Context()); err != nil {
		tb.Fatalf("%s: %v", q, err)
	}
}

// column returns column name's values of p's rows ("NULL" for NULL).
func column(tb testing.TB, p *records.TablePage, name string) []string {
	tb.Helper()
	i := -1
	for n, c := range p.Columns {
		if c == name {
			i = n
		}
	}
	if i < 0 {
		tb.Fatalf("no column %q in %v", name, p.Columns)
	}
	var out []string
	for _, r := range p.Rows {
		if r[i] == nil {
			out = append(out, "NULL")
		} else {
			out = append(out, *r[i])
		}
	}
	return out
}

func TestPage(t *testing.T) {
	f := mustFixture(t)
	ctx := t.Context()

	t.Run("Paged", func(t *testing.T) {
		var ids []string
		var after int64
		pages := 0
		for {
			p, err := records.Page(ctx, f.db, f.reg, "bmi", records.Filter{}, after, 4)
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, column(t, p, "id")...)
			pages++
			if p.Next == 0 {
				break
			}
			after = p.Next
		}
		if want := []string{"1", "2", "3", "4", "5", "7"}; pages != 2 || !cmp.Equal(ids, want) {
			t.Fatalf("%d pages of ids %v; want 2 pages of %v", pages, ids, want)
		}
	})

	t.Run("Values", func(t *testing.T) {
		p, err := records.Page(ctx, f.db, f.reg, "bmi", records.Filter{}, 0, 1)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, c := range []string{"_device_id", "_era", "_when_added_exact", "id", "when_last_modified", "when_created",
			"mass_kg", "ok", "seen", "photo"} {
			got[c] = column(t, p, c)[0]
		}
		want := map[string]string{"_device_id": "1", "_era": "NOW", "_when_added_exact": "NULL", "id": "1",
			"when_last_modified": "NULL", "when_created": "2020-01-01T10:00:00.000+01:00",
			"mass_kg": "70.5", "ok": "true", "seen": "2020-01-02", "photo": "(3 bytes)"}
		if d := cmp.Diff(want, got); d != "" {
			t.Fatalf("values (-want +got):\n%s", d)
		}
	})

	t.Run("Device", func(t *testing.T) {
		p, err := records.Page(ctx, f.db, f.reg, "bmi", records.Filter{DeviceID: 2}, 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := column(t, p, "id"), []string{"4", "5"}; !cmp.Equal(got, want) || p.Next != 0 {
			t.Fatalf("device 2: ids %v next %d; want %v, 0", got, p.Next, want)
		}
	})

	t.Run("IDNum", func(t *testing.T) {
		for _, c := range []struct {
			table string
			f     records.Filter
			want  []string
		}{
			{"bmi", records.Filter{IDNum: &records.IDNumRef{Which: 1, Value: 111}}, []string{"1", "3", "4"}},
			{"bmi", records.Filter{DeviceID: 2, IDNum: &records.IDNumRef{Which: 1, Value: 111}}, []string{"4"}},
			{"bmi", records.Filter{IDNum: &records.IDNumRef{Which: 2, Value: 111}}, nil},
			{"patient", records.Filter{IDNum: &records.IDNumRef{Which: 1, Value: 111}}, []string{"1", "1", "5"}},
			{"patient_idnum", records.Filter{IDNum: &records.IDNumRef{Which: 1, Value: 222}}, []string{"20"}},
		} {
			p, err := records.Page(ctx, f.db, f.reg, c.table, c.f, 0, 10)
			if err != nil {
				t.Fatal(err)
			}
			if got := column(t, p, "id"); !cmp.Equal(got, c.want) {
				t.Errorf("%s %+v %+v: ids %v; want %v", c.table, c.f, *c.f.IDNum, got, c.want)
			}
		}
	})

	t.Run("ErrUnknownTable", func(t *testing.T) {
		for _, name := range []string{"nope", `bmi"; DROP TABLE bmi; --`, "users", "BMI"} {
			if _, err := records.Page(ctx, f.db, f.reg, name, records.Filter{}, 0, 10); !errors.Is(err, records.ErrUnknownTable) {
				t.Errorf("table %q: %v; want ErrUnknownTable", name, err)
			}
		}
	})

	t.Run("ErrNoPatient", func(t *testing.T) {
		_, err := records.Page(ctx, f.db, f.reg, "note", records.Filter{IDNum: &records.IDNumRef{Which: 1, Value: 111}}, 0, 10)
		if !errors.Is(err, records.ErrNoPatient) {
			t.Fatalf("note by ID number: %v; want ErrNoPatient", err)
		}
	})
}

func TestPatientView(t *testing.T) {
	f := mustFixture(t)
	ctx := t.Context()

	t.Run("OK", func(t *testing.T) {
		p, err := records.PatientView(ctx, f.db, f.reg, 1, 111)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := column(t, p.Patients, "forename"), []string{"Ann", "Ann (old era)", "Ann on 2"}; !cmp.Equal(got, want) {
			t.Errorf("patients %v; want %v", got, want)
		}
		type row struct {
			Table    string
			Dev      int64
			Era      string
			ClientPK int64
			Created  string
			HasPK    bool
		}
		var got []row
		for _, tr := range p.Tasks {
			for _, r := range tr.Rows {
				got = append(got, row{tr.Table, r.DeviceID, r.Era, r.ClientPK, *r.WhenCreated, r.PK > 0})
			}
		}
		want := []row{
			{"bmi", 1, "NOW", 1, "2020-01-01T10:00:00.000+01:00", true},
			{"bmi", 1, "2020-01-01T00:00:00Z", 3, "2020-01-03T10:00:00.000+01:00", true},
			{"bmi", 2, "NOW", 4, "2020-01-04T10:00:00.000+01:00", true},
		}
		if d := cmp.Diff(want, got); d != "" || p.Truncated {
			t.Fatalf("tasks (-want +got, truncated %v):\n%s", p.Truncated, d)
		}
	})

	t.Run("Nobody", func(t *testing.T) {
		p, err := records.PatientView(ctx, f.db, f.reg, 1, 999)
		if err != nil || len(p.Patients.Rows) != 0 || len(p.Tasks) != 0 {
			t.Fatalf("ID number 1/999: %+v, %v; want nobody", p, err)
		}
	})
}
