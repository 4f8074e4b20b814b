package sim

import (
	"fmt"

	"github.com/uptrace/bun"

	"github.com/tabletapi/tabletapi/internal/sqldb"
)

// OpenDB opens the server's database for Verify, which only reads it:
// postgres://… (or postgresql://…) or sqlite:PATH, the URLs tabletapi
// itself takes, opened as tabletapi opens them. It does not connect; the
// first query does. The error reports a URL of another kind, and never
// shows a password.
func OpenDB(rawURL string) (*bun.DB, error) {
	db, err := sqldb.Open(rawURL)
	if err != nil {
		return nil, fmt.Errorf("sim: %w", err)
	}
	return db, nil
}
