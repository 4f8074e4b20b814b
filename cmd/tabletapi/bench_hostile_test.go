package main_test

// BenchmarkHostileBody: what hostile bodies cost the server (the hardening
// issue, items 3 and 4; figures in BENCHMARKS.md). The server runs as its
// own process, the real binary on SQLite, so that its peak RSS is its own:
// the benchmark reads VmHWM from /proc. TABLETAPI_BENCH_BINARY runs another
// build of tabletapi instead, such as the one before the fix.

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tabletapi/tabletapi/testclient"
)

// hostileBodySize is the default body limit: the largest body a client may send.
const hostileBodySize = 64 << 20

// processServer is one server process.
type processServer struct {
	cmd  *exec.Cmd
	addr string
}

// startProcessServer builds (once per call) or takes the binary and starts a server
// on a fresh SQLite file, waiting until it is ready.
func startProcessServer(b *testing.B, bin string) *processServer {
	b.Helper()
	dir := b.TempDir()
	addr := freeAddr(b)
	cmd := exec.Command(bin, "serve", "--listen", addr, "--database", "sqlite:"+filepath.Join(dir, "b.db"))
	cmd.Env = append(os.Environ(), "TABLETAPI_DATABASE_URL=")
	log := new(syncBuffer)
	cmd.Stderr = log
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	b.Cleanup(func() { cmd.Process.Kill(); <-waited })
	waitServing(b, log, waited)
	return &processServer{cmd: cmd, addr: addr}
}

// rss returns the server's current and peak resident memory in bytes.
func (s *processServer) rss(b *testing.B) (now, peak float64) {
	b.Helper()
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		b.Skipf("no /proc: %v", err)
	}
	field := func(name string) float64 {
		for _, l := range strings.Split(string(status), "\n") {
			if v, ok := strings.CutPrefix(l, name+":"); ok {
				kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
				return kb * 1024
			}
		}
		return 0
	}
	return field("VmRSS"), field("VmHWM")
}

// hostileBinary returns the binary to measure.
func hostileBinary(b *testing.B) string {
	b.Helper()
	if bin := os.Getenv("TABLETAPI_BENCH_BINARY"); bin != "" {
		return bin
	}
	bin := filepath.Join(b.TempDir(), "tabletapi")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// hostileBodies are bodies of about hostileBodySize built to make a form decoder
// amplify, each ending with a valid anonymous request.
func hostileBodies() map[string]struct{ contentType, body string } {
	tail := testclient.EncodeForm(loginForm("check_device_registered", testclient.NewDeviceID(), "", ""))
	repeat := func(unit string) string { return strings.Repeat(unit, (hostileBodySize-len(tail))/len(unit)) + tail }
	var records strings.Builder
	for i := 0; records.Len() < hostileBodySize-len(tail)-32; i++ {
		fmt.Fprintf(&records, "record%d=1,,&", i)
	}
	var mp bytes.Buffer
	mw := multipart.NewWriter(&mp)
	for mp.Len() < hostileBodySize-4096 {
		mw.WriteField("k", "")
	}
	for k, v := range loginForm("check_device_registered", testclient.NewDeviceID(), "", "") {
		mw.WriteField(k, v)
	}
	mw.Close()
	return map[string]struct{ contentType, body string }{
		"EmptyKeys":      {testclient.FormContentType, repeat("k&")},
		"UnusedKeys":     {testclient.FormContentType, repeat("colour=red&")},
		"Records":        {testclient.FormContentType, records.String() + tail},
		"MultipartParts": {mw.FormDataContentType(), mp.String()},
	}
}

// BenchmarkHostileBody sends each hostile body once to a fresh server and
// reports the request's time and the server's peak RSS above its idle
// RSS, as a multiple of the body. SlowBodies90 opens 90 connections that
// each declare the largest body and send one byte, and reports the RSS a
// second later.
func BenchmarkHostileBody(b *testing.B) {
	bin := hostileBinary(b)
	for name, hb := range hostileBodies() {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				s := startProcessServer(b, bin)
				idle, _ := s.rss(b)
				start := time.Now()
				resp, err := http.Post("http://"+s.addr+"/api", hb.contentType, strings.NewReader(hb.body))
				if err != nil {
					b.Fatal(err)
				}
				resp.Body.Close()
				elapsed := time.Since(start)
				if resp.StatusCode != http.StatusOK {
					b.Fatalf("status %d", resp.StatusCode)
				}
				_, peak := s.rss(b)
				b.ReportMetric(elapsed.Seconds(), "s/request")
				b.ReportMetric((peak-idle)/float64(len(hb.body)), "peakRSS/body")
				b.ReportMetric(peak/(1<<20), "peakRSS-MiB")
			}
		})
	}
	b.Run("SlowBodies90", func(b *testing.B) {
		for b.Loop() {
			s := startProcessServer(b, bin)
			idle, _ := s.rss(b)
			var conns []net.Conn
			for range 90 {
				c, err := net.Dial("tcp", s.addr)
				if err != nil {
					b.Fatal(err)
				}
				conns = append(conns, c)
				fmt.Fprintf(c, "POST /api HTTP/1.1\r\nHost: x\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\nk",
					testclient.FormContentType, hostileBodySize)
			}
			time.Sleep(time.Second)
			now, peak := s.rss(b)
			// The server still answers a tablet.
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			c := testclient.New(testclient.Config{URL: "http://" + s.addr + "/api", Device: testclient.NewDeviceID()})
			if _, err := c.CheckDeviceRegistered(ctx); err != nil {
				b.Fatal(err)
			}
			cancel()
			for _, c := range conns {
				c.Close()
			}
			b.ReportMetric(idle/(1<<20), "idleRSS-MiB")
			b.ReportMetric(now/(1<<20), "RSS-MiB")
			b.ReportMetric(peak/(1<<20), "peakRSS-MiB")
		}
	})
}
