package main_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tabletapi/tabletapi/internal/dbtest"
	"github.com/tabletapi/tabletapi/testclient"
)

// tcpForwarder relays TCP connections from a loopback port to a target. It
// can be switched off (listener closed, live connections cut) and on again
// on the same port, which is how the database "goes away" for the server
// without stopping the shared PostgreSQL.
type tcpForwarder struct {
	addr   string // 127.0.0.1:PORT, fixed for the forwarder's life
	target string

	mu    sync.Mutex
	ln    net.Listener
	conns map[net.Conn]struct{}
	wg    sync.WaitGroup
	cut   *upstreamCut // optional
}

// upstreamCut cuts the first connection whose client sends pattern, once
// after more bytes have followed it upstream: a connection lost in the
// middle of a statement's data, such as a COPY's rows.
type upstreamCut struct {
	pattern []byte
	after   int
	done    sync.Once
	fired   chan struct{} // closed when the cut is made
}

func newUpstreamCut(pattern string, after int) *upstreamCut {
	return &upstreamCut{pattern: []byte(pattern), after: after, fired: make(chan struct{})}
}

// copy relays src to dst until it has cut them, or src ends.
func (u *upstreamCut) copy(dst, src net.Conn) {
	buf := make([]byte, 32<<10)
	var tail []byte // the end of what went before, for a pattern split across reads
	sent := -1      // bytes relayed since the pattern; -1 until it is seen
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if sent < 0 {
				if i := bytes.Index(append(tail, buf[:n]...), u.pattern); i >= 0 {
					sent = 0
				}
				tail = append(tail[:0], buf[max(0, n-len(u.pattern)):n]...)
			} else {
				sent += n
			}
			if sent >= u.after {
				cut := false
				u.done.Do(func() { cut = true })
				if cut {
					// fired first: the server sees the cut at once and may
					// answer the test before a later close would run.
					close(u.fired)
					dst.Close()
					src.Close()
					return
				}
				sent = -1 << 62 // cut once only: relay the rest
			}
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// newTCPForwarder starts a forwarder to target, switched on, and switches
// it off when the test ends.
func newTCPForwarder(tb testing.TB, target string, cut *upstreamCut) *tcpForwarder {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	f := &tcpForwarder{addr: ln.Addr().String(), target: target, conns: map[net.Conn]struct{}{}, cut: cut}
	f.serve(ln)
	tb.Cleanup(f.off)
	return f
}

func (f *tcpForwarder) serve(ln net.Listener) {
	f.mu.Lock()
	f.ln = ln
	f.mu.Unlock()
	f.wg.Add(1)
	go func() {
		defer f.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.DialTimeout("tcp", f.target, 3*time.Second)
			if err != nil {
				c.Close()
				continue
			}
			if !f.track(c, up) {
				return
			}
			f.wg.Add(2)
			go f.pipe(up, c, f.cut)
			go f.pipe(c, up, nil)
		}
	}()
}

// track records a live pair, or closes it when the forwarder is off.
func (f *tcpForwarder) track(a, b net.Conn) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.ln == nil {
		a.Close()
		b.Close()
		return false
	}
	f.conns[a], f.conns[b] = struct{}{}, struct{}{}
	return true
}

func (f *tcpForwarder) pipe(dst, src net.Conn, cut *upstreamCut) {
	defer f.wg.Done()
	if cut != nil {
		cut.copy(dst, src)
	} else {
		io.Copy(dst, src) //nolint:errcheck // either side closing ends the pair
	}
	dst.Close()
	src.Close()
	f.mu.Lock()
	delete(f.conns, dst)
	delete(f.conns, src)
	f.mu.Unlock()
}

// off closes the listener and cuts every live connection, so new
// connections are refused and pooled ones fail.
func (f *tcpForwarder) off() {
	f.mu.Lock()
	if f.ln != nil {
		f.ln.Close()
		f.ln = nil
	}
	for c := range f.conns {
		c.Close()
	}
	f.mu.Unlock()
	f.wg.Wait()
}

