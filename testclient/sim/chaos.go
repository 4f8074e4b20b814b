package sim

import (
	"context"
	"crypto/tls"
	"math/rand/v2"
	"net/http"
	"net/http/httptrace"
	"sync"
	"time"
)

// injectedError is a connection that chaos dropped on purpose.
type injectedError struct{ what string }

func (e *injectedError) Error() string { return "chaos: " + e.what }

// The two ways chaos drops a connection.
const (
	dropAfterSend = "connection dropped after sending the request"
	dropReply     = "reply not read"
)

// chaosTransport drops a fraction of requests, as a flaky network does:
// half of the drops cancel the request a few milliseconds after it was sent
// (the server may or may not finish it), the other half wait for the reply
// and close the connection without reading it (the server has finished).
// Either way the caller gets no reply. Only requests whose context allows
// chaos are dropped.
type chaosTransport struct {
	base http.RoundTripper
	rate float64

	mu  sync.Mutex
	rng *rand.Rand
}

// chaosKey is the context key that allows chaos for a request.
type chaosKey struct{}

// WithChaos allows or forbids chaos for the requests sent with ctx
// through a client made by NewHTTPClient.
func WithChaos(ctx context.Context, on bool) context.Context {
	return context.WithValue(ctx, chaosKey{}, on)
}

// RoundTrip sends req, or drops it as described on chaosTransport.
func (c *chaosTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if on, _ := req.Context().Value(chaosKey{}).(bool); !on {
		return c.base.RoundTrip(req)
	}
	c.mu.Lock()
	drop, kind, delay := c.rng.Float64() < c.rate, c.rng.IntN(2), time.Duration(c.rng.IntN(5000))*time.Microsecond
	c.mu.Unlock()
	if !drop {
		return c.base.RoundTrip(req)
	}
	if kind == 0 {
		ctx, cancel := context.WithCancel(req.Context())
		defer cancel()
		trace := &httptrace.ClientTrace{WroteRequest: func(httptrace.WroteRequestInfo) { time.AfterFunc(delay, cancel) }}
		resp, err := c.base.RoundTrip(req.WithContext(httptrace.WithClientTrace(ctx, trace)))
		if err == nil {
			resp.Body.Close() // the reply beat the cancel: drop it unread
		}
		return nil, &injectedError{dropAfterSend}
	}
	resp, err := c.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	return nil, &injectedError{dropReply}
}

// NewHTTPClient returns the HTTP client tablets share: every request has the
// given timeout, connections are kept for up to conns tablets at once and,
// if chaosRate > 0, that fraction of requests is dropped (for contexts that
// allow it; RunLoad allows it on a sequence's first attempts). A non-nil
// tlsConfig replaces the default one for https:// URLs (a CA pool of its
// own, or no verification); nil trusts the system's CAs.
func NewHTTPClient(timeout time.Duration, conns int, chaosRate float64, seed uint64, tlsConfig *tls.Config) *http.Client {
	base := http.DefaultTransport.(*http.Transport).Clone()
	base.MaxIdleConnsPerHost = max(conns, 2)
	if tlsConfig != nil {
		base.TLSClientConfig = tlsConfig.Clone()
	}
	var rt http.RoundTripper = base
	if chaosRate > 0 {
		rt = &chaosTransport{base: base, rate: chaosRate, rng: rand.New(rand.NewPCG(seed, 0xc4a05))}
	}
	return &http.Client{Transport: rt, Timeout: timeout}
}
