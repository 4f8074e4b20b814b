package dbtest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/tabletapi/tabletapi/internal/registry"
	"github.com/tabletapi/tabletapi/internal/sqldb"
)

// newSQLite copies the SQLite template for reg into tb's temporary folder
// and returns its URL.
func newSQLite(tb testing.TB, reg *registry.Registry) string {
	tb.Helper()
	tmpl, err := ensureSQLiteTemplate(tb.Context(), reg)
	if err != nil {
		tb.Fatalf("dbtest: %v", err)
	}
	b, err := os.ReadFile(tmpl)
	if err != nil {
		tb.Fatalf("dbtest: %v", err)
	}
	path := filepath.Join(tb.TempDir(), "test.db")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		tb.Fatalf("dbtest: %v", err)
	}
	return "sqlite:" + path
}

// ensureSQLiteTemplate returns the path of the template file for reg,
// building it first if it does not exist. Test binaries run at once may
// each build it; each builds its own file and renames it into place, so a
// half-built template is never copied and every finished one is as good as
// another. A template is a plain file copy of a closed database, which
// SQLite leaves whole (the WAL folded in) when its last connection closes.
func ensureSQLiteTemplate(ctx context.Context, reg *registry.Registry) (string, error) {
	path := filepath.Join(os.TempDir(), "tabletapi-tmpl-"+fingerprint(reg, false)+".db")
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	building := fmt.Sprintf("%s.building-%d-%s", path, os.Getpid(), randomHex(4))
	defer os.Remove(building + "-migrate.lock") // the lock file schema takes beside the database
	db, err := sqldb.Open("sqlite:" + building)
	if err != nil {
		return "", err
	}
	err = build(ctx, db, reg)
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(building)
		return "", fmt.Errorf("sqlite template: %w", err)
	}
	if err := os.Rename(building, path); err != nil {
		os.Remove(building)
		return "", fmt.Errorf("sqlite template: %w", err)
	}
	return path, nil
}
