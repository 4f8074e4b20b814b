package websession

import (
	"time"

	"github.com/uptrace/bun"

	"github.com/tabletapi/tabletapi/internal/sqldb"
)

// Store reads and writes sessions. It is safe for concurrent use.
type Store struct {
	db     bun.IDB
	cfg    Config
	now    func() time.Time
	lookup *sqldb.Stmt // the hot read, prepared; nil on a Store made on a transaction
}

// NewStore returns a Store on db. Zero or negative durations in cfg take
// their defaults (see DefaultConfig); CheckIP is used as given. A nil now
// means time.Now. Times are stored in UTC, truncated to microseconds.
func NewStore(db bun.IDB, cfg Config, now func() time.Time) *Store {
	if now == nil {
		now = time.Now
	}
	s := &Store{db: db, cfg: cfg.withDefaults(), now: now}
	if root, ok := db.(*bun.DB); ok {
		s.lookup = sqldb.NewStmt(root, lookupQuery)
	}
	return s
}

// WithTx returns a Store with the same settings that works inside tx (a
// bun.Tx, or any other bun.IDB).
func (s *Store) WithTx(tx bun.IDB) *Store {
	return &Store{db: tx, cfg: s.cfg, now: s.now, lookup: s.lookup}
}

// stamp is the current time as the database keeps it.
func (s *Store) stamp() time.Time {
	return s.now().UTC().Truncate(time.Microsecond)
}
