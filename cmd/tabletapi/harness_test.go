package main

import (
	"bytes"
	"context"

	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uptrace/bun"

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
}

// syncBuffer collects the server's log for assertions.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
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
	s := &testServer{DBURL: dbURL, Log: new(syncBuffer)}
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
		done <- run(ctx, full, func(string) string { return "" }, strings.NewReader(""), io.Discard, s.Log)
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
	deadline := time.Now().Add(30 * time.Second)
	for {
		if s.Base == "" {
			if m := listenRE.FindStringSubmatch(s.Log.String()); m != nil {
				s.Base = "http://" + m[1]
				s.API = s.Base + prefix + "/api"
			}
		}
		var err error
		if s.Base != "" {
			var resp *http.Response
			if resp, err = http.Get(s.Base + "/readyz"); err == nil {
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					break
				}
			}
		}
		select {
		case err := <-done:
			tb.Fatalf("serve exited early: %v\nlog:\n%s", err, s.Log)
		default:
		}
		if time.Now().After(deadline) {
			tb.Fatalf("server not ready: %v\nlog:\n%s", err, s.Log)
		}
		time.Sleep(20 * time.Millisecond)
	}
	db, err := sqldb.Open(dbURL)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	s.DB = db
	return s
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
	err := run(context.Background(), full, func(string) string { return "" }, strings.NewReader(stdin), &out, &errOut)
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
