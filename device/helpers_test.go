package device_test

import (
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/tabletapi/tabletapi/device"
	"github.com/tabletapi/tabletapi/internal/dbtest"
)

// clockTime has nanoseconds and a non-UTC zone, so tests see the Store
// convert to UTC and truncate to microseconds.
func clockTime() time.Time {
	return time.Date(2026, 11, 22, 10, 30, 0, 123456789, time.FixedZone("CET", 3600))
}

// MustOpen returns a Store on a fresh database, with a clock stuck at
// clockTime, and the database itself.
func MustOpen(tb testing.TB) (*device.Store, *bun.DB) {
	tb.Helper()
	db := dbtest.New(tb)
	return device.NewStore(db, clockTime), db
}

// MustUser inserts a user directly and returns its id, so that devices have
// a registering user to point at.
func MustUser(tb testing.TB, db bun.IDB, username string) int64 {
	tb.Helper()
	var id int64
	err := db.NewRaw("INSERT INTO users (username) VALUES (?) RETURNING id", username).Scan(tb.Context(), &id)
	if err != nil {
		tb.Fatalf("insert user %q: %v", username, err)
	}
	return id
}

// MustRegister registers a device with that name for user.
func MustRegister(tb testing.TB, s *device.Store, name string, user int64) *device.Device {
	tb.Helper()
	d, err := s.Register(tb.Context(), device.Registration{
		Name: name, FriendlyName: "Tablet " + name, CamcopsVersion: "2.4.24", UserID: user,
	})
	if err != nil {
		tb.Fatalf("Register(%q): %v", name, err)
	}
	return d
}

func ptr[T any](v T) *T { return &v }
