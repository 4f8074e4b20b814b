package main_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/tabletapi/tabletapi/internal/dbtest"
	"github.com/tabletapi/tabletapi/internal/sqldb"
	"github.com/tabletapi/tabletapi/testclient"
)

// PostgreSQL faults that need no forwarder (the hardening issue, items 8
// and 9): backends terminated while the server's connections sit idle,
// and a database that refuses connections.

// pgFaultServer starts a server on a fresh PostgreSQL database with alice, and
// returns it with an administrative connection to the same server (to
// the maintenance database, which the faults leave alone) and the test
// database's name. It skips the test without PostgreSQL.
func pgFaultServer(t *testing.T) (*testServer, *bun.DB, string) {
	t.Helper()
	if !dbtest.Postgres() {
		t.Skip("needs PostgreSQL: set TABLETAPI_TEST_DATABASE_URL (CI sets it)")
	}
	t.Parallel()
	s := startServer(t)
	s.addUser(t, "g", "alice", "fault-secret", "--may-upload", "--may-register-devices")
	admin, err := sqldb.Open(os.Getenv(dbtest.EnvURL))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	u, err := url.Parse(s.DBURL)
	if err != nil {
		t.Fatal(err)
	}
	return s, admin, strings.TrimPrefix(u.Path, "/")
}

// terminateBackends ends every backend connected to database name and waits
// until they are gone.
func terminateBackends(t *testing.T, admin *bun.DB, name string) {
	t.Helper()
	ctx := context.Background()
	if _, err := admin.ExecContext(ctx, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ?", name); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		var n int
		if err := admin.QueryRowContext(ctx, "SELECT count(*) FROM pg_stat_activity WHERE datname = ?", name).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d backends of %s still there", n, name)
		}
	}
}

// warmPool makes the server open several connections, so that several
// sit idle in its pool.
func warmPool(t *testing.T, s *testServer, device string) {
	t.Helper()
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			anon := testclient.New(testclient.Config{URL: s.API, Device: device})
			if _, err := anon.CheckDeviceRegistered(context.Background()); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
}

// TestDeadPooledConnections: after the backends of idle pooled connections
// are terminated (the database itself healthy), the next requests succeed:
// a connection found dead before any statement of a request ran on it is
// replaced, not answered with 503. /readyz likewise.
func TestDeadPooledConnections(t *testing.T) {
	s, admin, name := pgFaultServer(t)
	c := s.client("alice", "fault-secret")
	ctx := context.Background()
	if _, err := c.RegisterSequence(ctx, "Ward 3"); err != nil {
		t.Fatal(err)
	}
	for round := range 2 {
		warmPool(t, s, c.Device())
		terminateBackends(t, admin, name)
		resp, _ := sendHTTP(t, http.MethodGet, s.Base+"/readyz", "", "")
		if resp.StatusCode != http.StatusOK {
			t.Errorf("round %d: /readyz = %d after idle backends were terminated, want 200", round, resp.StatusCode)
		}
		terminateBackends(t, admin, name)
		// A held session (a prepared statement), a password login, an
		// anonymous request, and a batch operation (phase B's own
		// connection).
		for _, op := range []string{"check_device_registered", "get_id_info", "start_upload", "end_upload"} {
			r, err := c.Do(ctx, op, nil)
			if err != nil {
				t.Fatal(err)
			}
			if r.Status != http.StatusOK || !r.Success() {
				t.Fatalf("round %d: %s after idle backends were terminated: %d\n%s", round, op, r.Status, r.Body)
			}
		}
		c.ResetSession()
	}
}

// TestDatabaseNotAcceptingConnections: a database that refuses connections
// (ALTER DATABASE … ALLOW_CONNECTIONS false, SQLSTATE 55000) is "Database
// unavailable", not an internal error; once it accepts them again, the
// same client succeeds.
func TestDatabaseNotAcceptingConnections(t *testing.T) {
	s, admin, name := pgFaultServer(t)
	c := s.client("alice", "fault-secret")
	ctx := context.Background()
	if _, err := c.RegisterSequence(ctx, "Ward 3"); err != nil {
		t.Fatal(err)
	}
	allow := func(on bool) {
		if _, err := admin.ExecContext(ctx, "ALTER DATABASE ? ALLOW_CONNECTIONS ?", bun.Ident(name), on); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() { allow(true) })
	allow(false)
	terminateBackends(t, admin, name)
	c.ResetSession()
	r, err := c.Do(ctx, "get_id_info", nil)
	if err != nil {
		t.Fatal(err)
	}
	wantReply(t, r, http.StatusServiceUnavailable, "success:0\nerror:Database unavailable\nsession_id:\nsession_token:\n")
	resp, _ := sendHTTP(t, http.MethodGet, s.Base+"/readyz", "", "")
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("/readyz = %d while the database refuses connections, want 503", resp.StatusCode)
	}
	allow(true)
	r, err = c.Do(ctx, "get_id_info", nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != http.StatusOK || !r.Success() {
		t.Fatalf("get_id_info once the database accepts connections again: %d\n%s", r.Status, r.Body)
	}
	if strings.Contains(s.Log.String(), "Internal server error") {
		t.Errorf("a refused connection was logged as an internal error:\n%s", s.Log)
	}
}
