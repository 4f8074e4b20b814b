// Command tcpgate forwards TCP connections from one address to another and
// can cut them on a signal. deploy/topology.sh puts it between one
// tabletapi instance and PostgreSQL to test that an instance which loses
// its database answers 503 and fails /readyz while the proxy routes
// around it.
//
// SIGUSR1 cuts: every open connection is closed at once, and new ones are
// accepted and closed at once, so the instance sees its database fail fast
// rather than hang. SIGUSR2 restores forwarding. SIGINT or SIGTERM stops.
//
//	tcpgate -listen 127.0.0.1:15432 -to 127.0.0.1:5432
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"sync"
	"syscall"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address to accept connections on")
	to := flag.String("to", "", "address to forward them to (required)")
	flag.Parse()
	if *to == "" {
		fmt.Fprintln(os.Stderr, "tcpgate: -to is required")
		os.Exit(2)
	}
	if err := run(*listen, *to); err != nil {
		fmt.Fprintln(os.Stderr, "tcpgate:", err)
		os.Exit(1)
	}
}

// gate is the set of open connections and whether forwarding is cut.
type gate struct {
	mu    sync.Mutex
	cut   bool
	conns map[net.Conn]struct{}
}

// run forwards until SIGINT or SIGTERM, cutting on SIGUSR1 and restoring
// on SIGUSR2.
func run(listen, to string) error {
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	g := &gate{conns: make(map[net.Conn]struct{})}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGUSR1, syscall.SIGUSR2)
	go func() {
		for s := range sigs {
			g.set(s == syscall.SIGUSR1)
		}
	}()
	go func() {
		<-ctx.Done()
		ln.Close()
	}()
	fmt.Fprintf(os.Stderr, "tcpgate: forwarding %s to %s\n", ln.Addr(), to)
	for {
		c, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				g.set(true) // close what is open
				return nil
			}
			return err
		}
		go g.forward(c, to)
	}
}

// set cuts (closing every open connection) or restores forwarding.
func (g *gate) set(cut bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.cut = cut
	if cut {
		for c := range g.conns {
			c.Close()
		}
		clear(g.conns)
		fmt.Fprintln(os.Stderr, "tcpgate: cut")
	} else {
		fmt.Fprintln(os.Stderr, "tcpgate: restored")
	}
}

// track registers c as open, or closes it and reports false when cut.
func (g *gate) track(c net.Conn) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.cut {
		c.Close()
		return false
	}
	g.conns[c] = struct{}{}
	return true
}

// forward copies both ways between c and a new connection to to, until
// either side closes or the gate cuts them.
func (g *gate) forward(c net.Conn, to string) {
	if !g.track(c) {
		return
	}
	up, err := net.Dial("tcp", to)
	if err != nil {
		c.Close()
		return
	}
	if !g.track(up) {
		c.Close()
		return
	}
	done := make(chan struct{}, 2)
	pipe := func(dst, src net.Conn) {
		io.Copy(dst, src) //nolint:errcheck // a cut or a close ends the copy
		done <- struct{}{}
	}
	go pipe(up, c)
	go pipe(c, up)
	<-done
	c.Close()
	up.Close()
	g.mu.Lock()
	delete(g.conns, c)
	delete(g.conns, up)
	g.mu.Unlock()
}
