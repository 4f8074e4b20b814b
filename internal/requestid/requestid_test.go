package requestid_test

import (
	"context"
	"strings"
	"testing"

	"github.com/tabletapi/tabletapi/internal/requestid"
)

func TestValid(t *testing.T) {
	for _, tc := range []struct {
		id   string
		want bool
	}{
		{"abc-123", true},
		{strings.Repeat("a", requestid.MaxLen), true},
		{strings.Repeat("a", requestid.MaxLen+1), false},
		{"", false},
		{"has space", false},
		{"new\nline", false},
		{"caf\u00e9", false},
	} {
		if got := requestid.Valid(tc.id); got != tc.want {
			t.Errorf("Valid(%q) = %v, want %v", tc.id, got, tc.want)
		}
	}
}

func TestNew(t *testing.T) {
	a, b := requestid.New(), requestid.New()
	if len(a) != 32 || !requestid.Valid(a) || a == b {
		t.Fatalf("New() = %q, %q: want two different 32-character hex ids", a, b)
	}
	if got := requestid.From(requestid.With(context.Background(), a)); got != a {
		t.Fatalf("From(With(%q)) = %q", a, got)
	}
	if got := requestid.From(context.Background()); got != "" {
		t.Fatalf("From(empty) = %q, want \"\"", got)
	}
}
