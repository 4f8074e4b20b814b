package tabletsession

import (
	"context"
	"time"
)

// RunHousekeeping calls the lockout store's Housekeep every interval until ctx is done, logging
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
		n, err := a.lockouts.Housekeep(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			a.log.WarnContext(ctx, "login housekeeping failed", "err", err)
		case n > 0:
			a.log.InfoContext(ctx, "login housekeeping", "rows_deleted", n)
		}
	}
}
