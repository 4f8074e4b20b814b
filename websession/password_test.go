package websession_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/uptrace/bun"

	"github.com/tabletapi/tabletapi/internal/account"
	"github.com/tabletapi/tabletapi/websession"
)

// userRow is what a password change may write in a users row.
type userRow struct {
	Username    string     `bun:"username"`
	HashedPW    string     `bun:"hashedpw"`
	WhenChanged *time.Time `bun:"when_password_changed_utc"`
}

// userRows returns every user's name, hash and password-change time, by id.
func userRows(tb testing.TB, db bun.IDB) []userRow {
	tb.Helper()
	var rows []userRow
	err := db.NewSelect().TableExpr("users").Column("username", "hashedpw", "when_password_changed_utc").
		Order("id").Scan(tb.Context(), &rows)
	if err != nil {
		tb.Fatalf("read users: %v", err)
	}
	for i := range rows {
		if rows[i].WhenChanged != nil {
			utc := rows[i].WhenChanged.UTC()
			rows[i].WhenChanged = &utc
		}
	}
	return rows
}

func TestStore_ChangePassword(t *testing.T) {
	// OK: PROTOCOL 3.1, a password change ends all of the user's
	// sessions, human and API, and no one else's.
	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, websession.DefaultConfig())
		alice := MustCreateUser(t, e.db, "alice")
		bob := MustCreateUser(t, e.db, "bob")
		MustLogin(t, e.store, alice, "192.0.2.7", false)
		MustLogin(t, e.store, alice, "192.0.2.7", true)
		MustLogin(t, e.store, alice, "192.0.2.8", true)
		b, bTok := MustLogin(t, e.store, bob, "192.0.2.7", true)
		e.clock.Advance(time.Minute)

		n, err := e.store.ChangePassword(t.Context(), "alice", "$2a$04$new-hash")
		if err != nil || n != 3 {
			t.Fatalf("ChangePassword = %d, %v; want 3, nil", n, err)
		}
		if diff := cmp.Diff([]int64{b.ID}, sessionIDs(t, e.db)); diff != "" {
			t.Errorf("sessions left (-want +got):\n%s", diff)
		}
		MustLookup(t, e.store, b.ID, bTok, "192.0.2.7")
		changed := e.clock.stamp()
		want := []userRow{
			{Username: "alice", HashedPW: "$2a$04$new-hash", WhenChanged: &changed},
			{Username: "bob"},
		}
		if diff := cmp.Diff(want, userRows(t, e.db)); diff != "" {
			t.Errorf("users (-want +got):\n%s", diff)
		}
	})

	t.Run("ErrUserNotFound", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, websession.DefaultConfig())
		alice := MustCreateUser(t, e.db, "alice")
		a, _ := MustLogin(t, e.store, alice, "192.0.2.7", true)
		if _, err := e.store.ChangePassword(t.Context(), "nobody", "$2a$04$new-hash"); !errors.Is(err, account.ErrUserNotFound) {
			t.Fatalf("err = %v, want ErrUserNotFound", err)
		}
		if diff := cmp.Diff([]int64{a.ID}, sessionIDs(t, e.db)); diff != "" {
			t.Errorf("sessions (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]userRow{{Username: "alice"}}, userRows(t, e.db)); diff != "" {
			t.Errorf("users (-want +got):\n%s", diff)
		}
	})
}
