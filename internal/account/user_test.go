package account_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/uptrace/bun"

	"github.com/tabletapi/tabletapi/internal/account"
	"github.com/tabletapi/tabletapi/internal/sqldb"
)

func TestStore_AddUser(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		s, db := MustOpen(t)
		g := MustAddGroup(t, s, "g1")
		u, err := s.AddUser(t.Context(), account.NewUser{
			Username: "Al,ice_-{x}", HashedPW: "$2b$04$hash", GroupName: "g1",
			MayUpload: true, MayRegisterDevices: false, Superuser: true,
		})
		if err != nil {
			t.Fatalf("AddUser: %v", err)
		}
		want := &account.User{
			ID: u.ID, Username: "Al,ice_-{x}", HashedPW: "$2b$04$hash", UploadGroupID: &g.ID,
			Superuser: true, WhenPasswordChangedUTC: ptr(storedClockTime()),
		}
		got, err := s.UserByID(t.Context(), u.ID)
		if err != nil {
			t.Fatalf("UserByID: %v", err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("stored user (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(want, u); diff != "" {
			t.Fatalf("returned user (-want +got):\n%s", diff)
		}
		var ms []account.Membership
		if err := db.NewSelect().Model(&ms).Scan(t.Context()); err != nil {
			t.Fatalf("select memberships: %v", err)
		}
		wantMs := []account.Membership{{UserID: u.ID, GroupID: g.ID, MayUpload: true}}
		if diff := cmp.Diff(wantMs, ms); diff != "" {
			t.Fatalf("memberships (-want +got):\n%s", diff)
		}
	})

	t.Run("ErrExists", func(t *testing.T) {
		t.Parallel()
		s, _ := MustOpen(t)
		MustAddGroup(t, s, "g1")
		MustAddUser(t, s, "bob", "g1")
		_, err := s.AddUser(t.Context(), account.NewUser{Username: "bob", GroupName: "g1"})
		if !errors.Is(err, account.ErrExists) {
			t.Fatalf("err = %v, want ErrExists", err)
		}
	})

	t.Run("ErrGroupNotFound", func(t *testing.T) {
		t.Parallel()
		s, _ := MustOpen(t)
		_, err := s.AddUser(t.Context(), account.NewUser{Username: "bob", GroupName: "nogroup"})
		if !errors.Is(err, account.ErrGroupNotFound) {
			t.Fatalf("err = %v, want ErrGroupNotFound", err)
		}
		if _, err := s.UserByName(t.Context(), "bob"); !errors.Is(err, account.ErrUserNotFound) {
			t.Fatalf("user after failed AddUser: err = %v, want ErrUserNotFound", err)
		}
	})

	t.Run("ErrInvalidName", func(t *testing.T) {
		t.Parallel()
		s, _ := MustOpen(t)
		MustAddGroup(t, s, "g1")
		for _, name := range []string{"", "system", "a b", "a.b", "a@b", "é", "bob\n", strings.Repeat("a", 192)} {
			_, err := s.AddUser(t.Context(), account.NewUser{Username: name, GroupName: "g1"})
			if !errors.Is(err, account.ErrInvalidName) {
				t.Errorf("AddUser(%q): err = %v, want ErrInvalidName", name, err)
			}
		}
		MustAddUser(t, s, strings.Repeat("a", 191), "g1")
		MustAddUser(t, s, "System", "g1") // only the exact reserved name is refused
	})

	t.Run("CaseSensitive", func(t *testing.T) {
		t.Parallel()
		s, _ := MustOpen(t)
		MustAddGroup(t, s, "g1")
		upper := MustAddUser(t, s, "Alice", "g1")
		lower := MustAddUser(t, s, "alice", "g1")
		if upper.ID == lower.ID {
			t.Fatalf("Alice and alice share id %d", upper.ID)
		}
	})

	t.Run("Atomic", func(t *testing.T) {
		t.Parallel()
		s, db := MustOpen(t)
		MustAddGroup(t, s, "g1")
		mustFailMembershipInserts(t, db)
		if _, err := s.AddUser(t.Context(), account.NewUser{Username: "bob", GroupName: "g1"}); err == nil {
			t.Fatal("AddUser succeeded although the membership insert fails")
		}
		if _, err := s.UserByName(t.Context(), "bob"); !errors.Is(err, account.ErrUserNotFound) {
			t.Fatalf("user after failed AddUser: err = %v, want ErrUserNotFound", err)
		}
	})

	t.Run("AtomicInTx", func(t *testing.T) {
		t.Parallel()
		s, db := MustOpen(t)
		mustFailMembershipInserts(t, db)
		// Inside a caller's transaction AddUser is a savepoint: its failure
		// undoes only its own writes, and the transaction stays usable.
		err := db.RunInTx(t.Context(), nil, func(ctx context.Context, tx bun.Tx) error {
			ts := s.WithTx(tx)
			if _, err := ts.AddGroup(ctx, account.Group{Name: "g1"}); err != nil {
				return err
			}
			if _, err := ts.AddUser(ctx, account.NewUser{Username: "bob", GroupName: "g1"}); err == nil {
				t.Error("AddUser succeeded although the membership insert fails")
			}
			_, err := ts.GroupByName(ctx, "g1")
			return err
		})
		if err != nil {
			t.Fatalf("outer transaction: %v", err)
		}
		if _, err := s.GroupByName(t.Context(), "g1"); err != nil {
			t.Fatalf("group after commit: %v", err)
		}
		if _, err := s.UserByName(t.Context(), "bob"); !errors.Is(err, account.ErrUserNotFound) {
			t.Fatalf("user after failed AddUser: err = %v, want ErrUserNotFound", err)
		}
	})
}

