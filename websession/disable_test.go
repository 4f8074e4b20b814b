package websession_test

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tabletapi/tabletapi/internal/account"
	"github.com/tabletapi/tabletapi/websession"
)

// disabled reads users.disabled of the user called name.
func disabled(tb testing.TB, e *env, name string) bool {
	tb.Helper()
	u, err := account.NewStore(e.db, nil).UserByName(tb.Context(), name)
	if err != nil {
		tb.Fatal(err)
	}
	return u.Disabled
}

func TestStore_SetDisabled(t *testing.T) {
	// OK: disabling ends all of the user's sessions, human and API, and
	// no one else's; enabling ends none.
	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, websession.DefaultConfig())
		alice := MustCreateUser(t, e.db, "alice")
		bob := MustCreateUser(t, e.db, "bob")
		MustLogin(t, e.store, alice, "192.0.2.7", false)
		MustLogin(t, e.store, alice, "192.0.2.8", true)
		b, _ := MustLogin(t, e.store, bob, "192.0.2.7", true)

		n, err := e.store.SetDisabled(t.Context(), "alice", true)
		if err != nil || n != 2 {
			t.Fatalf("SetDisabled(true) = %d, %v; want 2, nil", n, err)
		}
		if !disabled(t, e, "alice") || disabled(t, e, "bob") {
			t.Fatalf("disabled: alice %t, bob %t; want true, false", disabled(t, e, "alice"), disabled(t, e, "bob"))
		}
		if diff := cmp.Diff([]int64{b.ID}, sessionIDs(t, e.db)); diff != "" {
			t.Errorf("sessions left (-want +got):\n%s", diff)
		}

		a, _ := MustLogin(t, e.store, alice, "192.0.2.7", false)
		n, err = e.store.SetDisabled(t.Context(), "alice", false)
		if err != nil || n != 0 {
			t.Fatalf("SetDisabled(false) = %d, %v; want 0, nil", n, err)
		}
		if disabled(t, e, "alice") {
			t.Fatal("alice still disabled")
		}
		if diff := cmp.Diff([]int64{b.ID, a.ID}, sessionIDs(t, e.db)); diff != "" {
			t.Errorf("enabling ended sessions (-want +got):\n%s", diff)
		}
	})
	t.Run("ErrUserNotFound", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, websession.DefaultConfig())
		alice := MustCreateUser(t, e.db, "alice")
		MustLogin(t, e.store, alice, "192.0.2.7", true)
		n, err := e.store.SetDisabled(t.Context(), "Alice", true)
		if !errors.Is(err, account.ErrUserNotFound) || n != 0 {
			t.Fatalf("SetDisabled(Alice) = %d, %v; want 0, ErrUserNotFound", n, err)
		}
		if len(sessionIDs(t, e.db)) != 1 || disabled(t, e, "alice") {
			t.Error("a failed SetDisabled changed something")
		}
	})
}
