package account_test

import (
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/tabletapi/tabletapi/internal/account"
	"github.com/tabletapi/tabletapi/internal/dbtest"
)

// clockTime has nanoseconds and a non-UTC zone, so tests see the Store
// convert to UTC and truncate to microseconds.
func clockTime() time.Time {
	return time.Date(2026, 11, 22, 10, 30, 0, 123456789, time.FixedZone("CET", 3600))
}

// storedClockTime is clockTime as the database keeps it.
func storedClockTime() time.Time { return clockTime().UTC().Truncate(time.Microsecond) }

// MustOpen returns a Store on a fresh database, with a clock stuck at
// clockTime, and the database itself.
func MustOpen(tb testing.TB) (*account.Store, *bun.DB) {
	tb.Helper()
	db := dbtest.New(tb)
	return account.NewStore(db, clockTime), db
}

// MustAddGroup adds a group with that name.
func MustAddGroup(tb testing.TB, s *account.Store, name string) *account.Group {
	tb.Helper()
	g, err := s.AddGroup(tb.Context(), account.Group{Name: name})
	if err != nil {
		tb.Fatalf("AddGroup(%q): %v", name, err)
	}
	return g
}

// MustAddUser adds a user with upload rights in group.
func MustAddUser(tb testing.TB, s *account.Store, username, group string) *account.User {
	tb.Helper()
	u, err := s.AddUser(tb.Context(), account.NewUser{
		Username: username, HashedPW: "hash-" + username, GroupName: group,
		MayUpload: true, MayRegisterDevices: true,
	})
	if err != nil {
		tb.Fatalf("AddUser(%q): %v", username, err)
	}
	return u
}

func ptr[T any](v T) *T { return &v }
