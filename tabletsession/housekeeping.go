package tabletsession

import (
	"context"
	"time"
)

// Housekeep deletes expired lockouts, and failure rows older than a week
// for usernames that do not exist. It returns the rows deleted.
func (a *Authenticator) Housekeep(ctx context.Context) (int64, error) {
	return a.lockouts.Housekeep(ctx)
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
