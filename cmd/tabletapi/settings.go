package main

import (
	"fmt"
	"net/netip"
	"runtime"
	"time"

	"github.com/tabletapi/tabletapi/api"
	"github.com/tabletapi/tabletapi/internal/extrastrings"
	"github.com/tabletapi/tabletapi/internal/password"
	"github.com/tabletapi/tabletapi/internal/registry"
	"github.com/tabletapi/tabletapi/tabletsession"
)

// serveSettings are the flags of `serve` (PROTOCOL 10.3 and the CLI table of
// the README).
type serveSettings struct {
	listen            string
	pathPrefix        string
	logFormat         string
	bcryptCost        int
	bcryptWorkers     int
	bcryptWait        time.Duration
	sessionTimeout    time.Duration
	sessionLifetime   time.Duration
	sessionAccessRes  time.Duration
	sessionCheckIP    bool
	trustedProxies    string
	cookieSecure      bool
	lockoutThreshold  int
	lockoutIncrement  time.Duration
	throttleBurst     int
	throttleRefill    time.Duration
	staleBatchTimeout time.Duration
	maxBodyBytes      int64
	maxInflightBytes  int64
	databaseTitle     string
	tables            string
	extraStrings      string
	shutdownTimeout   time.Duration
	metrics           bool

	proxies  []netip.Prefix     // parsed trustedProxies
	registry *registry.Registry // loaded from tables, or the default
	extraSet *extrastrings.Set  // loaded from extraStrings; nil without it
}

func serveFlags(f *commandFlags, s *serveSettings) {
	f.StringVar(&s.listen, "listen", "127.0.0.1:8088", "address to listen on")
	f.StringVar(&s.pathPrefix, "path-prefix", "", `mount prefix for /api and /database, e.g. "/camcops"`)
	f.StringVar(&s.logFormat, "log-format", "text", "log format: text or json")
	f.IntVar(&s.bcryptCost, "bcrypt-cost", 12, "bcrypt cost for password hashes (4-31)")
	// One P stays free of bcrypt, so a login storm cannot starve tablets
	// that already hold a session (BENCHMARKS.md: p95 17x idle with all Ps,
	// under 2x with one left free).
	f.IntVar(&s.bcryptWorkers, "bcrypt-workers", max(1, runtime.GOMAXPROCS(0)-1), "concurrent bcrypt computations")
	f.DurationVar(&s.bcryptWait, "bcrypt-wait", 10*time.Second, "longest wait for a bcrypt worker before 503")
	f.DurationVar(&s.sessionTimeout, "session-timeout", 30*time.Minute, "session idle timeout (sliding)")
	f.DurationVar(&s.sessionLifetime, "session-lifetime", 12*time.Hour, "session absolute lifetime")
	f.DurationVar(&s.sessionAccessRes, "session-access-resolution", time.Minute, "how often a session's last activity is written at most")
	f.BoolVar(&s.sessionCheckIP, "session-check-ip", true, "bind sessions to the client IP")
	f.StringVar(&s.trustedProxies, "trusted-proxies", "", "comma-separated CIDRs of reverse proxies whose X-Forwarded-For is believed")
	f.BoolVar(&s.cookieSecure, "cookie-secure", false, "always mark the console's session cookie Secure (behind a TLS proxy that sends no X-Forwarded-Proto)")
	f.IntVar(&s.lockoutThreshold, "lockout-threshold", 10, "failed logins per lockout step")
	f.DurationVar(&s.lockoutIncrement, "lockout-increment", 10*time.Minute, "lockout length per step")
	f.IntVar(&s.throttleBurst, "login-throttle-burst", 20, "failed logins an IP may make before it is throttled")
	f.DurationVar(&s.throttleRefill, "login-throttle-refill", 30*time.Second, "time for a throttled IP to earn one more attempt")
	f.DurationVar(&s.staleBatchTimeout, "stale-batch-timeout", 10*time.Minute, "idle time after which another user may take over a device's upload batch")
	f.Int64Var(&s.maxBodyBytes, "max-body-bytes", 64<<20, "request body limit in bytes (413 above it)")
	f.Int64Var(&s.maxInflightBytes, "max-inflight-body-bytes", 256<<20, "memory for all request bodies held at once (503 Server busy above it)")
	f.StringVar(&s.databaseTitle, "database-title", "", "databaseTitle sent to tablets")
	f.StringVar(&s.tables, "tables", "", tablesHelp)
	f.StringVar(&s.extraStrings, "extra-strings", "", "directory of CamCOPS extra string files (*.xml) that get_extra_strings serves")
	f.DurationVar(&s.shutdownTimeout, "shutdown-timeout", 30*time.Second, "longest wait for requests in flight at shutdown")
	f.BoolVar(&s.metrics, "metrics", true, "serve Prometheus metrics at /metrics (at the root, whatever --path-prefix)")
}

