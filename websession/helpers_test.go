package websession_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/tabletapi/tabletapi/internal/dbtest"
	"github.com/tabletapi/tabletapi/websession"
)

// clock is a fake time source that tests advance by hand. Its start has
// nanoseconds and a non-UTC zone, so the tests also check that the store
// normalises times.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock {
	return newClockAt(time.Date(2026, 11, 22, 13, 0, 0, 123456789, time.FixedZone("CET", 3600)))
}

func newClockAt(t time.Time) *clock { return &clock{t: t} }

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

// stamp is the clock's time as the store keeps it.
func (c *clock) stamp() time.Time { return c.Now().UTC().Truncate(time.Microsecond) }

// env is one test's database, store and clock.
type env struct {
	db    *bun.DB
	store *websession.Store
	clock *clock
}

// newEnv opens a fresh database and a store with cfg on it.
func newEnv(tb testing.TB, cfg websession.Config) *env {
	tb.Helper()
	return newEnvAt(tb, cfg, newClock())
}

// newEnvAt is newEnv with the given clock.
func newEnvAt(tb testing.TB, cfg websession.Config, c *clock) *env {
	tb.Helper()
	db := dbtest.New(tb)
	return &env{db: db, store: websession.NewStore(db, cfg, c.Now), clock: c}
}

// MustCreateUser inserts a user and returns its id.
func MustCreateUser(tb testing.TB, db bun.IDB, name string) int64 {
	tb.Helper()
	var id int64
	err := db.QueryRowContext(tb.Context(),
		"INSERT INTO users (username, hashedpw) VALUES (?, '') RETURNING id", name).Scan(&id)
	if err != nil {
		tb.Fatalf("create user %q: %v", name, err)
	}
	return id
}

// MustLogin creates a session and returns it with its token.
func MustLogin(tb testing.TB, s *websession.Store, userID int64, ip string, api bool) (*websession.Session, string) {
	tb.Helper()
	sess, token, err := s.Login(tb.Context(), userID, ip, api)
	if err != nil {
		tb.Fatalf("Login(%d, %q, %t): %v", userID, ip, api, err)
	}
	return sess, token
}

// MustLookup looks a session up and fails the test unless it is valid.
func MustLookup(tb testing.TB, s *websession.Store, id int64, token, ip string) *websession.Session {
	tb.Helper()
	sess, err := s.Lookup(tb.Context(), id, token, ip)
	if err != nil {
		tb.Fatalf("Lookup(%d): %v", id, err)
	}
	return sess
}

// storedLastActivity reads last_activity_utc of session id from the database.
func storedLastActivity(tb testing.TB, db bun.IDB, id int64) time.Time {
	tb.Helper()
	var t time.Time
	err := db.NewSelect().TableExpr("sessions").Column("last_activity_utc").Where("id = ?", id).Scan(tb.Context(), &t)
	if err != nil {
		tb.Fatalf("read last_activity_utc of session %d: %v", id, err)
	}
	return t.UTC()
}

// sessionIDs returns the ids of all stored sessions in order.
func sessionIDs(tb testing.TB, db bun.IDB) []int64 {
	tb.Helper()
	ids := []int64{}
	if err := db.NewSelect().TableExpr("sessions").Column("id").Order("id").Scan(tb.Context(), &ids); err != nil {
		tb.Fatalf("list sessions: %v", err)
	}
	return ids
}

// mustIssue issues a form token of session id.
func mustIssue(tb testing.TB, s *websession.Store, id int64) string {
	tb.Helper()
	tok, err := s.IssueFormToken(tb.Context(), id)
	if err != nil {
		tb.Fatalf("IssueFormToken(%d): %v", id, err)
	}
	return tok
}

// storedQueue returns session id's stored form-token digests.
func storedQueue(tb testing.TB, e *env, id int64) []string {
	tb.Helper()
	var q string
	if err := e.db.NewSelect().TableExpr("sessions").Column("form_tokens").Where("id = ?", id).Scan(tb.Context(), &q); err != nil {
		tb.Fatalf("read form tokens of session %d: %v", id, err)
	}
	return strings.Fields(q)
}

// sessionSummary describes sessions as "id user kind" lines, in order.
func sessionSummary(ss []websession.Session) []string {
	out := []string{}
	for _, s := range ss {
		out = append(out, summaryOf(s.ID, s.Username, s.IsAPI))
	}
	return out
}

func summaryOf(id int64, user string, api bool) string {
	return fmt.Sprintf("%d %s api=%t", id, user, api)
}
