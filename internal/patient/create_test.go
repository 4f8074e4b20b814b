package patient_test

import (
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tabletapi/tabletapi/device"
	"github.com/tabletapi/tabletapi/internal/patient"
)

func TestStore_CreateServer(t *testing.T) {
	db := mustOpenClientDB(t)
	server := mustDeviceID(t, db, device.ServerName)
	tablet := mustDeviceID(t, db, "tab1")
	mustPatient(t, db, tablet, 1, "NOW", true, "Tab") // ids are per device
	mustPatient(t, db, server, 5, "2026-01-01T00:00:00Z", true, "Kept")
	clock := time.Date(2026, 12, 7, 10, 0, 0, 123456789, time.UTC)
	s := patient.NewStore(db).WithClock(func() time.Time { return clock })

	ann := newAnn()
	ann.Email = ptr("ann@example.org")
	ann.IDNums[2] = 42
	got, err := s.CreateServer(t.Context(), 7, *ann)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != 6 || got.PK <= 0 || got.GroupID == nil || *got.GroupID != 7 {
		t.Fatalf("CreateServer: ID %d, PK %d, GroupID %v; want ID 6 (after the preserved 5), group 7", got.ID, got.PK, got.GroupID)
	}
	id, err := patient.ParseUUID(got.UUID)
	if err != nil || id[6]>>4 != 4 {
		t.Fatalf("UUID %q is not a version 4 UUID (%v)", got.UUID, err)
	}

	t.Run("Rows", func(t *testing.T) {
		var era, modified string
		var current, pending bool
		var group int64
		err := db.NewRaw(`SELECT _era, _current, _addition_pending, _group_id, when_last_modified FROM patient WHERE _pk = ?`, got.PK).
			Scan(t.Context(), &era, &current, &pending, &group, &modified)
		if err != nil {
			t.Fatal(err)
		}
		if era != "NOW" || !current || pending || group != 7 || modified != "2026-12-07T10:00:00.123456+00:00" {
			t.Errorf("patient row: era %q current %v pending %v group %d modified %q", era, current, pending, group, modified)
		}
		var n int
		if err := db.NewRaw(`SELECT count(*) FROM patient_idnum WHERE _device_id = ? AND patient_id = 6 AND _era = 'NOW'
  AND _current AND _group_id = 7`, server).Scan(t.Context(), &n); err != nil || n != 2 {
			t.Errorf("%d patient_idnum rows (%v), want 2", n, err)
		}
	})
	t.Run("ByUUID", func(t *testing.T) {
		found, err := s.ServerPatientByUUID(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(got, found); diff != "" {
			t.Errorf("ServerPatientByUUID mismatch (-created +found):\n%s", diff)
		}
		if none, err := s.ServerPatientByUUID(t.Context(), [16]byte{1}); none != nil || err != nil {
			t.Errorf("unknown UUID: %+v, %v; want nil, nil", none, err)
		}
	})
	t.Run("List", func(t *testing.T) {
		bob := newAnn()
		bob.Forename, bob.IDNums = ptr("Bob"), map[int64]int64{}
		second, err := s.CreateServer(t.Context(), 8, *bob)
		if err != nil {
			t.Fatal(err)
		}
		if second.ID != 7 {
			t.Errorf("second patient's ID = %d, want 7", second.ID)
		}
		all, err := s.ServerPatients(t.Context(), nil)
		if err != nil {
			t.Fatal(err)
		}
		// The preserved patient 5 is in era 2026-…, so not listed.
		if diff := cmp.Diff([]patient.ServerPatient{*got, *second}, all); diff != "" {
			t.Errorf("ServerPatients(nil) mismatch (-want +got):\n%s", diff)
		}
		group := int64(8)
		if only, err := s.ServerPatients(t.Context(), &group); err != nil || len(only) != 1 || only[0].PK != second.PK {
			t.Errorf("ServerPatients(8) = %+v, %v; want Bob alone", only, err)
		}
		none := int64(99)
		if empty, err := s.ServerPatients(t.Context(), &none); err != nil || empty == nil || len(empty) != 0 {
			t.Errorf("ServerPatients(99) = %#v, %v; want an empty slice", empty, err)
		}
	})
	t.Run("Concurrent", func(t *testing.T) {
		ids := make([]int64, 6)
		errs := make([]error, 6)
		var wg sync.WaitGroup
		for i := range ids {
			wg.Go(func() {
				p, err := patient.NewStore(db).CreateServer(t.Context(), 7, *newAnn())
				errs[i] = err
				if err == nil {
					ids[i] = p.ID
				}
			})
		}
		wg.Wait()
		seen := map[int64]bool{}
		for i, id := range ids {
			if errs[i] != nil || seen[id] {
				t.Fatalf("concurrent CreateServer #%d: id %d, %v (ids %v)", i, id, errs[i], ids)
			}
			seen[id] = true
		}
	})
}