// on listens again on the same port.
func (f *tcpForwarder) on(tb testing.TB) {
	tb.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ln, err := net.Listen("tcp", f.addr)
		if err == nil {
			f.serve(ln)
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("forwarder: listen again on %s: %v", f.addr, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// forwardedServer starts a server on a fresh PostgreSQL database reached
// through a forwarder (with cut, if not nil), with alice allowed to upload
// and register devices. It skips the test without PostgreSQL.
func forwardedServer(t *testing.T, cut *upstreamCut) (*testServer, *tcpForwarder) {
	t.Helper()
	if !dbtest.Postgres() {
		t.Skip("needs PostgreSQL: set TABLETAPI_TEST_DATABASE_URL (CI sets it)")
	}
	t.Parallel()
	u, err := url.Parse(dbtest.NewURL(t))
	if err != nil {
		t.Fatal(err)
	}
	fwd := newTCPForwarder(t, u.Host, cut)
	u.Host = fwd.addr
	s := startServerOn(t, u.String())
	s.addUser(t, "g", "alice", "pw!-secret", "--may-upload", "--may-register-devices")
	return s, fwd
}

// TestDatabaseDown: while PostgreSQL is unreachable, tablet requests get a
// prompt 503 "Database unavailable" and /readyz 503; when it comes back the
// same client succeeds again without a restart (PROTOCOL 1.5, 10.3).
func TestDatabaseDown(t *testing.T) {
	s, fwd := forwardedServer(t, nil)
	c := s.client("alice", "pw!-secret")
	anon := testclient.New(testclient.Config{URL: s.API, Device: c.Device()})

	// do sends op and fails the test if the server does not answer within
	// a generous 20 s: a hang is the failure this guards against.
	do := func(t *testing.T, c *testclient.Client, op string) *testclient.Reply {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		r, err := c.Do(ctx, op, nil)
		if errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("%s: no reply within 20 s", op)
		}
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	status := func(t *testing.T, path string) int {
		t.Helper()
		resp, _ := sendHTTP(t, http.MethodGet, s.Base+path, "", "")
		return resp.StatusCode
	}
	const up = "result:check_device_registered\nsuccess:1\nsession_id:{session_id}\nsession_token:{session_token}\n"

	if _, err := c.RegisterSequence(context.Background(), "Ward 3"); err != nil {
		t.Fatal(err)
	}
	wantReply(t, do(t, c, "check_device_registered"), http.StatusOK, up)

	for round := range 2 {
		fwd.off()
		const down = "success:0\nerror:Database unavailable\nsession_id:\nsession_token:\n"
		for _, op := range []string{"check_device_registered", "get_id_info", "register"} {
			r := do(t, c, op) // logs in: phase A needs the database
			wantReply(t, r, http.StatusServiceUnavailable, down)
			wantAPIHeaders(t, r.Header)
		}
		wantReply(t, do(t, anon, "check_device_registered"), http.StatusServiceUnavailable, down)
		if got := status(t, "/readyz"); got != http.StatusServiceUnavailable {
			t.Errorf("round %d: /readyz = %d with the database down, want 503", round, got)
		}
		if got := status(t, "/healthz"); got != http.StatusOK {
			t.Errorf("round %d: /healthz = %d with the database down, want 200", round, got)
		}

		fwd.on(t)
		// The very first request after the database is back succeeds: no
		// broken pooled connection may turn it into a 503.
		wantReply(t, do(t, c, "check_device_registered"), http.StatusOK, up)
		wantReply(t, do(t, anon, "check_device_registered"), http.StatusOK,
			"result:check_device_registered\nsuccess:1\nsession_id:\nsession_token:\n")
		if got := status(t, "/readyz"); got != http.StatusOK {
			t.Errorf("round %d: /readyz = %d with the database back, want 200", round, got)
		}
	}
	log := s.Log.String()
	if strings.Contains(log, "panic") {
		t.Errorf("log mentions a panic:\n%s", log)
	}
	if strings.Contains(log, "pw!-secret") {
		t.Errorf("log contains the password:\n%s", log)
	}
}

// TestConnectionLostDuringCopy: when the database connection breaks in the
// middle of an upload's rows (PostgreSQL loads them with COPY), the tablet
// gets a prompt 503 and nothing of the request is stored; the retry, on a
// fresh connection, succeeds. (Which error the driver sees depends on how
// much it had written; upload's TestInTransaction_DiscardedConnection covers the one
// that used to hang.)
func TestConnectionLostDuringCopy(t *testing.T) {
	cut := newUpstreamCut(`COPY "bmi"`, 64<<10)
	s, _ := forwardedServer(t, cut)
	c := s.client("alice", "pw!-secret")
	if _, err := c.RegisterSequence(context.Background(), "Ward 3"); err != nil {
		t.Fatal(err)
	}
	const n = 5000
	c.ResetSession()
	s.step(t, c, "start_upload", nil, "start_upload")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	r, err := c.Do(ctx, "upload_table", bigBMIParams(n))
	if errors.Is(err, context.DeadlineExceeded) {
		t.Fatal("upload_table: no reply within 20 s after the connection was cut")
	}
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-cut.fired:
	default:
		t.Fatalf("the connection was never cut; reply %d:\n%s", r.Status, r.Body)
	}
	wantReply(t, r, http.StatusServiceUnavailable,
		"success:0\nerror:Database unavailable\nsession_id:{session_id}\nsession_token:{session_token}\n")
	if got := s.count(t, "bmi", "TRUE"); got != 0 {
		t.Fatalf("bmi holds %d rows after the failed request, want 0", got)
	}
	// The tablet retries its whole sequence (PROTOCOL 12.1).
	uploadBigBMI(t, s, c, n)
}
