package registry_test

import (
	"os"
	"strings"
	"testing"

	"github.com/tabletapi/tabletapi/internal/registry"
)

func FuzzParse(f *testing.F) {
	def, err := os.ReadFile("default.tables")
	if err != nil {
		f.Fatal(err)
	}
	seeds := []string{
		string(def),
		strings.ReplaceAll(string(def), "\n", "\r\n"),
		strings.Replace(string(def), "mass_kg              real", "mass_kg flaot", 1),
		strings.Replace(string(def), "kind=task", "kind=tsk", 1),
		strings.Replace(string(def), "min_version=2.0.0", "min_version=2.0", 1),
		strings.Replace(string(def), "    id ", "    _pk ", 1),
		strings.Replace(string(def), "table bmi", "table patient", 1),
		string(def) + "\n    stray integer\n",
		"",
		"table",
		"table t kind=task pk=id min_version=2.0.0\n",
		lines(table("t", "    x blob")...),
		lines(table("t", "    X blob", "    x blob")...),
		"\ttable t\n",
		"# only a comment\n",
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, input string) {
		r, err := registry.Parse(strings.NewReader(input), "fuzz")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "registry: fuzz:") {
				t.Fatalf("error without source: %v", err)
			}
			return
		}
		tables := r.Tables()
		if len(tables) == 0 || len(r.Names()) != len(tables) {
			t.Fatalf("%d tables, %d names; want the same number, at least one", len(tables), len(r.Names()))
		}
		for _, tab := range tables {
			if f, ok := tab.Field(tab.PK); !ok || f.Type != registry.Integer {
				t.Fatalf("table %q: pk %q is not an integer field", tab.Name, tab.PK)
			}
			if got, ok := r.Table(tab.Name); !ok || got != tab {
				t.Fatalf("Table(%q) does not find the table", tab.Name)
			}
		}
		checkRoundTrip(t, r)
	})
}
