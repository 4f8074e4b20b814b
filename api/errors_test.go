package api

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/tabletapi/tabletapi/device"
	"github.com/tabletapi/tabletapi/internal/dbtest"
	"github.com/tabletapi/tabletapi/internal/fault"
	"github.com/tabletapi/tabletapi/internal/password"
	"github.com/tabletapi/tabletapi/internal/upload"
	"github.com/tabletapi/tabletapi/tabletsession"
	"github.com/tabletapi/tabletapi/websession"
)

// TestWire_FaultKinds: each fault kind, and an error that is no fault,
// gets its status and reply (PROTOCOL 1.5) through a real server, and its
// log line: the outcome, a "request failed" line with the detail for
// server faults only, and never a Message that Log replaces.
func TestWire_FaultKinds(t *testing.T) {
	const patientData = "4010232137"
	tests := []struct {
		name    string
		err     error
		status  int
		msg     string
		outcome string
		logged  bool // a "request failed" line with the error
	}{
		{"Refused", upload.ErrDeviceBusy, http.StatusOK,
			"Device is busy: an upload by another user is in progress", "Device is busy: an upload by another user is in progress", false},
		{"Refused/Wrapped", fmt.Errorf("device %q: %w", "t1", device.ErrNotFound), http.StatusOK,
			"Unregistered device", "Unregistered device", false},
		{"Refused/Log", &fault.Error{Kind: fault.Refused, Message: "ID number " + patientData + " is invalid", Log: "an ID number is invalid"},
			http.StatusOK, "ID number " + patientData + " is invalid", "an ID number is invalid", false},
		{"Refused/MissingVariable", fault.MissingVariable("patient_info"), http.StatusOK,
			"Must provide the variable: patient_info", "Must provide the variable: patient_info", false},
		{"Inconsistent", &fault.Error{Kind: fault.Inconsistent, Message: "Device 7 missing from Device table"},
			http.StatusServiceUnavailable, "Device 7 missing from Device table", "Device 7 missing from Device table", true},
		{"Busy", tabletsession.ErrLoginPoolBusy, http.StatusServiceUnavailable,
			"Server busy; try again later", "Server busy; try again later", false},
		{"Unavailable", &fault.Error{Kind: fault.Unavailable, Message: "no database"}, http.StatusServiceUnavailable,
			"Database unavailable", "Database unavailable", true},
		{"Internal", &fault.Error{Kind: fault.Internal, Message: "impossible state"}, http.StatusServiceUnavailable,
			"Internal server error", "Internal server error", true},
		{"Internal/ZeroKind", &fault.Error{Message: "kind forgotten"}, http.StatusServiceUnavailable,
			"Internal server error", "Internal server error", true},
		{"NotAFault", errors.New("boom"), http.StatusServiceUnavailable,
			"Internal server error", "Internal server error", true},
		{"NotAFault/DatabaseDown", fmt.Errorf("query: %w", driver.ErrBadConn), http.StatusServiceUnavailable,
			"Database unavailable", "Database unavailable", true},
	}
	srv, log := faultServer(t, func(_ context.Context, name string) error {
		for _, tt := range tests {
			if tt.name == name {
				return tt.err
			}
		}
		return nil
	})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := srv.Client().Post(srv.URL+"/api", "application/x-www-form-urlencoded",
				strings.NewReader("camcops_version=2.4.24&device=t1&operation=probe&table="+tt.name))
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			want := "success:0\nerror:" + tt.msg + "\nsession_id:\nsession_token:\n"
			if resp.StatusCode != tt.status || string(b) != want {
				t.Errorf("reply = %d %q, want %d %q", resp.StatusCode, b, tt.status, want)
			}
			lines := log.take()
			if !strings.Contains(lines, fmt.Sprintf("outcome=%q", tt.outcome)) {
				t.Errorf("log has no outcome %q:\n%s", tt.outcome, lines)
			}
			if got := strings.Contains(lines, `msg="request failed"`); got != tt.logged {
				t.Errorf("request failed logged: %v, want %v:\n%s", got, tt.logged, lines)
			}
			if tt.logged && !strings.Contains(lines, "err=") {
				t.Errorf("server fault logged without its error:\n%s", lines)
			}
			if strings.Contains(lines, patientData) {
				t.Errorf("log holds patient data:\n%s", lines)
			}
		})
	}
}

// TestWire_ClientDisconnected: a tablet that hangs up while its operation
// runs is no server fault: its request is logged at INFO as "client
// disconnected" with status 503, and without a "request failed" line.
func TestWire_ClientDisconnected(t *testing.T) {
	started := make(chan struct{})
	srv, log := faultServer(t, func(ctx context.Context, _ string) error {
		close(started)
		<-ctx.Done()
		return fmt.Errorf("probe: %w", ctx.Err())
	})
	ctx, cancel := context.WithCancel(t.Context())
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/api",
		strings.NewReader("camcops_version=2.4.24&device=t1&operation=probe"))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	done := make(chan error, 1)
	go func() {
		resp, err := srv.Client().Do(req)
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	<-started
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Do = %v, want context.Canceled", err)
	}
	srv.Close() // waits for the handler, and so for its log line
	lines := log.take()
	if !strings.Contains(lines, "level=INFO msg=request ") || !strings.Contains(lines, `status=503 outcome="client disconnected"`) {
		t.Errorf("no INFO request line with status 503 and outcome client disconnected:\n%s", lines)
	}
	if strings.Contains(lines, `msg="request failed"`) {
		t.Errorf("a hang-up is logged as a server fault:\n%s", lines)
	}
}

// faultServer serves the tablet API with one operation, probe, that fails
// with errFor(its context, its table parameter); it logs to the returned
// buffer.
func faultServer(t *testing.T, errFor func(ctx context.Context, name string) error) (*httptest.Server, *fuzzLog) {
	t.Helper()
	db := dbtest.New(t)
	hasher, err := password.NewHasher(4, 1, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	log := new(fuzzLog)
	logger := slog.New(slog.NewTextHandler(log, nil))
	s := &server{
		cfg: Config{MaxBodyBytes: 1 << 16}, db: db, log: logger, now: time.Now, bodies: &bodyBudget{limit: 1 << 20},
		metrics: newRequestMetrics(nil),
		auth: tabletsession.NewAuthenticator(db, websession.NewStore(db, websession.DefaultConfig(), nil), hasher,
			tabletsession.NewThrottle(10, time.Minute, nil), tabletsession.Config{}, logger, nil),
		ops: map[string]operation{"probe": {class: tabletsession.ClassAnyone,
			run: func(ctx context.Context, x *opContext) (*Reply, error) {
				return nil, errFor(ctx, x.req.Form.Get("table"))
			}}},
	}
	e := echo.New()
	routes(e, s, "", nil)
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return srv, log
}
