package api

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// The outcome classes of a tablet request, the values of the outcome
// label: ok, a refusal the tablet reads (HTTP 200 with success:0), and the
// HTTP error classes.
const (
	classOK = iota
	classUserError
	class4xx
	class5xx
	nClasses
)

var classNames = [nClasses]string{"ok", "user_error", "4xx", "5xx"}

// opUnknown labels a request whose operation is not one the server knows,
// or was never read: the label never carries a client's raw value.
const opUnknown = "unknown"

// latencyBuckets, in seconds, reach a minute: a large upload takes that
// long over a ward's Wi-Fi.
var latencyBuckets = []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60}

// requestMetrics count tablet requests. The children of each known
// operation are resolved once, at start, so a request costs one map
// lookup and two atomic adds.
type requestMetrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	byOp     map[string]*opMetrics
	unknown  *opMetrics
}

// opMetrics are one operation's children.
type opMetrics struct {
	classes [nClasses]prometheus.Counter
	latency prometheus.Observer
}

// newRequestMetrics makes the metrics for the operations ops.
func newRequestMetrics(ops []string) *requestMetrics {
	m := &requestMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tabletapi_requests_total",
			Help: "Tablet API requests by operation and outcome class (ok, user_error: HTTP 200 with success:0, 4xx, 5xx).",
		}, []string{"operation", "outcome"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "tabletapi_request_duration_seconds",
			Help:    "Time to serve a tablet API request, from its receipt to its reply, by operation.",
			Buckets: latencyBuckets,
		}, []string{"operation"}),
		byOp: make(map[string]*opMetrics, len(ops)),
	}
	child := func(op string) *opMetrics {
		o := &opMetrics{latency: m.latency.WithLabelValues(op)}
		for c, name := range classNames {
			o.classes[c] = m.requests.WithLabelValues(op, name)
		}
		return o
	}
	for _, op := range ops {
		m.byOp[op] = child(op)
	}
	m.unknown = child(opUnknown)
	return m
}

// observe counts one request of operation op (raw, as the client sent
// it) that ended with status after it started at start.
func (m *requestMetrics) observe(op string, status int, userError bool, start time.Time) {
	o, ok := m.byOp[op]
	if !ok {
		o = m.unknown
	}
	class := classOK
	switch {
	case status >= 500:
		class = class5xx
	case status >= 400:
		class = class4xx
	case status == http.StatusOK && userError:
		class = classUserError
	}
	o.classes[class].Inc()
	o.latency.Observe(time.Since(start).Seconds())
}

// collectors returns the metrics to register.
func (m *requestMetrics) collectors() []prometheus.Collector {
	return []prometheus.Collector{m.requests, m.latency}
}