// validate checks the settings after parsing and loads what they name.
func (s *serveSettings) validate() error {
	if s.logFormat != "text" && s.logFormat != "json" {
		return usagef("--log-format must be text or json, not %q", s.logFormat)
	}
	if s.bcryptCost < 4 || s.bcryptCost > 31 {
		return usagef("--bcrypt-cost must be 4-31, not %d", s.bcryptCost)
	}
	if s.bcryptWorkers < 1 {
		return usagef("--bcrypt-workers must be at least 1")
	}
	for name, d := range map[string]time.Duration{
		"bcrypt-wait": s.bcryptWait, "session-timeout": s.sessionTimeout, "session-lifetime": s.sessionLifetime,
		"lockout-increment": s.lockoutIncrement, "login-throttle-refill": s.throttleRefill,
		"stale-batch-timeout": s.staleBatchTimeout, "shutdown-timeout": s.shutdownTimeout,
	} {
		if d <= 0 {
			return usagef("--%s must be positive", name)
		}
	}
	if s.sessionAccessRes < 0 {
		return usagef("--session-access-resolution must not be negative")
	}
	if s.lockoutThreshold < 1 {
		return usagef("--lockout-threshold must be at least 1")
	}
	if s.throttleBurst < 1 {
		return usagef("--login-throttle-burst must be at least 1")
	}
	if s.maxBodyBytes < 1024 || s.maxBodyBytes > tabletsession.MaxSource {
		// The form indexes a body with 32-bit offsets.
		return usagef("--max-body-bytes must be 1024-%d", int64(tabletsession.MaxSource))
	}
	if s.maxInflightBytes < s.maxBodyBytes {
		// Else a body of the permitted size could never be read.
		return usagef("--max-inflight-body-bytes must be at least --max-body-bytes (%d)", s.maxBodyBytes)
	}
	if s.pathPrefix != "" && (s.pathPrefix[0] != '/' || s.pathPrefix == "/") {
		return usagef("--path-prefix must start with / and name a path, e.g. /camcops")
	}
	p, err := api.ParseTrustedProxies(s.trustedProxies)
	if err != nil {
		return usagef("--trusted-proxies: %v", err)
	}
	s.proxies = p
	if s.registry, err = loadRegistry(s.tables); err != nil {
		return err
	}
	if s.extraStrings != "" {
		set, err := extrastrings.Load(s.extraStrings)
		if err != nil {
			return usagef("--extra-strings: %v", err)
		}
		s.extraSet = set
	}
	return nil
}

// clampAccessResolution keeps the session access resolution below the idle
// timeout. Last activity is written at most once per resolution, so with a
// resolution at or above the timeout a session expires before its activity
// is written again: it is never refreshed. Half the timeout leaves at least
// half of it after each write. It returns the warning to log, or "".
func (s *serveSettings) clampAccessResolution() string {
	if s.sessionAccessRes < s.sessionTimeout {
		return ""
	}
	was := s.sessionAccessRes
	s.sessionAccessRes = s.sessionTimeout / 2
	return fmt.Sprintf("--session-access-resolution %v is not shorter than --session-timeout %v, "+
		"so sessions would expire before being refreshed; using %v, half the timeout", was, s.sessionTimeout, s.sessionAccessRes)
}

// newHasher builds the bcrypt pool from the settings.
func (s *serveSettings) newHasher() (*password.Hasher, error) {
	h, err := password.NewHasher(s.bcryptCost, s.bcryptWorkers, s.bcryptWait)
	if err != nil {
		return nil, fmt.Errorf("bcrypt: %w", err)
	}
	return h, nil
}
