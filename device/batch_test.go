package device_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tabletapi/tabletapi/device"
)

// TestStore_Batch: what each batch method writes into the device row
// (PROTOCOL 8.2), at the Store's clock, and that no other column changes.
func TestStore_Batch(t *testing.T) {
	t.Run("ErrNotFound", func(t *testing.T) {
		t.Parallel()
		s, _ := MustOpen(t)
		if _, err := s.LockForBatch(t.Context(), 9999); !errors.Is(err, device.ErrNotFound) {
			t.Fatalf("LockForBatch of a missing device: err %v, want ErrNotFound", err)
		}
	})
	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		s, db := MustOpen(t)
		user := MustUser(t, db, "alice")
		d := MustRegister(t, s, tabletName, user)
		now := clockTime().UTC().Truncate(time.Microsecond)
		check := func(what string, want device.Device) {
			t.Helper()
			got, err := s.ByName(t.Context(), tabletName)
			if err != nil {
				t.Fatal(err)
			}
			if want.BatchStartedDBUTC != nil && got.BatchStartedDBUTC != nil {
				// The database's or the real clock: only its presence is known.
				want.BatchStartedDBUTC = got.BatchStartedDBUTC
			}
			if diff := cmp.Diff(&want, got); diff != "" {
				t.Fatalf("%s (-want +got):\n%s", what, diff)
			}
			st, err := s.LockForBatch(t.Context(), d.ID)
			if err != nil {
				t.Fatal(err)
			}
			st.DBNow = time.Time{}
			wantSt := device.BatchState{Ongoing: want.OngoingUploadBatchUTC, UploadingUserID: want.UploadingUserID,
				Preserving: want.CurrentlyPreserving, LastActivity: want.BatchLastActivityUTC,
				AlreadyReceived: want.BatchAlreadyReceived, BatchStarted: want.BatchStartedDBUTC}
			if diff := cmp.Diff(wantSt, *st); diff != "" {
				t.Fatalf("%s: LockForBatch (-want +got):\n%s", what, diff)
			}
		}
		step := func(what string, err error) {
			t.Helper()
			if err != nil {
				t.Fatalf("%s: %v", what, err)
			}
		}
		want := *d
		check("registered", want)
		step("StartBatch", s.StartBatch(t.Context(), d.ID, user))
		want.LastUploadBatchUTC, want.OngoingUploadBatchUTC, want.UploadingUserID = &now, &now, &user
		want.BatchLastActivityUTC, want.BatchStartedDBUTC = &now, &now
		check("StartBatch", want)
		step("StartPreservation", s.StartPreservation(t.Context(), d.ID))
		step("MarkAlreadyReceived", s.MarkAlreadyReceived(t.Context(), d.ID))
		step("TouchBatch", s.TouchBatch(t.Context(), d.ID))
		want.CurrentlyPreserving, want.BatchAlreadyReceived = true, true
		check("StartPreservation, MarkAlreadyReceived, TouchBatch", want)
		step("EndBatch", s.EndBatch(t.Context(), d.ID))
		want.OngoingUploadBatchUTC, want.UploadingUserID, want.BatchLastActivityUTC, want.BatchStartedDBUTC = nil, nil, nil, nil
		want.CurrentlyPreserving, want.BatchAlreadyReceived = false, false
		check("EndBatch", want)
		later := device.NewStore(db, func() time.Time { return clockTime().Add(time.Hour) })
		step("RecordUpload", later.RecordUpload(t.Context(), d.ID))
		want.LastUploadBatchUTC = ptr(now.Add(time.Hour))
		check("RecordUpload", want)
	})
}
