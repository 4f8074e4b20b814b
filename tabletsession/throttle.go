package tabletsession

import (
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// throttleMaxIPs bounds the memory the throttle can take; past it, buckets
// that have refilled completely (and so carry no state) are dropped.
const throttleMaxIPs = 100_000

// Throttle is the per-client-IP token bucket of failed logins (PROTOCOL
// 4.4). Each failure takes a token; while an IP has none, its password
// logins are refused without bcrypt. It is kept in memory, per process.
type Throttle struct {
	burst  float64
	refill time.Duration // time for one token to come back
	now    func() time.Time

	mu      sync.Mutex
	buckets map[string]*bucket

	refused prometheus.Counter // requests refused while their IP had no token
	blocked prometheus.GaugeFunc
}

type bucket struct {
	tokens float64
	at     time.Time
}

// NewThrottle returns a throttle with burst tokens per IP, one of which
// comes back every refill. A burst below 1 disables it.
func NewThrottle(burst int, refill time.Duration, now func() time.Time) *Throttle {
	if now == nil {
		now = time.Now
	}
	t := &Throttle{burst: float64(burst), refill: refill, now: now, buckets: map[string]*bucket{},
		refused: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "tabletapi_throttled_requests_total",
			Help: "Password logins and access-key lookups refused because the client IP was throttled (this instance).",
		})}
	t.blocked = prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "tabletapi_throttled_ips",
		Help: "Client IPs whose failed-login bucket is empty now, so their password logins are refused (this instance).",
	}, t.throttledIPs)
	return t
}

// throttledIPs counts the IPs refused now. It walks every bucket (at most
// throttleMaxIPs), which is fine once per scrape.
func (t *Throttle) throttledIPs() float64 {
	if t.burst < 1 {
		return 0
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	now, n := t.now(), 0
	for ip := range t.buckets {
		if t.level(ip, now) < 1 {
			n++
		}
	}
	return float64(n)
}

// level returns ip's tokens now; callers hold t.mu.
func (t *Throttle) level(ip string, now time.Time) float64 {
	b, ok := t.buckets[ip]
	if !ok {
		return t.burst
	}
	tokens := b.tokens
	if t.refill > 0 {
		tokens += float64(now.Sub(b.at)) / float64(t.refill)
	}
	return min(tokens, t.burst)
}

// Allow reports whether ip may try a password login.
func (t *Throttle) Allow(ip string) bool {
	if t.burst < 1 {
		return true
	}
	t.mu.Lock()
	ok := t.level(ip, t.now()) >= 1
	t.mu.Unlock()
	if !ok {
		t.refused.Inc()
	}
	return ok
}

// Fail takes one token from ip's bucket for a failed login.
func (t *Throttle) Fail(ip string) {
	if t.burst < 1 {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	tokens := max(t.level(ip, now)-1, 0)
	if len(t.buckets) >= throttleMaxIPs {
		t.prune(now)
	}
	t.buckets[ip] = &bucket{tokens: tokens, at: now}
}

// prune drops full buckets, which are the same as no bucket.
func (t *Throttle) prune(now time.Time) {
	for ip := range t.buckets {
		if t.level(ip, now) >= t.burst {
			delete(t.buckets, ip)
		}
	}
}
