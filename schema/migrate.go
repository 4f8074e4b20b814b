// Package schema owns the database's tables. Migrate applies tabletapi's
// own SQL migrations, embedded in the binary; one set of migration files
// serves both dialects: each file is a text/template that expands the few
// type names that differ. SyncTables creates and extends the client tables
// of the registry, with the bookkeeping columns of PROTOCOL 8.1 (TablesDDL
// gives their DDL for fingerprinting), and on PostgreSQL the function named
// by NowTablesFunction, which lists the tables where a device has rows of
// era NOW.
package schema

import (
	"context"
	"embed"
	"fmt"
	"io/fs"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/migrate"

	"github.com/tabletapi/tabletapi/internal/sqldb"
)

// files holds the migrations; the binary carries them, so a deployed server
// never looks for SQL on disk.
//
//go:embed migrations/*.sql
var files embed.FS

// advisoryLockKey serialises migrators across processes on PostgreSQL
// ("tabletap" in ASCII).
const advisoryLockKey int64 = 0x7461626c65746170

// dialectTypes are the type names a migration template may use.
type dialectTypes struct {
	PK    string // auto-increment primary key that never reuses an id
	Time  string // a UTC instant with microseconds
	Bytes string
}

func typesFor(pg bool) dialectTypes {
	if pg {
		return dialectTypes{PK: "BIGSERIAL PRIMARY KEY", Time: "TIMESTAMPTZ", Bytes: "BYTEA"}
	}
	// AUTOINCREMENT: without it SQLite reuses the id of a deleted row, and
	// session ids must never be reused (PROTOCOL 3.1).
	return dialectTypes{PK: "INTEGER PRIMARY KEY AUTOINCREMENT", Time: "TIMESTAMP", Bytes: "BLOB"}
}

// Migrate applies every pending migration and returns the names applied.
// Running it again applies nothing. Each migration runs in one transaction,
// so a failure leaves the schema as it was before that migration.
// Concurrent migrators (two servers starting at once) take turns: a
// session-level advisory lock on PostgreSQL, a file lock on SQLite.
func Migrate(ctx context.Context, db *bun.DB) ([]string, error) {
	sub, err := fs.Sub(files, "migrations")
	if err != nil {
		return nil, fmt.Errorf("schema: %w", err)
	}
	migrations := migrate.NewMigrations()
	if err := migrations.Discover(sub); err != nil {
		return nil, fmt.Errorf("schema: %w", err)
	}
	unlock, err := lockMigrations(ctx, db)
	if err != nil {
		return nil, fmt.Errorf("schema: migrate: %w", err)
	}
	defer unlock()
	m := migrate.NewMigrator(db, migrations,
		migrate.WithTableName("schema_migrations"),
		migrate.WithLocksTableName("schema_migration_locks"),
		migrate.WithTemplateData(typesFor(sqldb.IsPostgres(db))),
		// Without this a failed migration is recorded as applied and
		// silently skipped on the next start.
		migrate.WithMarkAppliedOnSuccess(true),
	)
	if err := m.Init(ctx); err != nil {
		return nil, fmt.Errorf("schema: migrate: init: %w", err)
	}
	group, err := m.Migrate(ctx)
	if err != nil {
		return nil, fmt.Errorf("schema: migrate: %w", err)
	}
	names := make([]string, 0, len(group.Migrations))
	for _, mg := range group.Migrations {
		names = append(names, mg.Name+"_"+mg.Comment)
	}
	return names, nil
}

// Files returns the embedded migration files, for tools that fingerprint the
// schema (the test helper names its template database after their hash).
func Files() fs.FS { return files }
