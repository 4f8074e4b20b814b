// Package dbtest gives each test its own freshly migrated database: an SQLite
// file always, or a PostgreSQL database when TABLETAPI_TEST_DATABASE_URL is
// set (CI sets it). Databases are removed when the test ends.
//
// Each database is a copy of a template made once per schema and kept
// between runs: a PostgreSQL template database, or an SQLite file in the
// system's temporary folder. Its name carries a hash of what it holds, so a
// changed schema gets a new template instead of a stale one. Copying is
// what makes the suite affordable with the full registry: creating its
// client tables takes seconds on PostgreSQL, copying them a fraction.
package dbtest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/uptrace/bun"

	"github.com/tabletapi/tabletapi/internal/registry"
	"github.com/tabletapi/tabletapi/internal/sqldb"
	"github.com/tabletapi/tabletapi/schema"
)

// EnvURL names the variable that points the suite at a PostgreSQL server.
const EnvURL = "TABLETAPI_TEST_DATABASE_URL"

// Postgres reports whether the suite runs against PostgreSQL.
func Postgres() bool { return os.Getenv(EnvURL) != "" }

// NewURL creates a fresh database for tb as `serve` leaves it with the
// default registry, migrated and with the default registry's client tables,
// so a server started on it with that registry creates nothing. It returns
// its URL, in the form the --database flag takes. It is dropped in
// tb.Cleanup.
func NewURL(tb testing.TB) string {
	tb.Helper()
	return newURL(tb, registry.Default())
}

// New returns an open, freshly migrated database for tb without client
// tables, closed in tb.Cleanup.
func New(tb testing.TB) *bun.DB {
	tb.Helper()
	db := mustOpen(tb, newURL(tb, nil))
	tb.Cleanup(func() { db.Close() })
	return db
}

// newURL creates a fresh migrated database holding the client tables of
// reg, if not nil, and returns its URL.
func newURL(tb testing.TB, reg *registry.Registry) string {
	tb.Helper()
	if admin := os.Getenv(EnvURL); admin != "" {
		return newPostgres(tb, admin, reg)
	}
	return newSQLite(tb, reg)
}

func mustOpen(tb testing.TB, u string) *bun.DB {
	tb.Helper()
	db, err := sqldb.Open(u)
	if err != nil {
		tb.Fatalf("dbtest: open: %v", err)
	}
	return db
}

// build migrates db and creates the client tables of reg, if not nil.
func build(ctx context.Context, db *bun.DB, reg *registry.Registry) error {
	if _, err := schema.Migrate(ctx, db); err != nil {
		return err
	}
	if reg == nil {
		return nil
	}
	return schema.SyncTables(ctx, db, reg)
}

// fingerprint is a hash of the migrations and, if reg is not nil, of reg
// and of the statements that create its tables on the dialect: what a
// template built by build holds.
func fingerprint(reg *registry.Registry, pg bool) string {
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
	if reg != nil {
		h.Write([]byte(reg.Format()))
		// SyncTables' functions, on PostgreSQL; their names change with
		// their bodies.
		h.Write([]byte(schema.NowTablesFunction(reg) + schema.PatientTablesFunction(reg)))
		for _, s := range schema.TablesDDL(reg, pg) {
			h.Write([]byte(s))
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
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
