package main_test

import (
	"bytes"
	"context"
	"fmt"

	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uptrace/bun"

	tabletapi "github.com/tabletapi/tabletapi/cmd/tabletapi"
	"github.com/tabletapi/tabletapi/internal/dbtest"
	"github.com/tabletapi/tabletapi/internal/sqldb"
	"github.com/tabletapi/tabletapi/testclient"
)

// testServer is the real server, started through run on a loopback port
// with its own fresh database.
type testServer struct {
	Base  string // http://127.0.0.1:PORT
	API   string // Base + prefix + /api
	DBURL string
	DB    *bun.DB // a second connection pool for SQL checks
	Log   *syncBuffer
	Clock *testClock // the server's clock; tests step it instead of sleeping
}

// testClock is a server's clock in tests: the real time shifted by an
// offset that the test moves, so time passes as usual until the test steps
// it, and the readings keep Go's monotonic clock. Safe for concurrent use.
type testClock struct {
	mu     sync.Mutex
	offset time.Duration
}

// Now is the clock's reading, given to the server as Deps.Now.
func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

// Advance moves the clock d forward.
func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
}

// Set moves the clock to t, from where it goes on.
func (c *testClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset = time.Until(t)
}

// syncBuffer collects the server's log for assertions, and tells waiters
// when it grows.
type syncBuffer struct {
	mu      sync.Mutex
	b       bytes.Buffer
	written chan struct{} // closed by the next Write; nil while nobody waits
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.written != nil {
		close(s.written)
		s.written = nil
	}
	return s.b.Write(p)
}

// next returns the log so far and a channel closed by the next Write.
func (s *syncBuffer) next() (string, <-chan struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.written == nil {
		s.written = make(chan struct{})
	}
	return s.b.String(), s.written
}

// waitFor blocks until cond holds for the log, failing tb after 30 s or
// when exited (if not nil) sends the writer's end; the error is put back
// for the test's cleanup. It returns the log.
func (s *syncBuffer) waitFor(tb testing.TB, what string, exited chan error, cond func(log string) bool) string {
	tb.Helper()
	timeout := time.NewTimer(30 * time.Second)
	defer timeout.Stop()
	for {
		log, written := s.next()
		if cond(log) {
			return log
		}
		select {
		case <-written:
		case err := <-exited:
			exited <- err
			tb.Fatalf("waiting for %s: the server exited: %v\nlog:\n%s", what, err, log)
		case <-timeout.C:
			tb.Fatalf("timed out waiting for %s; log:\n%s", what, log)
		}
	}
}

// waitRequests waits until the server has logged at least n request
// lines of operation op: a request's line follows its reply.
func (s *testServer) waitRequests(tb testing.TB, op string, n int) {
	tb.Helper()
	line := "msg=request operation=" + op + " "
	s.Log.waitFor(tb, fmt.Sprintf("%d request line(s) of %s", n, op), nil, func(log string) bool {
		return strings.Count(log, line) >= n
	})
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func freeAddr(tb testing.TB) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startServer runs `tabletapi serve` on a free port and a fresh database,
// with bcrypt cost 4 unless args set it, and waits until /readyz answers.
// The server stops when the test ends.
func startServer(tb testing.TB, args ...string) *testServer {
	tb.Helper()
	return startServerOn(tb, dbtest.NewURL(tb), args...)
}

// startServerOn is startServer on a given database URL.
func startServerOn(tb testing.TB, dbURL string, args ...string) *testServer {
	tb.Helper()
	s := &testServer{DBURL: dbURL, Log: new(syncBuffer), Clock: new(testClock)}
	prefix := ""
	for i, a := range args {
		if a == "--path-prefix" && i+1 < len(args) {
			prefix = args[i+1]
		}
	}
	// Port 0: the kernel picks a free port and the server logs it, so
	// parallel tests never race for one.
	full := append([]string{"tabletapi", "serve", "--listen", "127.0.0.1:0", "--database", dbURL, "--bcrypt-cost", "4"}, args...)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- tabletapi.Run(ctx, full, tabletapi.Deps{Stderr: s.Log, Now: s.Clock.Now})
	}()
	tb.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				tb.Errorf("serve returned %v", err)
			}
		case <-time.After(30 * time.Second):
			tb.Errorf("serve did not stop")
		}
	})
	s.Base = "http://" + waitServing(tb, s.Log, done)
	s.API = s.Base + prefix + "/api"
	db, err := sqldb.Open(dbURL)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	s.DB = db
	return s
}

