package tabletsession

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/uptrace/bun"

	"github.com/tabletapi/tabletapi/internal/account"
	"github.com/tabletapi/tabletapi/internal/audit"
	"github.com/tabletapi/tabletapi/internal/fault"
	"github.com/tabletapi/tabletapi/internal/password"
	"github.com/tabletapi/tabletapi/internal/sqldb"
	"github.com/tabletapi/tabletapi/websession"
)

// Config holds the lockout settings (PROTOCOL 4.3).
type Config struct {
	LockoutThreshold int           // failures per lockout step; default 10
	LockoutIncrement time.Duration // lockout length per step; default 10m
}

// Identity is the outcome of phase A: a logged-in user with a session, or
// anonymous. Token is a secret: never log it.
type Identity struct {
	UserID    int64 // 0 when anonymous
	Username  string
	SessionID int64
	Token     string
	// Refusal says why a posted user is not logged in: ErrBadLogin,
	// ErrThrottled or the Refused *fault.Error of a lockout ("Account
	// locked; try again after …"). Nil for a login or no user posted.
	Refusal error
	// PasswordLogin is true when this request checked a password.
	PasswordLogin bool

	// rights are the user's rights, read with the session by Resolve;
	// nil after a password login (Authorize then reads them).
	rights *rightsRow
}

// Anonymous reports whether no user is logged in.
func (id *Identity) Anonymous() bool { return id.UserID == 0 }

// Authenticator resolves sessions and password logins (phase A).
type Authenticator struct {
	db       *bun.DB
	sessions *websession.Store
	accounts *account.Store
	hasher   *password.Hasher
	throttle *Throttle
	lockouts *Lockouts
	log      *slog.Logger
	now      func() time.Time
	rights   *sqldb.Stmt // the permission read, prepared
	// held reads a held session together with the permission checks'
	// rights: the one statement of a request on a held session.
	held *websession.JoinedLookup

	lockoutsStarted prometheus.Counter
}

// NewAuthenticator wires phase A. now may be nil (time.Now).
func NewAuthenticator(db *bun.DB, sessions *websession.Store, hasher *password.Hasher,
	throttle *Throttle, cfg Config, log *slog.Logger, now func() time.Time,
) *Authenticator {
	if now == nil {
		now = time.Now
	}
	return &Authenticator{
		db: db, sessions: sessions, accounts: account.NewStore(db, now), hasher: hasher,
		throttle: throttle, lockouts: NewLockouts(db, cfg, now), log: log, now: now,
		rights: sqldb.NewStmt(db, rightsQuery),
		held:   sessions.NewJoinedLookup(rightsColumns, rightsJoins),
		lockoutsStarted: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "tabletapi_lockouts_total",
			Help: "Account lockouts started by failed password logins.",
		}),
	}
}

// Collectors returns the metrics of phase A: lockouts started and, from
// the throttle, refusals of throttled client IPs. The caller registers
// them.
func (a *Authenticator) Collectors() []prometheus.Collector {
	return []prometheus.Collector{a.lockoutsStarted, a.throttle.refused, a.throttle.blocked}
}

// Resolve runs phase A (PROTOCOL 3.4 and 4) for r: it reuses a valid session
// of the posted user without checking the password, wipes a session whose
// user differs, and otherwise logs in with the password. Its writes commit
// on their own. A failed or refused login is not an error: the Identity is
// anonymous with a Refusal. Errors: ErrLoginPoolBusy or a database error.
func (a *Authenticator) Resolve(ctx context.Context, r *Request) (*Identity, error) {
	if r.HasSession {
		// The session and the rights Authorize will check, in one
		// statement; the rights count only if the session is reused.
		w := &rightsRow{device: r.Device}
		s, err := a.held.Lookup(ctx, r.SessionID, r.SessionToken, r.ClientIP, []any{r.Device}, w.dest()...)
		switch {
		case err == nil && r.User != "" && s.Username == r.User:
			return &Identity{UserID: s.UserID, Username: s.Username, SessionID: s.ID, Token: r.SessionToken, rights: w}, nil
		case err == nil:
			// A different or missing user: the session must never be
			// usable again, whoever presented it.
			if err := a.sessions.Logout(ctx, s.ID); err != nil {
				return nil, fmt.Errorf("tabletsession: wipe session: %w", err)
			}
		case !websession.IsNoSession(err):
			return nil, err
		}
	}
	if r.User == "" {
		return &Identity{}, nil
	}
	return a.login(ctx, r)
}

