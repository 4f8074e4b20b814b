package tabletsession

import (
	"context"
	"database/sql"
	"fmt"
	"hash/fnv"
	"time"

	"github.com/uptrace/bun"

	"github.com/tabletapi/tabletapi/internal/sqldb"
)

// failureRetention is how long failure rows of usernames that do not exist
// are kept (PROTOCOL 4.3).
const failureRetention = 7 * 24 * time.Hour

// Lockouts owns the login_failures and lockouts tables: the failed-login
// count of each username and the lockout it earns (PROTOCOL 4.3).
type Lockouts struct {
	db  bun.IDB
	cfg Config
	now func() time.Time
}

// NewLockouts returns the lockout store on db. now may be nil (time.Now).
func NewLockouts(db bun.IDB, cfg Config, now func() time.Time) *Lockouts {
	if now == nil {
		now = time.Now
	}
	return &Lockouts{db: db, cfg: cfg, now: now}
}

// WithTx returns the store working in tx.
func (l *Lockouts) WithTx(tx bun.Tx) *Lockouts { return &Lockouts{db: tx, cfg: l.cfg, now: l.now} }

// TxOptions are the options of the transaction RecordFailure runs in. On
// PostgreSQL it must be READ COMMITTED whatever the database's default:
// under REPEATABLE READ the snapshot would be taken before the advisory
// lock's wait, and the count would miss the failure waited for.
func (l *Lockouts) TxOptions() *sql.TxOptions {
	if sqldb.IsPostgres(l.db) {
		return &sql.TxOptions{Isolation: sql.LevelReadCommitted}
	}
	return nil
}

// LockedUntil returns the end of username's active lockout, in UTC and
// rounded up to the whole second (PROTOCOL 4.3), so the time a refusal
// shows is never before the end; zero when it is not locked out.
func (l *Lockouts) LockedUntil(ctx context.Context, username string) (time.Time, error) {
	var until []time.Time
	err := l.db.NewSelect().Table("lockouts").Column("locked_until_utc").
		Where("username = ?", username).Scan(ctx, &until)
	if err != nil {
		return time.Time{}, fmt.Errorf("tabletsession: read lockout: %w", err)
	}
	if len(until) == 0 || !until[0].After(l.now()) {
		return time.Time{}, nil
	}
	return ceilSecond(until[0].UTC()), nil
}

// ceilSecond rounds t up to the whole second.
func ceilSecond(t time.Time) time.Time {
	if tr := t.Truncate(time.Second); !tr.Equal(t) {
		return tr.Add(time.Second)
	}
	return t
}

// RecordFailure stores a failed login of username at now and, when the
// username's failures reach a multiple of the threshold, locks it; it
// returns the lockout's length, or zero. It must run in a transaction
// (WithTx) begun with TxOptions: the count is atomic because failures of
// one username are recorded one transaction at a time.
func (l *Lockouts) RecordFailure(ctx context.Context, username string, now time.Time) (time.Duration, error) {
	if sqldb.IsPostgres(l.db) {
		// Under READ COMMITTED, concurrent transactions that each insert a
		// row and then count never see one another's rows, so none saw a
		// multiple of the threshold: 32 failures passed before a lockout.
		// The lock lasts until the transaction ends; SQLite's write
		// transactions are already one at a time.
		if _, err := l.db.ExecContext(ctx, "SELECT pg_advisory_xact_lock(?)", failureLockKey(username)); err != nil {
			return 0, fmt.Errorf("tabletsession: lock failures of %q: %w", username, err)
		}
	}
	if _, err := l.db.ExecContext(ctx, "INSERT INTO login_failures (username, when_utc) VALUES (?, ?)", username, now); err != nil {
		return 0, fmt.Errorf("tabletsession: record failure: %w", err)
	}
	n, err := l.db.NewSelect().Table("login_failures").Where("username = ?", username).Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("tabletsession: count failures: %w", err)
	}
	t := int64(l.cfg.LockoutThreshold)
	if t <= 0 || n%t != 0 {
		return 0, nil
	}
	lockedFor := time.Duration(n/t) * l.cfg.LockoutIncrement
	if _, err := l.db.ExecContext(ctx, "INSERT INTO lockouts (username, locked_until_utc) VALUES (?, ?)"+
		" ON CONFLICT (username) DO UPDATE SET locked_until_utc = EXCLUDED.locked_until_utc",
		username, now.Add(lockedFor)); err != nil {
		return 0, fmt.Errorf("tabletsession: lock out: %w", err)
	}
	return lockedFor, nil
}