// waitServing waits for the start-up line of the server that logs to log
// and returns the address it listens on, failing tb if the server exits
// (sends on exited) first. The line comes once the database is migrated
// and the port listens, so /readyz must answer 200 at once.
func waitServing(tb testing.TB, log *syncBuffer, exited chan error) string {
	tb.Helper()
	l := log.waitFor(tb, "the start-up line", exited, listenRE.MatchString)
	addr := listenRE.FindStringSubmatch(l)[1]
	resp, err := http.Get("http://" + addr + "/readyz")
	if err != nil {
		tb.Fatalf("server not ready: %v\nlog:\n%s", err, log)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		tb.Fatalf("server not ready: /readyz answered %d\nlog:\n%s", resp.StatusCode, log)
	}
	return addr
}

// listenRE finds the address in the server's start-up log line, text or
// JSON.
var listenRE = regexp.MustCompile(`msg"?[=:]"?serving tablet API"?.*\blisten"?[=:]"?([0-9.:\[\]]+)`)

// admin runs an admin command of the real CLI against the server's
// database, with stdin as standard input, and returns its standard output.
func (s *testServer) admin(tb testing.TB, stdin string, args ...string) (string, error) {
	tb.Helper()
	return runCLI(tb, s.DBURL, stdin, args...)
}

// runCLI runs one tabletapi command with --database set.
func runCLI(tb testing.TB, dbURL, stdin string, args ...string) (string, error) {
	tb.Helper()
	var out, errOut bytes.Buffer
	full := append(append([]string{"tabletapi"}, args...), "--database", dbURL)
	err := tabletapi.Run(context.Background(), full, tabletapi.Deps{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errOut})
	return out.String(), err
}

// mustAdmin is admin that fails the test on an error.
func (s *testServer) mustAdmin(tb testing.TB, stdin string, args ...string) string {
	tb.Helper()
	out, err := s.admin(tb, stdin, args...)
	if err != nil {
		tb.Fatalf("tabletapi %s: %v", strings.Join(args, " "), err)
	}
	return out
}

// addUser creates group (if new) and a user in it with the given flags,
// e.g. "--may-upload", "--may-register-devices".
func (s *testServer) addUser(tb testing.TB, group, user, password string, flags ...string) {
	tb.Helper()
	var n int
	if err := s.DB.NewSelect().Table("groups").Where("name = ?", group).ColumnExpr("count(*)").Scan(context.Background(), &n); err != nil {
		tb.Fatal(err)
	}
	if n == 0 {
		s.mustAdmin(tb, "", "group", "add", group, "--upload-policy", "sex AND anyidnum", "--finalize-policy", "sex AND anyidnum")
	}
	args := append([]string{"user", "add", user, "--group", group, "--bcrypt-cost", "4"}, flags...)
	s.mustAdmin(tb, password+"\n", args...)
}

// client returns a testclient for a new device, logging in as user.
func (s *testServer) client(user, password string) *testclient.Client {
	return testclient.New(testclient.Config{
		URL: s.API, Device: testclient.NewDeviceID(), User: user, Password: password,
	})
}

// count returns the number of rows of table matching where.
func (s *testServer) count(tb testing.TB, table, where string, args ...any) int {
	tb.Helper()
	n, err := s.DB.NewSelect().Table(table).Where(where, args...).Count(context.Background())
	if err != nil {
		tb.Fatalf("count %s: %v", table, err)
	}
	return int(n)
}

// wantReply fails unless r's body is exactly want (PROTOCOL wire text),
// with {session_id} and {session_token} in want standing for the values
// the reply carries (which must then be non-empty).
func wantReply(tb testing.TB, r *testclient.Reply, status int, want string) {
	tb.Helper()
	id, token := r.Values["session_id"], r.Values["session_token"]
	if strings.Contains(want, "{session_id}") && (id == "" || token == "") {
		tb.Fatalf("reply has no session:\n%s", r.Body)
	}
	want = strings.NewReplacer("{session_id}", id, "{session_token}", token).Replace(want)
	if r.Status != status || string(r.Body) != want {
		tb.Fatalf("reply = %d\n%s\nwant %d\n%s", r.Status, r.Body, status, want)
	}
}
