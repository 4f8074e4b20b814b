package tabletsession

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/uptrace/bun"

	"github.com/tabletapi/tabletapi/internal/account"
	"github.com/tabletapi/tabletapi/internal/audit"
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
	// ErrThrottled or a *LockedError. Nil for a login or no user posted.
	Refusal error
	// PasswordLogin is true when this request checked a password.
	PasswordLogin bool
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
	cfg      Config
	log      *slog.Logger
	now      func() time.Time
	rights   *sqldb.Stmt // the permission read, prepared
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
		throttle: throttle, cfg: cfg, log: log, now: now, rights: sqldb.NewStmt(db, rightsQuery),
	}
}

// Resolve runs phase A (PROTOCOL 3.4 and 4) for r: it reuses a valid session
// of the posted user without checking the password, wipes a session whose
// user differs, and otherwise logs in with the password. Its writes commit
// on their own. A failed or refused login is not an error: the Identity is
// anonymous with a Refusal. Errors: ErrBusy (bcrypt pool) or a database
// error.
func (a *Authenticator) Resolve(ctx context.Context, r *Request) (*Identity, error) {
	if r.HasSession {
		s, err := a.sessions.Lookup(ctx, r.SessionID, r.SessionToken, r.ClientIP)
		switch {
		case err == nil && r.User != "" && s.Username == r.User:
			return &Identity{UserID: s.UserID, Username: s.Username, SessionID: s.ID, Token: r.SessionToken}, nil
		case err == nil:
			// A different or missing user: the session must never be
			// usable again, whoever presented it.
			if err := a.sessions.Logout(ctx, s.ID); err != nil {
				return nil, fmt.Errorf("tabletsession: wipe session: %w", err)
			}
		case !isInvalidSession(err):
			return nil, err
		}
	}
	if r.User == "" {
		return &Identity{}, nil
	}
	return a.login(ctx, r)
}

func isInvalidSession(err error) bool {
	return errors.Is(err, websession.ErrNotFound) || errors.Is(err, websession.ErrBadToken) ||
		errors.Is(err, websession.ErrExpired) || errors.Is(err, websession.ErrIPMismatch)
}

// login is the password login of PROTOCOL 4.
func (a *Authenticator) login(ctx context.Context, r *Request) (*Identity, error) {
	if !a.throttle.Allow(r.ClientIP) {
		a.log.WarnContext(ctx, "login refused: client IP throttled", "user", r.User, "ip", r.ClientIP)
		return &Identity{Username: r.User, Refusal: ErrThrottled}, nil
	}
	until, err := a.lockedUntil(ctx, r.User)
	if err != nil {
		return nil, err
	}
	if !until.IsZero() {
		return &Identity{Username: r.User, Refusal: &LockedError{Until: ceilSecond(until)}}, nil
	}
	user, err := a.accounts.UserByName(ctx, r.User)
	var ok, rehash bool
	switch {
	case errors.Is(err, account.ErrUserNotFound):
		err = a.hasher.VerifyDummy(ctx, r.Password)
	case err != nil:
		return nil, err
	default:
		ok, rehash, err = a.hasher.Verify(ctx, user.HashedPW, r.Password)
	}
	if errors.Is(err, password.ErrBusy) {
		// Not counted as a failure: the password was never checked.
		return nil, ErrBusy
	}
	if err != nil {
		return nil, err
	}
	if !ok {
		return a.fail(ctx, r)
	}
	return a.succeed(ctx, r, user, rehash)
}

// lockedUntil returns the end of username's active lockout, or zero.
func (a *Authenticator) lockedUntil(ctx context.Context, username string) (time.Time, error) {
	var until []time.Time
	err := a.db.NewSelect().Table("lockouts").Column("locked_until_utc").
		Where("username = ?", username).Scan(ctx, &until)
	if err != nil {
		return time.Time{}, fmt.Errorf("tabletsession: read lockout: %w", err)
	}
	if len(until) == 0 || !until[0].After(a.now()) {
		return time.Time{}, nil
	}
	return until[0].UTC(), nil
}

