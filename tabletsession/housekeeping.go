package tabletsession

import (
	"context"
	"log/slog"
	"time"
)

// RunHousekeeping is the server's one housekeeping loop: every interval
// until ctx is done it deletes the expired sessions (websession's Purge)
// and the expired lockouts and stale failures (Lockouts.Housekeep). It logs
// what each removed and each error, and keeps going after errors.
func (a *Authenticator) RunHousekeeping(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		a.housekeep(ctx, "sessions", a.sessions.Purge)
		a.housekeep(ctx, "lockouts", a.lockouts.Housekeep)
	}
}

// housekeep runs one clean-up and logs its outcome; an error caused by the
// loop's cancellation is not a failure.
func (a *Authenticator) housekeep(ctx context.Context, what string, clean func(context.Context) (int64, error)) {
	n, err := clean(ctx)
	switch {
	case err != nil && ctx.Err() == nil:
		a.log.LogAttrs(ctx, slog.LevelWarn, "housekeeping failed", slog.String("of", what), slog.Any("err", err))
	case err == nil && n > 0:
		a.log.LogAttrs(ctx, slog.LevelInfo, "housekeeping", slog.String("of", what), slog.Int64("rows_deleted", n))
	}
}
