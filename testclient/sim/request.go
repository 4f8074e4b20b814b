package sim

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/tabletapi/tabletapi/testclient"
)

// ErrorKind says how a request failed.
type ErrorKind int

// The kinds of RequestError.
const (
	// KindTransport: no reply (connection refused, timed out, dropped).
	KindTransport ErrorKind = iota
	// KindStatus: a non-2xx reply, which the client does not read.
	KindStatus
	// KindNotAPI: a reply without the success and session keys.
	KindNotAPI
	// KindServer: a success:0 reply; Message is the server's error.
	KindServer
	// KindProtocol: an accepted reply that breaks PROTOCOL.md (a wrong
	// result, a malformed block, changed server information).
	KindProtocol
	// KindLocal: the tablet refused before sending, as the client aborts
	// locally.
	KindLocal
)

// RequestError is the error of a failed request or sequence step. Op is
// the operation; Message is fit for grouping: it names no session, PK or
// time of day.
type RequestError struct {
	Op       string
	Kind     ErrorKind
	Status   int    // HTTP status; 0 without a reply
	Message  string // the server's error, or what went wrong
	Injected bool   // a connection dropped on purpose by chaos
	Err      error  // the underlying error, if any
}

// Error returns "<op>: <message>".
func (e *RequestError) Error() string { return e.Op + ": " + e.Message }

// Unwrap returns the underlying error.
func (e *RequestError) Unwrap() error { return e.Err }

// Retryable reports whether a tablet would simply try the whole sequence
// again: for no reply, a 5xx status or a reply that is not the API's.
func (e *RequestError) Retryable() bool {
	switch e.Kind {
	case KindTransport, KindNotAPI:
		return true
	case KindStatus:
		return e.Status >= 500
	}
	return false
}

// uncertain reports whether the failed request may have committed an
// upload: the committing requests, when no readable reply came back.
func (e *RequestError) uncertain() bool {
	return (e.Op == "end_upload" || e.Op == "upload_entire_database") &&
		(e.Kind == KindTransport || e.Kind == KindNotAPI)
}

// do sends one request of a sequence and reports it to Config.Observe. The
// error is a *RequestError unless the client would accept the reply.
func (t *Tablet) do(ctx context.Context, op string, params map[string]string) (*testclient.Reply, error) {
	t.requests++
	start := time.Now()
	r, err := t.client.Do(ctx, op, params)
	rerr := classify(op, r, err)
	if t.cfg.Observe != nil {
		if rerr != nil {
			t.cfg.Observe(op, time.Since(start), rerr)
		} else {
			t.cfg.Observe(op, time.Since(start), nil)
		}
	}
	if rerr != nil {
		return r, rerr
	}
	return r, nil
}

// expect sends one request and also fails unless the reply's result is
// want.
func (t *Tablet) expect(ctx context.Context, op string, params map[string]string, want string) error {
	r, err := t.do(ctx, op, params)
	if err != nil {
		return err
	}
	if got := r.Values["result"]; got != want {
		return protocolError(op, "result:%q, want result:%q", got, want)
	}
	return nil
}

// classify turns Do's outcome into a *RequestError, or nil for an accepted
// reply.
func classify(op string, r *testclient.Reply, err error) *RequestError {
	if err != nil {
		e := &RequestError{Op: op, Kind: KindTransport, Message: transportMessage(err), Err: err}
		var inj *injectedError
		e.Injected = errors.As(err, &inj)
		return e
	}
	rerr := r.Err()
	switch {
	case rerr == nil:
		return nil
	case errors.Is(rerr, testclient.ErrHTTPStatus):
		msg := fmt.Sprintf("HTTP %d %s", r.Status, http.StatusText(r.Status))
		if m := r.Error(); m != "" {
			msg += ": " + m
		}
		return &RequestError{Op: op, Kind: KindStatus, Status: r.Status, Message: msg, Err: rerr}
	case errors.Is(rerr, testclient.ErrNotAPIReply):
		return &RequestError{
			Op: op, Kind: KindNotAPI, Status: r.Status, Err: rerr,
			Message: fmt.Sprintf("reply is not from a CamCOPS API (HTTP %d, body %s)", r.Status, bodyStart(r.Body)),
		}
	}
	return &RequestError{Op: op, Kind: KindServer, Status: r.Status, Message: r.Error(), Err: rerr}
}

// transportMessage describes a request that got no reply, without the URL
// and operation that testclient adds.
func transportMessage(err error) string {
	var inj *injectedError
	var ue *url.Error
	switch {
	case errors.As(err, &inj):
		return inj.Error()
	case errors.Is(err, context.Canceled):
		return "cancelled"
	case errors.As(err, &ue) && ue.Timeout():
		return "no reply before the request timeout"
	case errors.As(err, &ue):
		return ue.Err.Error()
	}
	return err.Error()
}

// bodyStart quotes the start of a body for an error message.
func bodyStart(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	return fmt.Sprintf("%q", s)
}

// protocolError returns a KindProtocol error.
func protocolError(op, format string, args ...any) *RequestError {
	return &RequestError{Op: op, Kind: KindProtocol, Message: fmt.Sprintf(format, args...)}
}

// localError returns a KindLocal error.
func localError(op, format string, args ...any) *RequestError {
	return &RequestError{Op: op, Kind: KindLocal, Message: fmt.Sprintf(format, args...)}
}