// fail records a failed login: a failure row, a lockout at each multiple of
// the threshold, the audit, and a token from the IP's bucket.
func (a *Authenticator) fail(ctx context.Context, r *Request) (*Identity, error) {
	now := a.now().UTC().Truncate(time.Microsecond)
	var lockedFor time.Duration
	err := a.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.ExecContext(ctx, "INSERT INTO login_failures (username, when_utc) VALUES (?, ?)", r.User, now); err != nil {
			return err
		}
		n, err := tx.NewSelect().Table("login_failures").Where("username = ?", r.User).Count(ctx)
		if err != nil {
			return err
		}
		if err := audit.Write(ctx, tx, a.entry(r, nil, now, "Failed login as user: "+r.User)); err != nil {
			return err
		}
		t := int64(a.cfg.LockoutThreshold)
		if t <= 0 || n%t != 0 {
			return nil
		}
		lockedFor = time.Duration(n/t) * a.cfg.LockoutIncrement
		if _, err := tx.ExecContext(ctx, "INSERT INTO lockouts (username, locked_until_utc) VALUES (?, ?)"+
			" ON CONFLICT (username) DO UPDATE SET locked_until_utc = EXCLUDED.locked_until_utc",
			r.User, now.Add(lockedFor)); err != nil {
			return err
		}
		msg := fmt.Sprintf("Account %s locked out for %d minutes", r.User, int64(lockedFor/time.Minute))
		return audit.Write(ctx, tx, a.entry(r, nil, now, msg))
	})
	if err != nil {
		return nil, fmt.Errorf("tabletsession: record failed login: %w", err)
	}
	a.throttle.Fail(r.ClientIP)
	a.log.InfoContext(ctx, "login failed", "user", r.User, "ip", r.ClientIP, "device", r.Device)
	if lockedFor > 0 {
		a.log.WarnContext(ctx, "account locked out", "user", r.User, "ip", r.ClientIP, "for", lockedFor)
	}
	return &Identity{Username: r.User, Refusal: ErrBadLogin, PasswordLogin: true}, nil
}

// succeed clears the failures, audits the login, re-hashes a weak hash and
// creates the API session, all in one transaction.
func (a *Authenticator) succeed(ctx context.Context, r *Request, u *account.User, rehash bool) (*Identity, error) {
	var newHash string
	if rehash {
		pw := r.Password
		if len(pw) > password.MaxBytes {
			pw = pw[:password.MaxBytes] // only these bytes were ever compared
		}
		h, err := a.hasher.Hash(ctx, pw)
		if err != nil {
			// The login still stands; the next one tries again.
			a.log.WarnContext(ctx, "password re-hash skipped", "user", u.Username, "err", err)
		}
		newHash = h
	}
	now := a.now().UTC().Truncate(time.Microsecond)
	id := &Identity{UserID: u.ID, Username: u.Username, PasswordLogin: true}
	err := a.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewDelete().Table("login_failures").Where("username = ?", u.Username).Exec(ctx); err != nil {
			return err
		}
		if newHash != "" {
			if err := a.accounts.WithTx(tx).SetPasswordHash(ctx, u.ID, newHash, false); err != nil {
				return err
			}
		}
		if err := audit.Write(ctx, tx, a.entry(r, &u.ID, now, "Login as user: "+u.Username)); err != nil {
			return err
		}
		s, token, err := a.sessions.WithTx(tx).Login(ctx, u.ID, r.ClientIP, true)
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

func (a *Authenticator) entry(r *Request, userID *int64, now time.Time, details string) audit.Entry {
	return audit.Entry{When: now, RemoteAddr: r.ClientIP, UserID: userID, Username: r.User, Details: details}
}

// ceilSecond rounds t up to the whole second (PROTOCOL 4.3).
func ceilSecond(t time.Time) time.Time {
	if tr := t.Truncate(time.Second); !tr.Equal(t) {
		return tr.Add(time.Second)
	}
	return t
}
