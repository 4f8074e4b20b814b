package account_test

import (
	"errors"
	"testing"

	"github.com/tabletapi/tabletapi/internal/account"
)

func TestParseIPUse(t *testing.T) {
	for list, want := range map[string]account.IPUse{
		"":                    {},
		"clinical":            {Clinical: true},
		"research,commercial": {Commercial: true, Research: true},
		"commercial,clinical,educational,research": {Commercial: true, Clinical: true, Educational: true, Research: true},
	} {
		if got, err := account.ParseIPUse(list); err != nil || got != want {
			t.Errorf("ParseIPUse(%q) = %+v, %v; want %+v", list, got, err, want)
		}
	}
	for _, bad := range []string{"Clinical", "clinical,", ",clinical", "clinical,clinical", "clinical research", "none"} {
		if _, err := account.ParseIPUse(bad); !errors.Is(err, account.ErrInvalidIPUse) {
			t.Errorf("ParseIPUse(%q) = %v, want ErrInvalidIPUse", bad, err)
		}
	}
}

func TestStore_UpdateGroupIPUse(t *testing.T) {
	t.Parallel()
	s, _ := MustOpen(t)
	g := account.Group{Name: "g1"}
	g.SetIPUse(account.IPUse{Clinical: true, Research: true})
	if _, err := s.AddGroup(t.Context(), g); err != nil {
		t.Fatal(err)
	}
	stored, err := s.GroupByName(t.Context(), "g1")
	if err != nil || stored.IPUse() != (account.IPUse{Clinical: true, Research: true}) {
		t.Fatalf("added group's IP use: %+v, %v", stored, err)
	}
	got, err := s.UpdateGroup(t.Context(), "g1", account.GroupChange{IPUse: &account.IPUse{Commercial: true}})
	if err != nil || got.IPUse() != (account.IPUse{Commercial: true}) {
		t.Fatalf("UpdateGroup(IPUse commercial): %+v, %v", got, err)
	}
}
