package device_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tabletapi/tabletapi/device"
)

const tabletName = "{0b5c3c1e-6f43-4c7e-9d1a-2f7b8e4a9c10}"

func TestStore_Register(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		s, db := MustOpen(t)
		user := MustUser(t, db, "alice")
		d, err := s.Register(t.Context(), device.Registration{
			Name: tabletName, FriendlyName: "Ward 3 tablet", CamcopsVersion: "2.4.24", UserID: user,
		})
		if err != nil {
			t.Fatalf("Register: %v", err)
		}
		want := &device.Device{
			ID:                 d.ID,
			Name:               tabletName,
			FriendlyName:       ptr("Ward 3 tablet"),
			CamcopsVersion:     ptr("2.4.24"),
			RegisteredByUserID: &user,
			WhenRegisteredUTC:  ptr(clockTime().UTC().Truncate(time.Microsecond)),
		}
		if diff := cmp.Diff(want, d); diff != "" {
			t.Fatalf("returned device (-want +got):\n%s", diff)
		}
		got, err := s.ByName(t.Context(), tabletName)
		if err != nil {
			t.Fatalf("ByName: %v", err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("stored device (-want +got):\n%s", diff)
		}
	})

	t.Run("BlankFriendlyName", func(t *testing.T) {
		t.Parallel()
		s, db := MustOpen(t)
		user := MustUser(t, db, "alice")
		for i, friendly := range []string{"", "  "} {
			name := tabletName + string(rune('a'+i))
			d, err := s.Register(t.Context(), device.Registration{
				Name: name, FriendlyName: friendly, CamcopsVersion: "2.4.24", UserID: user,
			})
			if err != nil {
				t.Fatalf("Register: %v", err)
			}
			var isNull bool
			err = db.NewRaw("SELECT friendly_name IS NULL FROM devices WHERE id = ?", d.ID).Scan(t.Context(), &isNull)
			if err != nil {
				t.Fatalf("select: %v", err)
			}
			if d.FriendlyName != nil || !isNull {
				t.Errorf("FriendlyName %q: returned %v, stored NULL = %v; want NULL", friendly, d.FriendlyName, isNull)
			}
		}
	})

	t.Run("ReRegisterKeepsIDAndBatch", func(t *testing.T) {
		t.Parallel()
		s, db := MustOpen(t)
		alice, bob := MustUser(t, db, "alice"), MustUser(t, db, "bob")
		first := MustRegister(t, s, tabletName, alice)

		batch := time.Date(2026, 11, 21, 9, 0, 0, 654321000, time.UTC)
		activity := batch.Add(time.Minute)
		started := batch.Add(time.Second)
		_, err := db.NewUpdate().Model((*device.Device)(nil)).
			Set("last_upload_batch_utc = ?", batch).
			Set("ongoing_upload_batch_utc = ?", batch).
			Set("uploading_user_id = ?", alice).
			Set("currently_preserving = ?", true).
			Set("batch_last_activity_utc = ?", activity).
			Set("batch_already_received = ?", true).
			Set("batch_started_db_utc = ?", started).
			Where("id = ?", first.ID).Exec(t.Context())
		if err != nil {
			t.Fatalf("set batch fields: %v", err)
		}

		later := clockTime().Add(time.Hour)
		s2 := device.NewStore(db, func() time.Time { return later })
		d, err := s2.Register(t.Context(), device.Registration{
			Name: tabletName, FriendlyName: "Renamed", CamcopsVersion: "2.4.25", UserID: bob,
		})
		if err != nil {
			t.Fatalf("re-Register: %v", err)
		}
		want := &device.Device{
			ID:                    first.ID,
			Name:                  tabletName,
			FriendlyName:          ptr("Renamed"),
			CamcopsVersion:        ptr("2.4.25"),
			RegisteredByUserID:    &bob,
			WhenRegisteredUTC:     ptr(later.UTC().Truncate(time.Microsecond)),
			LastUploadBatchUTC:    &batch,
			OngoingUploadBatchUTC: &batch,
			UploadingUserID:       &alice,
			CurrentlyPreserving:   true,
			BatchLastActivityUTC:  &activity,
			BatchAlreadyReceived:  true,
			BatchStartedDBUTC:     &started,
		}
		if diff := cmp.Diff(want, d); diff != "" {
			t.Fatalf("returned device (-want +got):\n%s", diff)
		}
		got, err := s.ByName(t.Context(), tabletName)
		if err != nil {
			t.Fatalf("ByName: %v", err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("stored device (-want +got):\n%s", diff)
		}
	})

	t.Run("ReRegisterClearsFriendlyName", func(t *testing.T) {
		t.Parallel()
		s, db := MustOpen(t)
		user := MustUser(t, db, "alice")
		MustRegister(t, s, tabletName, user)
		d, err := s.Register(t.Context(), device.Registration{Name: tabletName, CamcopsVersion: "2.4.24", UserID: user})
		if err != nil {
			t.Fatalf("Register: %v", err)
		}
		if d.FriendlyName != nil {
			t.Fatalf("FriendlyName = %q, want NULL", *d.FriendlyName)
		}
	})

	t.Run("Concurrent", func(t *testing.T) {
		t.Parallel()
		s, db := MustOpen(t)
		user := MustUser(t, db, "alice")
		const n = 20
		ids := make([]int64, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				d, err := s.Register(t.Context(), device.Registration{
					Name: tabletName, FriendlyName: "racer", CamcopsVersion: "2.4.24", UserID: user,
				})
				errs[i] = err
				if err == nil {
					ids[i] = d.ID
				}
			})
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("goroutine %d: %v", i, err)
			}
		}
		for i, id := range ids {
			if id != ids[0] {
				t.Errorf("goroutine %d got id %d, goroutine 0 got %d", i, id, ids[0])
			}
		}
		count, err := db.NewSelect().Model((*device.Device)(nil)).Where("name = ?", tabletName).Count(t.Context())
		if err != nil {
			t.Fatalf("count: %v", err)
		}
		if count != 1 {
			t.Fatalf("%d rows named %s, want 1", count, tabletName)
		}
	})

	t.Run("ErrNameRequired", func(t *testing.T) {
		t.Parallel()
		s, db := MustOpen(t)
		user := MustUser(t, db, "alice")
		_, err := s.Register(t.Context(), device.Registration{CamcopsVersion: "2.4.24", UserID: user})
		if !errors.Is(err, device.ErrNameRequired) {
			t.Fatalf("err = %v, want ErrNameRequired", err)
		}
	})

	t.Run("ErrReservedName", func(t *testing.T) {
		t.Parallel()
		s, db := MustOpen(t)
		user := MustUser(t, db, "alice")
		before, err := s.ByName(t.Context(), device.ServerName)
		if err != nil {
			t.Fatalf("ByName(server): %v", err)
		}
		_, err = s.Register(t.Context(), device.Registration{
			Name: device.ServerName, CamcopsVersion: "2.4.24", UserID: user,
		})
		if !errors.Is(err, device.ErrReservedName) {
			t.Fatalf("err = %v, want ErrReservedName", err)
		}
		after, err := s.ByName(t.Context(), device.ServerName)
		if err != nil {
			t.Fatalf("ByName(server): %v", err)
		}
		if diff := cmp.Diff(before, after); diff != "" {
			t.Fatalf("server device changed (-before +after):\n%s", diff)
		}
	})

	t.Run("ErrInsertFailed", func(t *testing.T) {
		t.Parallel()
		s, _ := MustOpen(t)
		// No such user: the foreign key refuses the row.
		_, err := s.Register(t.Context(), device.Registration{
			Name: tabletName, CamcopsVersion: "2.4.24", UserID: 424242,
		})
		if !errors.Is(err, device.ErrInsertFailed) {
			t.Fatalf("err = %v, want ErrInsertFailed", err)
		}
		if _, err := s.IDByName(t.Context(), tabletName); !errors.Is(err, device.ErrNotFound) {
			t.Fatalf("IDByName after failed Register: err = %v, want ErrNotFound", err)
		}
	})
}
