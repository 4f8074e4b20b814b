// Package account stores the people side of the gateway: groups, users,
// their memberships, and the ID-number definitions that the server ID info
// block lists (PROTOCOL 5.1 and 6.1). It stores password hashes given by its
// callers and never computes them.
package account

import (
	"time"

	"github.com/uptrace/bun"
)

// Store reads and writes accounts. It works on a *bun.DB or a bun.Tx.
type Store struct {
	db  bun.IDB
	now func() time.Time
}

// NewStore returns a Store on db. A nil now means time.Now.
func NewStore(db bun.IDB, now func() time.Time) *Store {
	if now == nil {
		now = time.Now
	}
	return &Store{db: db, now: now}
}

// WithTx returns a Store that runs its queries inside tx.
func (s *Store) WithTx(tx bun.Tx) *Store { return &Store{db: tx, now: s.now} }

// nowUTC is the time written to the database: UTC with the microsecond
// precision that both dialects keep.
func (s *Store) nowUTC() time.Time { return s.now().UTC().Truncate(time.Microsecond) }
