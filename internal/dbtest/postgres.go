package dbtest

import (
	"context"
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/tabletapi/tabletapi/internal/registry"
	"github.com/tabletapi/tabletapi/internal/sqldb"
)

// templateLockKey serialises template builds across test binaries, which
// `go test ./...` runs as separate processes.
const templateLockKey int64 = 0x7461626c74657374

// newPostgres copies the PostgreSQL template for reg into a new database,
// dropped in tb.Cleanup, and returns its URL.
func newPostgres(tb testing.TB, adminURL string, reg *registry.Registry) string {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	admin := mustOpen(tb, adminURL)
	defer admin.Close()

	tmpl, err := ensureTemplate(ctx, admin, adminURL, reg)
	if err != nil {
		tb.Fatalf("dbtest: %v", err)
	}
	name := "tabletapi_test_" + randomHex(6)
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE ? TEMPLATE ?", bun.Ident(name), bun.Ident(tmpl)); err != nil {
		tb.Fatalf("dbtest: create database: %v", err)
	}
	tb.Cleanup(func() {
		db := mustOpen(tb, adminURL)
		defer db.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := db.ExecContext(ctx, "DROP DATABASE IF EXISTS ? WITH (FORCE)", bun.Ident(name)); err != nil {
			tb.Errorf("dbtest: drop database %s: %v", name, err)
		}
	})
	return withDatabase(tb, adminURL, name)
}

// ensureTemplate builds, once per schema version, a migrated database with
// the client tables of reg (if not nil) that tests copy, and returns its
// name.
func ensureTemplate(ctx context.Context, admin *bun.DB, adminURL string, reg *registry.Registry) (string, error) {
	name := "tabletapi_tmpl_" + fingerprint(reg, true)
	conn, err := admin.Conn(ctx)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock(?)", templateLockKey); err != nil {
		return "", fmt.Errorf("template lock: %w", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock(?)", templateLockKey) //nolint:errcheck

	var exists bool
	if err := conn.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = ?)", name).Scan(&exists); err != nil {
		return "", fmt.Errorf("look up template: %w", err)
	}
	if exists {
		return name, nil
	}
	building := name + "_building"
	if _, err := conn.ExecContext(ctx, "DROP DATABASE IF EXISTS ? WITH (FORCE)", bun.Ident(building)); err != nil {
		return "", err
	}
	if _, err := conn.ExecContext(ctx, "CREATE DATABASE ?", bun.Ident(building)); err != nil {
		return "", fmt.Errorf("create template: %w", err)
	}
	u, err := replaceDatabase(adminURL, building)
	if err != nil {
		return "", err
	}
	db, err := sqldb.Open(u)
	if err != nil {
		return "", err
	}
	err = build(ctx, db, reg)
	db.Close() // a template must have no connections when it is copied
	if err != nil {
		return "", fmt.Errorf("template: %w", err)
	}
	// Rename only once complete, so a crashed build is never used.
	if _, err := conn.ExecContext(ctx, "ALTER DATABASE ? RENAME TO ?", bun.Ident(building), bun.Ident(name)); err != nil {
		return "", fmt.Errorf("rename template: %w", err)
	}
	return name, nil
}

func withDatabase(tb testing.TB, adminURL, name string) string {
	tb.Helper()
	u, err := replaceDatabase(adminURL, name)
	if err != nil {
		tb.Fatalf("dbtest: %v", err)
	}
	return u
}

func replaceDatabase(rawURL, name string) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", fmt.Errorf("bad %s: %w", EnvURL, err)
	}
	u.Path = "/" + name
	return u.String(), nil
}
