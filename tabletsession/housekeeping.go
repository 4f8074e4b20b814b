package tabletsession

import (
	"context"
	"time"
)

// failureRetention is how long failure rows of usernames that do not exist
// are kept (PROTOCOL 4.3).
const failureRetention = 7 * 24 * time.Hour

// Housekeep deletes expired lockouts, and failure rows older than a week
// for usernames that do not exist. It returns the rows deleted.
func (a *Authenticator) Housekeep(ctx context.Context) (int64, error) {
	now := a.now().UTC()
	res, err := a.db.NewDelete().Table("lockouts").Where("locked_until_utc <= ?", now).Exec(ctx)
	if err != nil {
		return 0, err
	}
	n, _ := res.RowsAffected()
	res, err = a.db.NewDelete().Table("login_failures").
		Where("when_utc < ?", now.Add(-failureRetention)).
		Where("NOT EXISTS (SELECT 1 FROM users AS u WHERE u.username = login_failures.username)").
		Exec(ctx)
	if err != nil {
		return n, err
	}
	m, _ := res.RowsAffected()
	return n + m, nil
}

// RunHousekeeping calls Housekeep every interval until ctx is done, logging
// what it removed and any error.
func (a *Authenticator) RunHousekeeping(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		n, err := a.Housekeep(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			a.log.WarnContext(ctx, "login housekeeping failed", "err", err)
		case n > 0:
			a.log.InfoContext(ctx, "login housekeeping", "rows_deleted", n)
		}
	}
}
