package audit

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/uptrace/bun"
)

// Page sizes of List.
const (
	// DefaultLimit is the page size of a Filter whose Limit is 0.
	DefaultLimit = 50
	// MaxLimit is the largest Limit List accepts: a page, not an export.
	MaxLimit = 1000
)

// ErrBadFilter means a Filter has a negative or too large limit, a
// negative BeforeID, an unknown operation or Until before Since.
var ErrBadFilter = errors.New("audit: bad filter")

// Filter selects audit entries for List. Zero fields select everything.
type Filter struct {
	Username  string // exactly this username
	DeviceID  int64  // this device's id
	Operation string // one of Operations
	// Since and Until bound when_utc: Since <= when < Until; a zero time
	// leaves its side open.
	Since, Until time.Time
	// BeforeID pages backwards: only entries with id < BeforeID; 0 starts
	// at the newest. The next page's BeforeID is the last entry's ID.
	BeforeID int64
	// Limit is the page size: at most MaxLimit; 0 means DefaultLimit.
	Limit int
}

// check validates f and returns its page size.
func (f Filter) check() (int, error) {
	switch {
	case f.Limit < 0 || f.Limit > MaxLimit:
		return 0, fmt.Errorf("limit %d is not 0-%d: %w", f.Limit, MaxLimit, ErrBadFilter)
	case f.BeforeID < 0:
		return 0, fmt.Errorf("before id %d is negative: %w", f.BeforeID, ErrBadFilter)
	case f.Operation != "" && !slices.Contains(Operations(), f.Operation):
		return 0, fmt.Errorf("unknown operation %q: %w", f.Operation, ErrBadFilter)
	case !f.Since.IsZero() && !f.Until.IsZero() && f.Until.Before(f.Since):
		return 0, fmt.Errorf("until before since: %w", ErrBadFilter)
	}
	if f.Limit == 0 {
		return DefaultLimit, nil
	}
	return f.Limit, nil
}

// List returns the entries f selects, newest (highest id) first, with
// When in UTC. Each equality filter with the order by id matches one index
// of the console migration, (operation, id), (username, id) or
// (device_id, id), read backwards (EXPLAIN on both dialects); a time bound
// alone reads ids from the newest, or the when_utc index where
// PostgreSQL's planner prefers it. Entries
// written before operation codes existed have Operation "". The error
// wraps ErrBadFilter for a bad f; otherwise it comes from the database.
func List(ctx context.Context, db bun.IDB, f Filter) ([]Entry, error) {
	limit, err := f.check()
	if err != nil {
		return nil, fmt.Errorf("audit: list: %w", err)
	}
	entries := []Entry{}
	q := db.NewSelect().Model(&entries).OrderExpr("id DESC").Limit(int64(limit))
	if f.Username != "" {
		q = q.Where("username = ?", f.Username)
	}
	if f.DeviceID != 0 {
		q = q.Where("device_id = ?", f.DeviceID)
	}
	if f.Operation != "" {
		q = q.Where("operation = ?", f.Operation)
	}
	if !f.Since.IsZero() {
		q = q.Where("when_utc >= ?", stamp(f.Since))
	}
	if !f.Until.IsZero() {
		q = q.Where("when_utc < ?", stamp(f.Until))
	}
	if f.BeforeID != 0 {
		q = q.Where("id < ?", f.BeforeID)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("audit: list: %w", err)
	}
	for i := range entries {
		entries[i].When = entries[i].When.UTC()
	}
	return entries, nil
}

// stamp is t as Write stores times, so bounds compare like with like.
func stamp(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }
