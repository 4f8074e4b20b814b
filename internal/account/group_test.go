package account_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tabletapi/tabletapi/internal/account"
)

func TestStore_AddGroup(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		s, _ := MustOpen(t)
		in := account.Group{
			ID:             99, // ignored
			Name:           "Research_unit-2",
			Description:    ptr("A unit"),
			UploadPolicy:   ptr("sex AND anyidnum"),
			FinalizePolicy: ptr("sex AND idnum1"),
			IPUseClinical:  true,
			IPUseResearch:  true,
		}
		g, err := s.AddGroup(t.Context(), in)
		if err != nil {
			t.Fatalf("AddGroup: %v", err)
		}
		if g.ID <= 0 || g.ID == 99 {
			t.Fatalf("ID = %d, want a new positive id", g.ID)
		}
		got, err := s.GroupByID(t.Context(), g.ID)
		if err != nil {
			t.Fatalf("GroupByID: %v", err)
		}
		in.ID = g.ID
		if diff := cmp.Diff(&in, got); diff != "" {
			t.Fatalf("stored group (-want +got):\n%s", diff)
		}
	})

	t.Run("NullPolicies", func(t *testing.T) {
		t.Parallel()
		s, _ := MustOpen(t)
		g := MustAddGroup(t, s, "plain")
		got, err := s.GroupByName(t.Context(), "plain")
		if err != nil {
			t.Fatalf("GroupByName: %v", err)
		}
		if got.ID != g.ID || got.Description != nil || got.UploadPolicy != nil || got.FinalizePolicy != nil ||
			got.IPUseClinical || got.IPUseCommercial || got.IPUseEducational || got.IPUseResearch {
			t.Fatalf("got %+v, want NULLs and false flags", got)
		}
	})

	t.Run("ErrExists", func(t *testing.T) {
		t.Parallel()
		s, _ := MustOpen(t)
		MustAddGroup(t, s, "dup")
		if _, err := s.AddGroup(t.Context(), account.Group{Name: "dup"}); !errors.Is(err, account.ErrExists) {
			t.Fatalf("err = %v, want ErrExists", err)
		}
	})

	t.Run("ErrInvalidName", func(t *testing.T) {
		t.Parallel()
		s, _ := MustOpen(t)
		for _, name := range []string{"", "a b", "a,b", "{a}", "é", "a\n", strings.Repeat("a", 192)} {
			if _, err := s.AddGroup(t.Context(), account.Group{Name: name}); !errors.Is(err, account.ErrInvalidName) {
				t.Errorf("AddGroup(%q): err = %v, want ErrInvalidName", name, err)
			}
		}
		MustAddGroup(t, s, strings.Repeat("a", 191))
	})
}

func TestStore_GroupByName(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		s, _ := MustOpen(t)
		want := MustAddGroup(t, s, "g1")
		got, err := s.GroupByName(t.Context(), "g1")
		if err != nil {
			t.Fatalf("GroupByName: %v", err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("(-want +got):\n%s", diff)
		}
	})

	t.Run("ErrGroupNotFound", func(t *testing.T) {
		t.Parallel()
		s, _ := MustOpen(t)
		MustAddGroup(t, s, "g1")
		for _, name := range []string{"g2", "G1"} {
			if _, err := s.GroupByName(t.Context(), name); !errors.Is(err, account.ErrGroupNotFound) {
				t.Errorf("GroupByName(%q): err = %v, want ErrGroupNotFound", name, err)
			}
		}
	})
}

func TestStore_GroupByID(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		s, _ := MustOpen(t)
		want := MustAddGroup(t, s, "g1")
		got, err := s.GroupByID(t.Context(), want.ID)
		if err != nil {
			t.Fatalf("GroupByID: %v", err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("(-want +got):\n%s", diff)
		}
	})

	t.Run("ErrGroupNotFound", func(t *testing.T) {
		t.Parallel()
		s, _ := MustOpen(t)
		if _, err := s.GroupByID(t.Context(), 12345); !errors.Is(err, account.ErrGroupNotFound) {
			t.Fatalf("err = %v, want ErrGroupNotFound", err)
		}
	})
}