// login is the password login of PROTOCOL 4.
func (a *Authenticator) login(ctx context.Context, r *Request) (*Identity, error) {
	if !a.throttle.Allow(r.ClientIP) {
		a.log.WarnContext(ctx, "login refused: client IP throttled", "user", r.User, "ip", r.ClientIP)
		return &Identity{Username: r.User, Refusal: ErrThrottled}, nil
	}
	switch refusal, err := a.locked(ctx, r.User); {
	case err != nil:
		return nil, err
	case refusal != nil:
		return &Identity{Username: r.User, Refusal: refusal}, nil
	}
	// Concurrent failures may lock the username while this request waits
	// for a bcrypt worker: it is then refused as if it had come later,
	// and spends no bcrypt.
	ready := func(ctx context.Context) error {
		refusal, err := a.locked(ctx, r.User)
		if err != nil {
			return err
		}
		if refusal != nil {
			return refusal
		}
		return nil
	}
	user, err := a.accounts.UserByName(ctx, r.User)
	var ok, rehash bool
	switch {
	case errors.Is(err, account.ErrUserNotFound):
		err = a.hasher.VerifyDummyWhen(ctx, ready, r.Password)
	case err != nil:
		return nil, err
	default:
		ok, rehash, err = a.hasher.VerifyWhen(ctx, ready, user.HashedPW, r.Password)
	}
	// The only *fault.Error the hasher can return is the lockout refusal
	// from ready.
	var locked *fault.Error
	if errors.As(err, &locked) {
		return &Identity{Username: r.User, Refusal: locked}, nil
	}
	if errors.Is(err, password.ErrNoWorker) {
		// Not counted as a failure: the password was never checked.
		return nil, ErrLoginPoolBusy
	}
	if err != nil {
		return nil, err
	}
	if !ok {
		return a.fail(ctx, r)
	}
	switch allowed, err := a.mayLogIn(ctx, r, user); {
	case err != nil:
		return nil, err
	case !allowed:
		// The password was right, so this is no failure to count; the
		// reply is the same as for a wrong one, so it says nothing about
		// the password.
		a.log.WarnContext(ctx, "login refused: user disabled or not allowed here",
			"user", r.User, "ip", r.ClientIP, "console", r.console)
		return &Identity{Username: r.User, Refusal: ErrBadLogin, PasswordLogin: true}, nil
	}
	return a.succeed(ctx, r, user, rehash)
}

// mayLogIn reports whether u, whose password was right, may log in where r
// asks: nobody disabled, and on the console only its users.
func (a *Authenticator) mayLogIn(ctx context.Context, r *Request, u *account.User) (bool, error) {
	if !r.console {
		return !u.Disabled, nil
	}
	return a.accounts.MayUseConsole(ctx, u)
}

// locked returns the refusal of username's active lockout, or nil.
func (a *Authenticator) locked(ctx context.Context, username string) (*fault.Error, error) {
	until, err := a.lockouts.LockedUntil(ctx, username)
	if err != nil || until.IsZero() {
		return nil, err
	}
	return lockedError(until), nil
}

// fail records a failed login: a failure row, a lockout at each multiple of
// the threshold, the audit, and a token from the IP's bucket.
func (a *Authenticator) fail(ctx context.Context, r *Request) (*Identity, error) {
	now := a.now().UTC().Truncate(time.Microsecond)
	var lockedFor time.Duration
	err := a.db.RunInTx(ctx, a.lockouts.TxOptions(), func(ctx context.Context, tx bun.Tx) error {
		var err error
		if lockedFor, err = a.lockouts.WithTx(tx).RecordFailure(ctx, r.User, now); err != nil {
			return err
		}
		if err := audit.Write(ctx, tx, a.entry(r, nil, now, audit.OpLoginFailed, "Failed login as user: "+r.User)); err != nil {
			return err
		}
		if lockedFor == 0 {
			return nil
		}
		msg := fmt.Sprintf("Account %s locked out for %d minutes", r.User, int64(lockedFor/time.Minute))
		return audit.Write(ctx, tx, a.entry(r, nil, now, audit.OpLockout, msg))
	})
	if err != nil {
		return nil, fmt.Errorf("tabletsession: record failed login: %w", err)
	}
	a.throttle.Fail(r.ClientIP)
	a.log.WarnContext(ctx, "login failed", "user", r.User, "ip", r.ClientIP, "device", r.Device, "console", r.console)
	if lockedFor > 0 {
		a.lockoutsStarted.Inc()
		a.log.WarnContext(ctx, "account locked out", "user", r.User, "ip", r.ClientIP, "locked_for_ms", lockedFor.Milliseconds())
	}
	return &Identity{Username: r.User, Refusal: ErrBadLogin, PasswordLogin: true}, nil
}

// succeed clears the failures, audits the login, re-hashes a weak hash and
// creates the API session, all in one transaction.
func (a *Authenticator) succeed(ctx context.Context, r *Request, u *account.User, rehash bool) (*Identity, error) {
	var newHash string
	if rehash {
		h, err := a.hasher.Hash(ctx, password.Truncate(r.Password))
		if err != nil {
			// The login still stands; the next one tries again.
			a.log.WarnContext(ctx, "password re-hash skipped", "user", u.Username, "err", err)
		}
		newHash = h
	}
	now := a.now().UTC().Truncate(time.Microsecond)
	id := &Identity{UserID: u.ID, Username: u.Username, PasswordLogin: true}
	err := a.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := a.lockouts.WithTx(tx).ClearFailures(ctx, u.Username); err != nil {
			return err
		}
		if newHash != "" {
			if err := a.accounts.WithTx(tx).SetPasswordHash(ctx, u.ID, newHash, false); err != nil {
				return err
			}
		}
		if err := audit.Write(ctx, tx, a.entry(r, &u.ID, now, audit.OpLogin, "Login as user: "+u.Username)); err != nil {
			return err
		}
		s, token, err := a.sessions.WithTx(tx).Login(ctx, u.ID, r.ClientIP, !r.console)
		if err != nil {
			return err
		}
		id.SessionID, id.Token = s.ID, token
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("tabletsession: record login: %w", err)
	}
	if newHash != "" {
		a.log.InfoContext(ctx, "password re-hashed at configured cost", "user", u.Username, "cost", a.hasher.Cost())
	}
	return id, nil
}

func (a *Authenticator) entry(r *Request, userID *int64, now time.Time, op, details string) audit.Entry {
	e := audit.Entry{When: now, RemoteAddr: r.ClientIP, UserID: userID, Username: r.User,
		Operation: op, Details: details}
	if r.console {
		e.Source = audit.SourceConsole
	}
	return e
}
