package sim_test

import (
	"bytes"
	"image/png"
	"math/rand/v2"
	"regexp"
	"testing"
	"time"

	"github.com/tabletapi/tabletapi/testclient"
	"github.com/tabletapi/tabletapi/testclient/sim"
	"github.com/tabletapi/tabletapi/testclient/sim/simtest"
)

func TestNHSNumber(t *testing.T) {
	for _, tc := range []struct {
		n    int64
		want bool
	}{
		{9434765919, true},
		{4010232137, true},
		{9434765870, true},
		{9434765918, false},
		{434765919, false},
		{12345678901, false},
	} {
		if got := sim.ValidNHSNumber(tc.n); got != tc.want {
			t.Errorf("ValidNHSNumber(%d) = %v, want %v", tc.n, got, tc.want)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 1000 {
		if n := sim.NHSNumber(rng); !sim.ValidNHSNumber(n) {
			t.Fatalf("NHSNumber gave %d, which fails the check", n)
		}
	}
}

func TestRow_Record(t *testing.T) {
	row := sim.Row{
		"id": integer(7), "_move_off_tablet": null, "when_last_modified": text("2024-05-01T09:31:12.345+01:00"),
		"mass_kg": float(1234567), "height_m": float(1.83), "waist_cm": float(0.00001), "editing_time_s": float(67),
		"comment": text(`C:\temp` + "\n'x'"),
	}
	got := row.Record(testSchema.Columns("bmi"))
	want := `7,'2024-05-01T09:31:12.345+01:00',NULL,NULL,NULL,NULL,NULL,67,NULL,1.83,1.23457e+06,1e-05,'C:\\temp\n''x'''`
	if got != want {
		t.Fatalf("Record =\n%s\nwant\n%s", got, want)
	}
	if obj := row.Object(testSchema.Columns("bmi")); obj["comment"] != `'C:\\temp\n''x'''` || obj["waist_cm"] != "1e-05" || len(obj) != 13 {
		t.Errorf("Object = %q", obj)
	}
}

var wlmRE = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d$`)

func TestNewTablet_Data(t *testing.T) {
	srv := simtest.New(t)
	tab := mustTablet(t, sim.Config{URL: srv.URL, Records: 20, Seed: 9})
	if n := taskRows(tab); n != 20 {
		t.Errorf("%d tasks, want 20", n)
	}
	if n := len(tab.Rows(sim.TablePatient)); n != 4 {
		t.Errorf("%d patients, want 4 (one per five tasks)", n)
	}
	for _, table := range tab.Schema().TableNames() {
		for _, r := range tab.Rows(table) {
			if !wlmRE.MatchString(r.WLM()) {
				t.Errorf("%s %d: when_last_modified %q is not in the client's format", table, r.ID(), r.WLM())
			}
			if r[sim.FieldMoveOff].Kind != testclient.KindNull {
				t.Errorf("%s %d: a new record's move-off flag is %v, want NULL", table, r.ID(), r[sim.FieldMoveOff])
			}
		}
	}
	for _, n := range tab.Rows(sim.TablePatientIDNum) {
		if !sim.ValidNHSNumber(n["idnum_value"].Int) || n["which_idnum"].Int != 1 {
			t.Errorf("ID number %v", n)
		}
	}
	blobs := tab.Rows(sim.TableBlobs)
	if len(blobs) == 0 {
		t.Fatal("no BLOBs")
	}
	for _, b := range blobs {
		if _, err := png.Decode(bytes.NewReader(b["theblob"].Bytes)); err != nil || len(b["theblob"].Bytes) > 200 {
			t.Errorf("BLOB %d: %d bytes, not a small PNG: %v", b.ID(), len(b["theblob"].Bytes), err)
		}
	}
}

func TestTablet_Mutate(t *testing.T) {
	srv := simtest.New(t)
	tab := mustTablet(t, sim.Config{URL: srv.URL, Records: 30, Seed: 5, Now: func() time.Time { return time.Unix(1.7e9, 0) }})
	rng := rand.New(rand.NewPCG(5, 6))
	total := sim.Changes{}
	for range 20 {
		before := map[string]map[int64]string{}
		for _, table := range tab.Schema().TableNames() {
			before[table] = map[int64]string{}
			for _, r := range tab.Rows(table) {
				before[table][r.ID()] = r.WLM()
			}
		}
		ch := tab.Mutate(rng)
		total.Modified += ch.Modified
		total.Deleted += ch.Deleted
		total.Flagged += ch.Flagged
		for _, table := range tab.Schema().TableNames() {
			for _, r := range tab.Rows(table) {
				if old, ok := before[table][r.ID()]; ok && old != r.WLM() && r.WLM() <= old {
					t.Fatalf("%s %d: when_last_modified went from %s to %s", table, r.ID(), old, r.WLM())
				}
			}
		}
		for _, p := range tab.Rows(sim.TablePatient) {
			if p.MoveOff() && !hasTask(tab, p.ID()) {
				t.Fatalf("patient %d is marked to move off but has no task", p.ID())
			}
		}
	}
	if total.Modified == 0 || total.Deleted == 0 || total.Flagged == 0 {
		t.Errorf("20 rounds of Mutate: %+v, want some of each", total)
	}
}

// hasTask reports whether the tablet has a task for the patient.
func hasTask(tab *sim.Tablet, patient int64) bool {
	for _, table := range tab.Schema().Tasks() {
		for _, r := range tab.Rows(table) {
			if v := r["patient_id"]; v.Kind == testclient.KindInt && v.Int == patient {
				return true
			}
		}
	}
	return false
}

// taskRows is the number of the tablet's task records.
func taskRows(tab *sim.Tablet) int {
	n := 0
	for _, table := range tab.Schema().Tasks() {
		n += len(tab.Rows(table))
	}
	return n
}
