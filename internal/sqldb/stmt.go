package sqldb

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/uptrace/bun"
)

// Stmt is a statement of the request hot path, prepared on first use and
// then reused on every pooled connection, so PostgreSQL parses and plans it
// once per connection instead of on every request (bun inlines arguments
// into the SQL text, which defeats plan reuse). Write the query with ?
// placeholders; on PostgreSQL they become $1, $2, ….
type Stmt struct {
	db    *bun.DB
	query string // as written, with ? placeholders
	dbSQL string // as prepared: with $1, $2, … on PostgreSQL

	mu   sync.Mutex // serialises preparation
	stmt atomic.Pointer[sql.Stmt]
}

// NewStmt returns a statement for db; nothing is sent to the database yet.
func NewStmt(db *bun.DB, query string) *Stmt {
	dbSQL := query
	if IsPostgres(db) {
		dbSQL = dollarPlaceholders(query)
	}
	return &Stmt{db: db, query: query, dbSQL: dbSQL}
}

// prepared returns the prepared statement, preparing it on first use. A
// failed preparation (the database may be down) is retried next time.
func (s *Stmt) prepared(ctx context.Context) (*sql.Stmt, error) {
	if st := s.stmt.Load(); st != nil {
		return st, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if st := s.stmt.Load(); st != nil {
		return st, nil
	}
	st, err := s.db.DB.PrepareContext(ctx, s.dbSQL)
	if err != nil {
		return nil, err
	}
	s.stmt.Store(st)
	return st, nil
}

// QueryRowContext runs the statement on idb. On the pool it was made for
// it runs prepared, and a failed preparation is reported by the row's Scan
// (the next call tries again). On anything else, a transaction, it runs
// there, formatted by bun: preparing would take a second pool connection
// while the transaction holds one, and the statement would not see the
// transaction's writes.
func (s *Stmt) QueryRowContext(ctx context.Context, idb bun.IDB, args ...any) *sql.Row {
	if db, ok := idb.(*bun.DB); !ok || db != s.db {
		return idb.QueryRowContext(ctx, s.query, args...)
	}
	stmt, err := s.prepared(ctx)
	if err != nil {
		// Run it unprepared, so the caller sees the real database error
		// on Scan.
		return s.db.DB.QueryRowContext(ctx, s.dbSQL, args...)
	}
	return stmt.QueryRowContext(ctx, args...)
}

// Close releases the prepared statement.
func (s *Stmt) Close() error {
	if st := s.stmt.Load(); st != nil {
		return st.Close()
	}
	return nil
}

// dollarPlaceholders rewrites ? placeholders outside quotes as $1, $2, ….
func dollarPlaceholders(q string) string {
	var b strings.Builder
	n, inQuote := 0, false
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '\'':
			inQuote = !inQuote
		case c == '?' && !inQuote:
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}
