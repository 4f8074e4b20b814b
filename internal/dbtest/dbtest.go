// Package dbtest gives each test its own freshly migrated database: an SQLite
// file always, or a PostgreSQL database when TABLETAPI_TEST_DATABASE_URL is
// set (CI sets it). Databases are removed when the test ends.
package dbtest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/tabletapi/tabletapi/internal/sqldb"
	"github.com/tabletapi/tabletapi/schema"
)

// EnvURL names the variable that points the suite at a PostgreSQL server.
const EnvURL = "TABLETAPI_TEST_DATABASE_URL"

// templateLockKey serialises template builds across test binaries, which
// `go test ./...` runs as separate processes.
const templateLockKey int64 = 0x7461626c74657374

// Postgres reports whether the suite runs against PostgreSQL.
func Postgres() bool { return os.Getenv(EnvURL) != "" }

// NewURL creates a fresh migrated database for tb and returns its URL, in
// the form the --database flag takes. It is dropped in tb.Cleanup.
func NewURL(tb testing.TB) string {
	tb.Helper()
	if admin := os.Getenv(EnvURL); admin != "" {
		return newPostgres(tb, admin)
	}
	path := filepath.Join(tb.TempDir(), "test.db")
	u := "sqlite:" + path
	db := mustOpen(tb, u)
	if _, err := schema.Migrate(tb.Context(), db); err != nil {
		tb.Fatalf("dbtest: migrate sqlite: %v", err)
	}
	db.Close()
	return u
}

// New returns an open, freshly migrated database for tb, closed in
// tb.Cleanup.
func New(tb testing.TB) *bun.DB {
	tb.Helper()
	db := mustOpen(tb, NewURL(tb))
	tb.Cleanup(func() { db.Close() })
	return db
}

func mustOpen(tb testing.TB, u string) *bun.DB {
	tb.Helper()
	db, err := sqldb.Open(u)
	if err != nil {
		tb.Fatalf("dbtest: open: %v", err)
	}
	return db
}

func newPostgres(tb testing.TB, adminURL string) string {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	admin := mustOpen(tb, adminURL)
	defer admin.Close()

	tmpl, err := ensureTemplate(ctx, admin, adminURL)
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

// ensureTemplate builds, once per schema version, a migrated database that
// tests copy. Its name carries a hash of the migrations, so a changed schema
// gets a new template instead of a stale one.
func ensureTemplate(ctx context.Context, admin *bun.DB, adminURL string) (string, error) {
	name := "tabletapi_tmpl_" + migrationsHash()
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
	_, err = schema.Migrate(ctx, db)
	db.Close() // a template must have no connections when it is copied
	if err != nil {
		return "", fmt.Errorf("migrate template: %w", err)
	}
	// Rename only once complete, so a crashed build is never used.
	if _, err := conn.ExecContext(ctx, "ALTER DATABASE ? RENAME TO ?", bun.Ident(building), bun.Ident(name)); err != nil {
		return "", fmt.Errorf("rename template: %w", err)
	}
	return name, nil
}

func migrationsHash() string {
	h := sha256.New()
	fs.WalkDir(schema.Files(), ".", func(path string, d fs.DirEntry, err error) error { //nolint:errcheck
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(schema.Files(), path)
		h.Write([]byte(path))
		h.Write(b)
		return err
	})
	return hex.EncodeToString(h.Sum(nil))[:12]
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

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// NewEmptyURL creates a fresh database with no tables, for migration tests,
// and returns its URL. It is dropped in tb.Cleanup.
func NewEmptyURL(tb testing.TB) string {
	tb.Helper()
	admin := os.Getenv(EnvURL)
	if admin == "" {
		return "sqlite:" + filepath.Join(tb.TempDir(), "empty.db")
	}
	db := mustOpen(tb, admin)
	defer db.Close()
	name := "tabletapi_test_" + randomHex(6)
	if _, err := db.ExecContext(tb.Context(), "CREATE DATABASE ?", bun.Ident(name)); err != nil {
		tb.Fatalf("dbtest: create database: %v", err)
	}
	tb.Cleanup(func() {
		db := mustOpen(tb, admin)
		defer db.Close()
		if _, err := db.ExecContext(context.Background(), "DROP DATABASE IF EXISTS ? WITH (FORCE)", bun.Ident(name)); err != nil {
			tb.Errorf("dbtest: drop database %s: %v", name, err)
		}
	})
	return withDatabase(tb, admin, name)
}
