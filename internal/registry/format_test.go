package registry_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tabletapi/tabletapi/internal/registry"
)

// checkRoundTrip fails unless Parse(Format(r)) equals r and formats the same.
func checkRoundTrip(tb testing.TB, r *registry.Registry) {
	tb.Helper()
	text := r.Format()
	back, err := registry.Parse(strings.NewReader(text), "formatted")
	if err != nil {
		tb.Fatalf("Parse(Format()): %v\n%s", err, text)
	}
	// reflect.DeepEqual first: it is much faster than cmp.Diff in the fuzz loop.
	if !reflect.DeepEqual(r.Tables(), back.Tables()) {
		tb.Fatalf("Parse(Format()) (-want +got):\n%s", cmp.Diff(r.Tables(), back.Tables()))
	}
	if again := back.Format(); again != text {
		tb.Fatalf("Format is not stable:\n%s\nthen\n%s", text, again)
	}
}

func TestFormat(t *testing.T) {
	t.Run("Default", func(t *testing.T) {
		checkRoundTrip(t, registry.Default())
	})
	t.Run("Layout", func(t *testing.T) {
		r := mustParse(t, lines(
			"table t kind=task pk=id min_version=2.1.0 # a task",
			"\tid integer",
			"\twhen_last_modified datetime",
			"\t_move_off_tablet boolean",
			"table p min_version=2.0.0 pk=id kind=patient",
			"  _move_off_tablet boolean",
			"  when_last_modified datetime",
			"  id integer",
		))
		want := lines(
			"table p kind=patient pk=id min_version=2.0.0",
			"    _move_off_tablet    boolean",
			"    when_last_modified  datetime",
			"    id                  integer",
			"",
			"table t kind=task pk=id min_version=2.1.0",
			"    id                  integer",
			"    when_last_modified  datetime",
			"    _move_off_tablet    boolean",
		)
		if got := r.Format(); got != want {
			t.Fatalf("Format():\n%s\nwant\n%s", got, want)
		}
		checkRoundTrip(t, r)
	})
}
