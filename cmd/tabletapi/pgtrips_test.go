package main_test

import (
	"bufio"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// pgTrips is a loopback proxy in front of PostgreSQL that counts the round
// trips the server makes to the database: each simple Query message (one
// statement each: bun formats arguments into the text, and COPY is one
// Query) and each Sync (the end of a prepared statement's exchange).
// Counting on the wire sees every statement, whatever path it takes
// through bun, database/sql or pgdriver, with no hook in the server.
type pgTrips struct {
	URL     string // the database URL through the proxy
	ln      net.Listener
	target  string
	trips   atomic.Int64
	mu      sync.Mutex
	queries []string // the text of each Query and Parse, in order
	conns   []net.Conn
	wg      sync.WaitGroup
}

// startPGTrips starts a proxy for the PostgreSQL database at dbURL (which
// must not use TLS) and closes it when the test ends.
func startPGTrips(tb testing.TB, dbURL string) *pgTrips {
	tb.Helper()
	u, err := url.Parse(dbURL)
	if err != nil {
		tb.Fatal(err)
	}
	if u.Query().Get("sslmode") != "disable" {
		tb.Fatalf("pgTrips needs sslmode=disable, got %s", u.Redacted())
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	p := &pgTrips{ln: ln, target: u.Host}
	u.Host = ln.Addr().String()
	p.URL = u.String()
	p.wg.Add(1)
	go p.accept()
	tb.Cleanup(p.close)
	return p
}

// Trips returns the round trips counted so far.
func (p *pgTrips) Trips() int64 { return p.trips.Load() }

// Queries returns the statements sent since the n-th one (n from Mark).
func (p *pgTrips) Queries(n int) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.queries[n:]...)
}

// Mark returns the number of statements recorded so far.
func (p *pgTrips) Mark() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.queries)
}

func (p *pgTrips) close() {
	p.ln.Close()
	p.mu.Lock()
	for _, c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

func (p *pgTrips) accept() {
	defer p.wg.Done()
	for {
		client, err := p.ln.Accept()
		if err != nil {
			return
		}
		server, err := net.Dial("tcp", p.target)
		if err != nil {
			client.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, client, server)
		p.mu.Unlock()
		p.wg.Add(2)
		go func() {
			defer p.wg.Done()
			_, _ = io.Copy(client, server)
			client.Close()
		}()
		go func() {
			defer p.wg.Done()
			_ = p.relay(server, client)
			server.Close()
		}()
	}
}

// relay copies the client's messages to the server, counting them. The
// messages before the StartupMessage have no type byte; the rest are a
// type byte and a length that counts itself (PostgreSQL protocol 3).
func (p *pgTrips) relay(dst io.Writer, src io.Reader) error {
	r := bufio.NewReaderSize(src, 64<<10)
	w := bufio.NewWriterSize(dst, 64<<10)
	started := false
	var head [5]byte
	for {
		h := head[:5]
		if !started {
			h = head[1:5]
		}
		if _, err := io.ReadFull(r, h); err != nil {
			return err
		}
		n := int64(binary.BigEndian.Uint32(h[len(h)-4:])) - 4
		if n < 0 {
			return errors.New("pgTrips: bad message length")
		}
		if _, err := w.Write(h); err != nil {
			return err
		}
		typ := h[0]
		if !started || typ == 'Q' || typ == 'P' {
			body := make([]byte, n)
			if _, err := io.ReadFull(r, body); err != nil {
				return err
			}
			if _, err := w.Write(body); err != nil {
				return err
			}
			switch {
			case !started:
				// StartupMessage carries protocol version 3.x; an
				// SSLRequest or CancelRequest does not.
				started = len(body) >= 4 && binary.BigEndian.Uint32(body)>>16 == 3
			case typ == 'Q':
				p.record(strings.TrimRight(string(body), "\x00"), true)
			default: // Parse: name NUL query NUL …
				if _, q, ok := strings.Cut(string(body), "\x00"); ok {
					q, _, _ = strings.Cut(q, "\x00")
					p.record(q, false)
				}
			}
		} else {
			if typ == 'S' {
				p.trips.Add(1)
			}
			if _, err := io.CopyN(w, r, n); err != nil {
				return err
			}
		}
		if r.Buffered() == 0 {
			if err := w.Flush(); err != nil {
				return err
			}
		}
	}
}

func (p *pgTrips) record(q string, trip bool) {
	if trip {
		p.trips.Add(1)
	}
	p.mu.Lock()
	p.queries = append(p.queries, q)
	p.mu.Unlock()
}
