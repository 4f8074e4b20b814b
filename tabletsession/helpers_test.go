package tabletsession_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uptrace/bun"
	"golang.org/x/crypto/bcrypt"

	"github.com/tabletapi/tabletapi/internal/account"
	"github.com/tabletapi/tabletapi/internal/dbtest"
	"github.com/tabletapi/tabletapi/internal/fault"
	"github.com/tabletapi/tabletapi/internal/password"
	"github.com/tabletapi/tabletapi/tabletsession"
	"github.com/tabletapi/tabletapi/websession"
)

// clock is a fake time source that tests advance by hand. Its start has
// nanoseconds and a non-UTC zone, so the tests also see times stored in
// UTC, to the microsecond, and the lockout's end rounded up.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock {
	return &clock{t: time.Date(2026, 11, 22, 13, 0, 0, 123456789, time.FixedZone("CET", 3600))}
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// stamp is the clock's time as the database keeps it.
func (c *clock) stamp() time.Time { return c.Now().UTC().Truncate(time.Microsecond) }

// lockoutCfg locks a username for 10 minutes per 3 failures.
func lockoutCfg() tabletsession.Config {
	return tabletsession.Config{LockoutThreshold: 3, LockoutIncrement: 10 * time.Minute}
}

// env is one test's database, stores and clock.
type env struct {
	db       *bun.DB
	clock    *clock
	accounts *account.Store
	sessions *websession.Store
	lockouts *tabletsession.Lockouts
	hasher   *password.Hasher
	auth     *tabletsession.Authenticator
	logs     *logBuffer
}

// newEnv opens a fresh database and wires an Authenticator on it with
// lockoutCfg, a throttle of burst failures per IP (refilling one an hour)
// and the cheapest bcrypt.
func newEnv(tb testing.TB, burst int) *env {
	tb.Helper()
	e := &env{db: dbtest.New(tb), clock: newClock(), logs: &logBuffer{}}
	e.accounts = account.NewStore(e.db, e.clock.Now)
	e.sessions = websession.NewStore(e.db, websession.DefaultConfig(), e.clock.Now)
	e.lockouts = tabletsession.NewLockouts(e.db, lockoutCfg(), e.clock.Now)
	h, err := password.NewHasher(bcrypt.MinCost, 2, time.Minute)
	if err != nil {
		tb.Fatal(err)
	}
	e.hasher = h
	log := slog.New(slog.NewTextHandler(io.MultiWriter(tb.Output(), e.logs), nil))
	e.auth = tabletsession.NewAuthenticator(e.db, e.sessions, h,
		tabletsession.NewThrottle(burst, time.Hour, e.clock.Now), lockoutCfg(), log, e.clock.Now)
	return e
}

// rights are a user's flags in its upload group.
type rights struct {
	upload, register, superuser bool
}

// MustAddUser adds a user with password pw in group "ward" (created if
// needed) with the given rights, and returns it.
func (e *env) MustAddUser(tb testing.TB, name, pw string, r rights) *account.User {
	tb.Helper()
	if _, err := e.accounts.GroupByName(tb.Context(), "ward"); err != nil {
		if _, err := e.accounts.AddGroup(tb.Context(), account.Group{Name: "ward"}); err != nil {
			tb.Fatalf("AddGroup: %v", err)
		}
	}
	hash, err := e.hasher.Hash(tb.Context(), pw)
	if err != nil {
		tb.Fatal(err)
	}
	u, err := e.accounts.AddUser(tb.Context(), account.NewUser{
		Username: name, HashedPW: hash, GroupName: "ward",
		MayUpload: r.upload, MayRegisterDevices: r.register, Superuser: r.superuser,
	})
	if err != nil {
		tb.Fatalf("AddUser(%q): %v", name, err)
	}
	return u
}

// mustRecordFailure records a failure of username at the clock's time, in a
// transaction begun as the store requires, and returns the lockout length.
func (e *env) mustRecordFailure(tb testing.TB, username string) time.Duration {
	tb.Helper()
	var d time.Duration
	err := e.db.RunInTx(tb.Context(), e.lockouts.TxOptions(), func(ctx context.Context, tx bun.Tx) error {
		var err error
		d, err = e.lockouts.WithTx(tx).RecordFailure(ctx, username, e.clock.stamp())
		return err
	})
	if err != nil {
		tb.Fatalf("RecordFailure(%q): %v", username, err)
	}
	return d
}

// failureCounts returns the number of login_failures rows per username.
func failureCounts(tb testing.TB, db bun.IDB) map[string]int {
	tb.Helper()
	var rows []struct {
		Username string `bun:"username"`
		N        int    `bun:"n"`
	}
	err := db.NewRaw("SELECT username, COUNT(*) AS n FROM login_failures GROUP BY username").Scan(tb.Context(), &rows)
	if err != nil {
		tb.Fatalf("count failures: %v", err)
	}
	out := map[string]int{}
	for _, r := range rows {
		out[r.Username] = r.N
	}
	return out
}

// lockoutEnds returns locked_until_utc per username, in UTC.
func lockoutEnds(tb testing.TB, db bun.IDB) map[string]time.Time {
	tb.Helper()
	var rows []struct {
		Username string    `bun:"username"`
		Until    time.Time `bun:"locked_until_utc"`
	}
	if err := db.NewRaw("SELECT username, locked_until_utc FROM lockouts").Scan(tb.Context(), &rows); err != nil {
		tb.Fatalf("read lockouts: %v", err)
	}
	out := map[string]time.Time{}
	for _, r := range rows {
		out[r.Username] = r.Until.UTC()
	}
	return out
}

// auditDetails returns the details of every audit row, in order.
func auditDetails(tb testing.TB, db bun.IDB) []string {
	tb.Helper()
	out := []string{}
	if err := db.NewRaw("SELECT details FROM audit_log ORDER BY id").Scan(tb.Context(), &out); err != nil {
		tb.Fatalf("read audit_log: %v", err)
	}
	return out
}

// lockedRefusal is the refusal of a login while the username is locked
// until until.
func lockedRefusal(until time.Time) error {
	return &fault.Error{Kind: fault.Refused, Message: "Account locked; try again after " + until.UTC().Format("2006-01-02T15:04:05Z")}
}

// noUploadGroup is the refusal of a user without an upload group.
func noUploadGroup(username string) error {
	return tabletsession.NoUploadGroupError(username)
}

// sameError reports whether got is want, or an error with the same text:
// lockedRefusal and noUploadGroup build a new value each time.
func sameError(got, want error) bool {
	return got == want || (got != nil && want != nil && got.Error() == want.Error())
}

// logBuffer collects log output written from another goroutine.
type logBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
