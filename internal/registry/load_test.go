package registry_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tabletapi/tabletapi/internal/registry"
)

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	write := func(t *testing.T, name, content string) string {
		t.Helper()
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}

	t.Run("OK", func(t *testing.T) {
		path := write(t, "ok.tables", lines(table("bmi", "    mass_kg real")...))
		r, err := registry.Load(path)
		if err != nil {
			t.Fatalf("Load: %v", err)
		}
		if diff := cmp.Diff([]string{"bmi"}, r.Names()); diff != "" {
			t.Fatalf("Names() (-want +got):\n%s", diff)
		}
	})
	t.Run("ErrorNamesPath", func(t *testing.T) {
		path := write(t, "bad.tables", lines(table("bmi", "    mass_kg flaot")...))
		_, err := registry.Load(path)
		want := "registry: " + path + `:5: unknown field type "flaot" for field "mass_kg" of table "bmi"`
		if err == nil || err.Error() != want {
			t.Fatalf("err = %v, want %s", err, want)
		}
	})
	t.Run("ErrNotExist", func(t *testing.T) {
		path := filepath.Join(dir, "missing.tables")
		_, err := registry.Load(path)
		if !errors.Is(err, fs.ErrNotExist) || !strings.HasPrefix(err.Error(), "registry: open "+path) {
			t.Fatalf("err = %v, want registry: open %s: …, wrapping fs.ErrNotExist", err, path)
		}
	})
}