// failureLockKey is the advisory-lock key of a username's failures. Two
// usernames that share a key only wait for each other.
func failureLockKey(username string) int64 {
	h := fnv.New64a()
	h.Write([]byte("tabletapi login failures\x00" + username))
	return int64(h.Sum64())
}

// ClearFailures deletes username's failure rows, after a successful login.
func (l *Lockouts) ClearFailures(ctx context.Context, username string) error {
	if _, err := l.db.NewDelete().Table("login_failures").Where("username = ?", username).Exec(ctx); err != nil {
		return fmt.Errorf("tabletsession: clear failures: %w", err)
	}
	return nil
}

// Unlock clears username's lockout and failures (`user unlock`), all or
// nothing, and returns how many of each it deleted.
func (l *Lockouts) Unlock(ctx context.Context, username string) (locks, failures int64, err error) {
	// On a bun.Tx this is a savepoint. The callback's context is not used:
	// for a savepoint bun passes the outer transaction's.
	err = l.db.RunInTx(ctx, nil, func(_ context.Context, tx bun.Tx) error {
		res, err := tx.NewDelete().Table("lockouts").Where("username = ?", username).Exec(ctx)
		if err != nil {
			return err
		}
		locks, _ = res.RowsAffected()
		res, err = tx.NewDelete().Table("login_failures").Where("username = ?", username).Exec(ctx)
		if err != nil {
			return err
		}
		failures, _ = res.RowsAffected()
		return nil
	})
	if err != nil {
		return 0, 0, fmt.Errorf("tabletsession: unlock %q: %w", username, err)
	}
	return locks, failures, nil
}

// Housekeep deletes expired lockouts, and failure rows older than a week
// for usernames that do not exist; the failures of existing users stay
// until a login succeeds or Unlock, since they count towards the next
// lockout. It returns the rows deleted.
func (l *Lockouts) Housekeep(ctx context.Context) (int64, error) {
	now := l.now().UTC()
	res, err := l.db.NewDelete().Table("lockouts").Where("locked_until_utc <= ?", now).Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("tabletsession: housekeep lockouts: %w", err)
	}
	n, _ := res.RowsAffected()
	res, err = l.db.NewDelete().Table("login_failures").
		Where("when_utc < ?", now.Add(-failureRetention)).
		Where("NOT EXISTS (SELECT 1 FROM users AS u WHERE u.username = login_failures.username)").
		Exec(ctx)
	if err != nil {
		return n, fmt.Errorf("tabletsession: housekeep failures: %w", err)
	}
	m, _ := res.RowsAffected()
	return n + m, nil
}

// Lockout is a username's active lockout.
type Lockout struct {
	Username string
	// Until is the lockout's end, in UTC, rounded up to the whole second
	// as LockedUntil gives it.
	Until time.Time
}

// Active returns the lockouts that have not yet ended, in ascending
// username order, or an empty slice: the console's user list and overview
// show them. Its errors come from the database only.
func (l *Lockouts) Active(ctx context.Context) ([]Lockout, error) {
	var rows []struct {
		Username string    `bun:"username"`
		Until    time.Time `bun:"locked_until_utc"`
	}
	err := l.db.NewSelect().Table("lockouts").Column("username", "locked_until_utc").
		Where("locked_until_utc > ?", l.now().UTC()).
		Order("username ASC").Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("tabletsession: active lockouts: %w", err)
	}
	out := make([]Lockout, 0, len(rows))
	for _, r := range rows {
		out = append(out, Lockout{Username: r.Username, Until: ceilSecond(r.Until.UTC())})
	}
	return out, nil
}
