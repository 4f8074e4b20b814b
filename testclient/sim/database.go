package sim

import (
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	"github.com/uptrace/bun/driver/pgdriver"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// OpenDB opens the server's database for Verify, which only reads it:
// postgres://… (or postgresql://…) or sqlite:PATH, the URLs tabletapi
// itself takes. It does not connect; the first query does. The
// error reports a URL of another kind.
func OpenDB(rawURL string) (*bun.DB, error) {
	switch {
	case strings.HasPrefix(rawURL, "postgres://"), strings.HasPrefix(rawURL, "postgresql://"):
		if _, err := url.Parse(rawURL); err != nil {
			// The parser's error quotes the URL, password and all.
			return nil, errors.New("sim: the database URL is not a valid URL")
		}
		db := sql.OpenDB(pgdriver.NewConnector(
			pgdriver.WithDSN(rawURL),
			pgdriver.WithDialTimeout(5*time.Second),
			pgdriver.WithReadTimeout(60*time.Second),
			pgdriver.WithApplicationName("tabletsim"),
		))
		return bun.NewDB(db, pgdialect.New()), nil
	case strings.HasPrefix(rawURL, "sqlite:"):
		path := strings.TrimPrefix(rawURL, "sqlite:")
		if path == "" || strings.Contains(path, ":memory:") {
			return nil, fmt.Errorf("sim: database URL %q: give the SQLite file's path", rawURL)
		}
		dsn := "file:" + path + "?_pragma=busy_timeout(10000)"
		db, err := sql.Open("sqlite", dsn)
		if err != nil {
			return nil, fmt.Errorf("sim: open %s: %w", path, err)
		}
		return bun.NewDB(db, sqlitedialect.New()), nil
	}
	return nil, fmt.Errorf("sim: database URL must start with postgres:// or sqlite: (got %q)", redactURL(rawURL))
}

// redactURL hides a password in a URL for an error message.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		return s
	}
	return u.Redacted()
}
