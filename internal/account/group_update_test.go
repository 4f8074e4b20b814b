package account_test

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tabletapi/tabletapi/internal/account"
)

func TestStore_UpdateGroup(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		s, _ := MustOpen(t)
		g, err := s.AddGroup(t.Context(), account.Group{
			Name: "g1", Description: ptr("old"), UploadPolicy: ptr("sex"), FinalizePolicy: ptr("sex AND dob"),
		})
		if err != nil {
			t.Fatal(err)
		}
		// Only the given fields change; "" stores NULL.
		got, err := s.UpdateGroup(t.Context(), "g1", account.GroupChange{UploadPolicy: ptr("sex AND anyidnum"), Description: ptr("")})
		if err != nil {
			t.Fatalf("UpdateGroup: %v", err)
		}
		want := *g
		want.UploadPolicy, want.Description = ptr("sex AND anyidnum"), nil
		if diff := cmp.Diff(&want, got); diff != "" {
			t.Fatalf("returned group (-want +got):\n%s", diff)
		}
		stored, err := s.GroupByName(t.Context(), "g1")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(&want, stored); diff != "" {
			t.Fatalf("stored group (-want +got):\n%s", diff)
		}
	})

	t.Run("NothingToChange", func(t *testing.T) {
		t.Parallel()
		s, _ := MustOpen(t)
		want := MustAddGroup(t, s, "g1")
		got, err := s.UpdateGroup(t.Context(), "g1", account.GroupChange{})
		if err != nil {
			t.Fatalf("UpdateGroup: %v", err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("(-want +got):\n%s", diff)
		}
	})

	t.Run("ErrGroupNotFound", func(t *testing.T) {
		t.Parallel()
		s, _ := MustOpen(t)
		MustAddGroup(t, s, "g1")
		for _, ch := range []account.GroupChange{{}, {UploadPolicy: ptr("sex")}} {
			if _, err := s.UpdateGroup(t.Context(), "G1", ch); !errors.Is(err, account.ErrGroupNotFound) {
				t.Errorf("UpdateGroup(G1, %+v): err = %v, want ErrGroupNotFound", ch, err)
			}
		}
	})
}

func TestStore_Groups(t *testing.T) {
	t.Parallel()
	s, _ := MustOpen(t)
	got, err := s.Groups(t.Context())
	if err != nil || len(got) != 0 || got == nil {
		t.Fatalf("Groups on an empty database = %v, %v; want an empty slice", got, err)
	}
	b, a := MustAddGroup(t, s, "b"), MustAddGroup(t, s, "a")
	got, err = s.Groups(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]account.Group{*a, *b}, got); diff != "" {
		t.Fatalf("(-want +got):\n%s", diff)
	}
}
