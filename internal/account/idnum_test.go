package account_test

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tabletapi/tabletapi/internal/account"
)

func TestStore_AddIDNum(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		s, _ := MustOpen(t)
		in := []account.IDNumDefinition{
			{WhichIDNum: 3, Description: "Hospital number", ShortDescription: "HN", ValidationMethod: ptr("")},
			{WhichIDNum: 1, Description: "NHS number", ShortDescription: "NHS", ValidationMethod: ptr("uk_nhs_number")},
			{WhichIDNum: 2, Description: "Study number", ShortDescription: "SN"},
		}
		for _, d := range in {
			if err := s.AddIDNum(t.Context(), d); err != nil {
				t.Fatalf("AddIDNum(%d): %v", d.WhichIDNum, err)
			}
		}
		got, err := s.IDNums(t.Context())
		if err != nil {
			t.Fatalf("IDNums: %v", err)
		}
		want := []account.IDNumDefinition{
			{WhichIDNum: 1, Description: "NHS number", ShortDescription: "NHS", ValidationMethod: ptr("uk_nhs_number")},
			{WhichIDNum: 2, Description: "Study number", ShortDescription: "SN"},
			{WhichIDNum: 3, Description: "Hospital number", ShortDescription: "HN"}, // "" stored as NULL
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("IDNums (-want +got):\n%s", diff)
		}
	})

	t.Run("ErrExists", func(t *testing.T) {
		t.Parallel()
		s, _ := MustOpen(t)
		d := account.IDNumDefinition{WhichIDNum: 1, Description: "NHS number", ShortDescription: "NHS"}
		if err := s.AddIDNum(t.Context(), d); err != nil {
			t.Fatalf("AddIDNum: %v", err)
		}
		if err := s.AddIDNum(t.Context(), d); !errors.Is(err, account.ErrExists) {
			t.Fatalf("err = %v, want ErrExists", err)
		}
	})

	t.Run("ErrInvalidIDNum", func(t *testing.T) {
		t.Parallel()
		s, _ := MustOpen(t)
		for name, d := range map[string]account.IDNumDefinition{
			"Zero":             {WhichIDNum: 0, Description: "d", ShortDescription: "s"},
			"Negative":         {WhichIDNum: -1, Description: "d", ShortDescription: "s"},
			"NoDescription":    {WhichIDNum: 1, ShortDescription: "s"},
			"NoShort":          {WhichIDNum: 1, Description: "d"},
			"UnknownValidator": {WhichIDNum: 1, Description: "d", ShortDescription: "s", ValidationMethod: ptr("UK_NHS_NUMBER")},
		} {
			if err := s.AddIDNum(t.Context(), d); !errors.Is(err, account.ErrInvalidIDNum) {
				t.Errorf("%s: err = %v, want ErrInvalidIDNum", name, err)
			}
		}
		if got, err := s.IDNums(t.Context()); err != nil || len(got) != 0 {
			t.Fatalf("IDNums = %v, %v; want none", got, err)
		}
	})
}

func TestStore_IDNums(t *testing.T) {
	t.Run("Empty", func(t *testing.T) {
		t.Parallel()
		s, _ := MustOpen(t)
		got, err := s.IDNums(t.Context())
		if err != nil {
			t.Fatalf("IDNums: %v", err)
		}
		if got == nil || len(got) != 0 {
			t.Fatalf("IDNums = %#v, want an empty slice", got)
		}
	})
}
