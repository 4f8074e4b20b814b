package account_test

import (
	"errors"
	"testing"
	"time"

	"github.com/tabletapi/tabletapi/internal/account"
)

func TestStore_SetPasswordHash(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		s, db := MustOpen(t)
		MustAddGroup(t, s, "g1")
		u := MustAddUser(t, s, "bob", "g1")
		later := clockTime().Add(time.Hour)
		s = account.NewStore(db, func() time.Time { return later })
		if err := s.SetPasswordHash(t.Context(), u.ID, "new-hash", true); err != nil {
			t.Fatalf("SetPasswordHash: %v", err)
		}
		got, err := s.UserByID(t.Context(), u.ID)
		if err != nil {
			t.Fatalf("UserByID: %v", err)
		}
		want := later.UTC().Truncate(time.Microsecond)
		if got.HashedPW != "new-hash" || got.WhenPasswordChangedUTC == nil || !got.WhenPasswordChangedUTC.Equal(want) {
			t.Fatalf("got hash %q changed %v, want %q and %v", got.HashedPW, got.WhenPasswordChangedUTC, "new-hash", want)
		}
	})

	t.Run("Rehash", func(t *testing.T) {
		t.Parallel()
		s, db := MustOpen(t)
		MustAddGroup(t, s, "g1")
		u := MustAddUser(t, s, "bob", "g1")
		s = account.NewStore(db, func() time.Time { return clockTime().Add(time.Hour) })
		if err := s.SetPasswordHash(t.Context(), u.ID, "rehashed", false); err != nil {
			t.Fatalf("SetPasswordHash: %v", err)
		}
		got, err := s.UserByID(t.Context(), u.ID)
		if err != nil {
			t.Fatalf("UserByID: %v", err)
		}
		if got.HashedPW != "rehashed" || got.WhenPasswordChangedUTC == nil || !got.WhenPasswordChangedUTC.Equal(storedClockTime()) {
			t.Fatalf("got hash %q changed %v, want %q and unchanged %v",
				got.HashedPW, got.WhenPasswordChangedUTC, "rehashed", storedClockTime())
		}
	})

	t.Run("ErrUserNotFound", func(t *testing.T) {
		t.Parallel()
		s, _ := MustOpen(t)
		if err := s.SetPasswordHash(t.Context(), 12345, "h", true); !errors.Is(err, account.ErrUserNotFound) {
			t.Fatalf("err = %v, want ErrUserNotFound", err)
		}
	})
}