// mustFailMembershipInserts adds a trigger to this test's database that
// makes every insert into memberships fail, so AddUser fails after it has
// inserted the user.
func mustFailMembershipInserts(tb testing.TB, db *bun.DB) {
	tb.Helper()
	stmts := []string{
		`CREATE TRIGGER fail_membership BEFORE INSERT ON memberships
		BEGIN SELECT RAISE(ABORT, 'membership refused by test'); END`,
	}
	if sqldb.IsPostgres(db) {
		stmts = []string{
			`CREATE FUNCTION fail_membership() RETURNS trigger LANGUAGE plpgsql AS
			$$ BEGIN RAISE EXCEPTION 'membership refused by test'; END $$`,
			`CREATE TRIGGER fail_membership BEFORE INSERT ON memberships
			FOR EACH ROW EXECUTE FUNCTION fail_membership()`,
		}
	}
	for _, q := range stmts {
		if _, err := db.ExecContext(tb.Context(), q); err != nil {
			tb.Fatalf("create trigger: %v", err)
		}
	}
}

func TestStore_UserByName(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		s, _ := MustOpen(t)
		MustAddGroup(t, s, "g1")
		want := MustAddUser(t, s, "bob", "g1")
		got, err := s.UserByName(t.Context(), "bob")
		if err != nil {
			t.Fatalf("UserByName: %v", err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("(-want +got):\n%s", diff)
		}
	})

	t.Run("ErrUserNotFound", func(t *testing.T) {
		t.Parallel()
		s, _ := MustOpen(t)
		MustAddGroup(t, s, "g1")
		MustAddUser(t, s, "Alice", "g1")
		for _, name := range []string{"alice", "ALICE", "Alice ", "bob"} {
			if _, err := s.UserByName(t.Context(), name); !errors.Is(err, account.ErrUserNotFound) {
				t.Errorf("UserByName(%q): err = %v, want ErrUserNotFound", name, err)
			}
		}
	})
}

func TestStore_UserByID(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		s, _ := MustOpen(t)
		MustAddGroup(t, s, "g1")
		want := MustAddUser(t, s, "bob", "g1")
		got, err := s.UserByID(t.Context(), want.ID)
		if err != nil {
			t.Fatalf("UserByID: %v", err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("(-want +got):\n%s", diff)
		}
	})

	t.Run("ErrUserNotFound", func(t *testing.T) {
		t.Parallel()
		s, _ := MustOpen(t)
		if _, err := s.UserByID(t.Context(), 12345); !errors.Is(err, account.ErrUserNotFound) {
			t.Fatalf("err = %v, want ErrUserNotFound", err)
		}
	})
}
