package device_test

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tabletapi/tabletapi/device"
)

func TestStore_ByName(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		s, db := MustOpen(t)
		want := MustRegister(t, s, tabletName, MustUser(t, db, "alice"))
		got, err := s.ByName(t.Context(), tabletName)
		if err != nil {
			t.Fatalf("ByName: %v", err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("(-want +got):\n%s", diff)
		}
	})

	t.Run("Server", func(t *testing.T) {
		t.Parallel()
		s, _ := MustOpen(t)
		got, err := s.ByName(t.Context(), device.ServerName)
		if err != nil {
			t.Fatalf("ByName(server): %v", err)
		}
		if got.ID <= 0 || got.Name != device.ServerName {
			t.Fatalf("got %+v, want the server device", got)
		}
	})

	t.Run("ErrNotFound", func(t *testing.T) {
		t.Parallel()
		s, db := MustOpen(t)
		MustRegister(t, s, "{abc}", MustUser(t, db, "alice"))
		for _, name := range []string{"{none}", "{ABC}", ""} {
			if _, err := s.ByName(t.Context(), name); !errors.Is(err, device.ErrNotFound) {
				t.Errorf("ByName(%q): err = %v, want ErrNotFound", name, err)
			}
		}
	})
}

func TestStore_IDByName(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		s, db := MustOpen(t)
		d := MustRegister(t, s, tabletName, MustUser(t, db, "alice"))
		id, err := s.IDByName(t.Context(), tabletName)
		if err != nil {
			t.Fatalf("IDByName: %v", err)
		}
		if id != d.ID {
			t.Fatalf("id = %d, want %d", id, d.ID)
		}
	})

	t.Run("ErrNotFound", func(t *testing.T) {
		t.Parallel()
		s, _ := MustOpen(t)
		if _, err := s.IDByName(t.Context(), "{none}"); !errors.Is(err, device.ErrNotFound) {
			t.Fatalf("err = %v, want ErrNotFound", err)
		}
	})
}

func TestStore_List(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		s, db := MustOpen(t)
		user := MustUser(t, db, "alice")
		c := MustRegister(t, s, "{c}", user)
		a := MustRegister(t, s, "{a}", user)
		b := MustRegister(t, s, "{b}", user)
		got, err := s.List(t.Context())
		if err != nil {
			t.Fatalf("List: %v", err)
		}
		if diff := cmp.Diff([]device.Device{*a, *b, *c}, got); diff != "" {
			t.Fatalf("List (-want +got):\n%s", diff)
		}
	})

	t.Run("Empty", func(t *testing.T) {
		t.Parallel()
		s, _ := MustOpen(t)
		got, err := s.List(t.Context())
		if err != nil {
			t.Fatalf("List: %v", err)
		}
		if got == nil || len(got) != 0 {
			t.Fatalf("List = %#v, want an empty slice without the server device", got)
		}
	})
}

func TestStore_ListForConsole(t *testing.T) {
	t.Parallel()
	s, db := MustOpen(t)
	alice, bob := MustUser(t, db, "alice"), MustUser(t, db, "bob")
	a := MustRegister(t, s, "{a}", alice)
	MustRegister(t, s, "{b}", bob)
	if err := s.StartBatch(t.Context(), a.ID, bob); err != nil {
		t.Fatal(err)
	}
	got, err := s.ListForConsole(t.Context())
	if err != nil {
		t.Fatalf("ListForConsole: %v", err)
	}
	type row struct {
		Name, RegisteredBy, UploadingUser string
		InProgress                        bool
	}
	var rows []row
	for _, d := range got {
		rows = append(rows, row{d.Name, d.RegisteredBy, d.UploadingUser, d.BatchInProgress()})
	}
	want := []row{{"{a}", "alice", "bob", true}, {"{b}", "bob", "", false}}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Fatalf("ListForConsole (-want +got):\n%s", diff)
	}
	if got[0].ID != a.ID || got[0].OngoingUploadBatchUTC == nil || got[0].WhenRegisteredUTC == nil {
		t.Fatalf("device {a}: %+v; want its row with the open batch", got[0].Device)
	}
}
