package tabletsession

import (
	"context"
	"log/slog"
	"time"
)

// RunHousekeeping is the server's one housekeeping loop: at every tick
// until ctx is done it runs Housekeep. The caller owns the ticker (serve's
// time.Ticker; a test's channel, whose next send returns only once the
// round before it has finished).
func (a *Authenticator) RunHousekeeping(ctx context.Context, tick <-chan time.Time) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick:
		}
		a.Housekeep(ctx)
	}
}

// Housekeep is one round of housekeeping: it deletes the expired sessions
// (websession's Purge) and the expired lockouts and stale failures
// (Lockouts.Housekeep). It logs what each removed and each error, and
// runs both whatever the first's outcome.
func (a *Authenticator) Housekeep(ctx context.Context) {
	a.housekeep(ctx, "sessions", a.sessions.Purge)
	a.housekeep(ctx, "lockouts", a.lockouts.Housekeep)
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
