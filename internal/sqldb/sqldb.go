// Package sqldb opens the database named by a tabletapi database URL,
// classifies driver errors and runs the one driver-specific operation
// (COPY, for the upload engine), so the rest of the code never imports a
// driver.
//
// Two kinds of URL are accepted: postgres://… (PostgreSQL, production) and
// sqlite:PATH (the embedded default).
package sqldb

import (
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	"github.com/uptrace/bun/driver/pgdriver"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// DefaultURL is the database used when none is configured: an SQLite file in
// the working directory.
const DefaultURL = "sqlite:tabletapi.db"

// ErrBadURL is wrapped by Open when the URL names no supported database.
var ErrBadURL = errors.New("sqldb: database URL must start with postgres:// or sqlite")

// Open opens (but does not ping) the database named by rawURL.
// The error wraps ErrBadURL for an unsupported or malformed URL.
func Open(rawURL string) (*bun.DB, error) {
	switch {
	case strings.HasPrefix(rawURL, "postgres://"), strings.HasPrefix(rawURL, "postgresql://"):
		return openPostgres(rawURL)
	case strings.HasPrefix(rawURL, "sqlite:"):
		return openSQLite(strings.TrimPrefix(rawURL, "sqlite:"))
	default:
		return nil, fmt.Errorf("%w (got %q)", ErrBadURL, redact(rawURL))
	}
}

func openPostgres(rawURL string) (*bun.DB, error) {
	if _, err := url.Parse(rawURL); err != nil {
		// Not err itself: the parser's message quotes the whole URL,
		// password and all, and this error is printed.
		return nil, fmt.Errorf("%w: not a valid URL", ErrBadURL)
	}
	// Short dial and I/O timeouts make a dead database answer 503 within
	// seconds instead of hanging a tablet's request.
	connector := pgdriver.NewConnector(
		pgdriver.WithDSN(rawURL),
		pgdriver.WithDialTimeout(3*time.Second),
		pgdriver.WithReadTimeout(30*time.Second),
		pgdriver.WithWriteTimeout(30*time.Second),
		pgdriver.WithApplicationName("tabletapi"),
		pgdriver.WithResetSessionFunc(checkAlive),
	)
	sqldb := sql.OpenDB(connector)
	sqldb.SetMaxOpenConns(32)
	sqldb.SetMaxIdleConns(32)
	sqldb.SetConnMaxIdleTime(5 * time.Minute)
	return bun.NewDB(sqldb, pgdialect.New()), nil
}

func openSQLite(path string) (*bun.DB, error) {
	if path == "" {
		return nil, fmt.Errorf("%w: sqlite: needs a file path", ErrBadURL)
	}
	if path == ":memory:" || strings.HasPrefix(path, "file::memory:") {
		// Each connection would get its own empty database.
		return nil, fmt.Errorf("%w: in-memory SQLite is not supported; give a file path", ErrBadURL)
	}
	// _txlock=immediate: a deferred transaction that reads and then writes
	// fails with SQLITE_BUSY under concurrency whatever the busy timeout.
	// WAL lets readers run beside the single writer.
	dsn := "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)" +
		"&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_txlock=immediate"
	sqldb, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("sqldb: open sqlite %q: %w", path, err)
	}
	sqldb.SetMaxOpenConns(8)
	sqldb.SetMaxIdleConns(8)
	return bun.NewDB(sqldb, sqlitedialect.New()), nil
}

// IsPostgres reports whether db speaks PostgreSQL.
func IsPostgres(db bun.IDB) bool {
	return db.Dialect().Name() == dialect.PG
}

// redact hides a password in a URL so the URL can go into an error message.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// Redact returns rawURL with any password replaced, for logs.
func Redact(rawURL string) string { return redact(rawURL) }
