package schema

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"

	"github.com/tabletapi/tabletapi/internal/sqldb"
)

// lockMigrations takes a lock that only one migrator at a time can hold,
// across processes, and returns its release function.
func lockMigrations(ctx context.Context, db *bun.DB) (func(), error) {
	if !sqldb.IsPostgres(db) {
		return lockSQLiteFile(ctx, db)
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock(?)", advisoryLockKey); err != nil {
		conn.Close()
		return nil, fmt.Errorf("take advisory lock: %w", err)
	}
	return func() {
		// Closing the session would release the lock too; unlocking first
		// returns the connection to the pool clean.
		conn.ExecContext(context.Background(), "SELECT pg_advisory_unlock(?)", advisoryLockKey) //nolint:errcheck
		conn.Close()
	}, nil
}

// sqliteMainFile returns the file behind the main schema of an SQLite db.
func sqliteMainFile(ctx context.Context, db *bun.DB) (string, error) {
	rows, err := db.QueryContext(ctx, "PRAGMA database_list")
	if err != nil {
		return "", err
	}
	defer rows.Close()
	for rows.Next() {
		var seq int
		var name, file string
		if err := rows.Scan(&seq, &name, &file); err != nil {
			return "", err
		}
		if name == "main" {
			return file, rows.Err()
		}
	}
	return "", fmt.Errorf("no main database in PRAGMA database_list")
}
