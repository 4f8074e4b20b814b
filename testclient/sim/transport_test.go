package sim_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tabletapi/tabletapi/testclient/sim"
	"github.com/tabletapi/tabletapi/testclient/sim/simtest"
)

func TestNewHTTPClient_Chaos(t *testing.T) {
	srv := simtest.New(t)
	hc := sim.NewHTTPClient(5*time.Second, 1, 1, 7, nil) // drop every request
	tab := mustTablet(t, sim.Config{URL: srv.URL, User: "alice", Password: "pw!", HTTPClient: hc})

	t.Run("OffByDefault", func(t *testing.T) {
		mustRegister(t, tab)
	})
	t.Run("Dropped", func(t *testing.T) {
		srv.Reset()
		for range 10 {
			_, err := tab.Upload(sim.WithChaos(context.Background(), true), sim.Copy, true)
			var rerr *sim.RequestError
			if !errors.As(err, &rerr) || !rerr.Injected || !rerr.Retryable() || rerr.Op != "check_device_registered" ||
				!strings.HasPrefix(rerr.Message, "chaos: ") {
				t.Fatalf("err = %#v, want an injected drop of the first request", err)
			}
		}
		// Dropped requests were sent: the server saw every one.
		if n := len(srv.Requests()); n < 5 {
			t.Errorf("the server saw %d of 10 dropped requests", n)
		}
	})
}

func TestProbe(t *testing.T) {
	fake := simtest.New(t)
	tlsFake := simtest.NewTLS(t)
	serve := func(h http.HandlerFunc) string {
		s := httptest.NewServer(h)
		t.Cleanup(s.Close)
		return s.URL + "/api"
	}
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	hang := make(chan struct{})
	cases := []struct {
		name, url, want string
	}{
		{"OK", fake.URL, ""},
		{"ErrNotFound", strings.TrimSuffix(fake.URL, "/api") + "/nope", "answered HTTP 404 Not Found: wrong URL?"},
		{"ErrDown", closed.URL + "/api", "connection refused (is the server running?)"},
		{"ErrUntrusted", tlsFake.URL, "its certificate is not trusted: x509: certificate signed by unknown authority"},
		{
			"ErrNotAPI", serve(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("<html>hello</html>")) }),
			`is not a CamCOPS tablet API: its reply lacks success and session keys (body "<html>hello</html>")`,
		},
		{
			"ErrStatus", serve(func(w http.ResponseWriter, r *http.Request) { http.Error(w, "bad gateway", http.StatusBadGateway) }),
			"answered HTTP 502 Bad Gateway",
		},
		{"ErrServerFailing", serve(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(503)
			w.Write([]byte("success:0\nerror:Database unavailable\nsession_id:\nsession_token:\n"))
		}), "answered HTTP 503: Database unavailable"},
		{"ErrHangs", serve(func(w http.ResponseWriter, r *http.Request) { <-hang }), "no reply from"},
	}
	// Cleanups run last-in first-out: release the hanging handler before
	// its server closes, which waits for it.
	t.Cleanup(func() { close(hang) })
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			err := sim.Probe(context.Background(), tc.url, "alice", "pw", &http.Client{Timeout: 300 * time.Millisecond})
			if tc.want == "" {
				if err != nil {
					t.Fatalf("Probe: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("Probe: %v, want one line containing %q", err, tc.want)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("Probe took %v", d)
			}
		})
	}
}
