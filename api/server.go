// Package api serves the CamCOPS tablet API over HTTP with echo: the
// routes, the form and reply wire format, the request pipeline (parse,
// phase A, dispatch, permission checks, phase B) and the one error mapper.
// It also mounts the operator's console (internal/console), which shares
// its client-IP and trusted-proxy logic.
package api

import (
	"context"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/uptrace/bun"

	"github.com/tabletapi/tabletapi/internal/console"
	"github.com/tabletapi/tabletapi/internal/extrastrings"
	"github.com/tabletapi/tabletapi/internal/registry"
	"github.com/tabletapi/tabletapi/internal/upload"
	"github.com/tabletapi/tabletapi/tabletsession"
	"github.com/tabletapi/tabletapi/websession"
)

// Config holds the HTTP-level settings.
type Config struct {
	PathPrefix   string // mount prefix for /api and /database, e.g. "/camcops"; "" for none
	MaxBodyBytes int64  // request body limit; over it the reply is 413
	// MaxInflightBodyBytes bounds the memory of all bodies held at once,
	// with their forms' record indexes; a request that would pass it gets
	// 503 Server busy. Zero means four times MaxBodyBytes.
	MaxInflightBodyBytes int64
	TrustedProxies       []netip.Prefix
	DatabaseTitle        string
	// CookieSecure forces the Secure flag on the console's session
	// cookie (see console.Config).
	CookieSecure bool
}

// Deps are the collaborators of the API.
type Deps struct {
	DB   *bun.DB
	Log  *slog.Logger
	Auth *tabletsession.Authenticator
	// Sessions is the session store; with it the operator's console is
	// served under PathPrefix + "/console/", without it not at all.
	Sessions *websession.Store
	Registry *registry.Registry
	// ExtraStrings are served by get_extra_strings, in this order; nil
	// for none.
	ExtraStrings []extrastrings.String
	Engine       *upload.Engine
	Draining     *atomic.Bool // true while shutting down: /readyz answers 503
	Now          func() time.Time
	// Metrics is the server's own registry: New registers the request
	// metrics in it and serves it at /metrics. Nil: no /metrics.
	Metrics *prometheus.Registry
}

type server struct {
	cfg      Config
	db       *bun.DB
	log      *slog.Logger
	auth     *tabletsession.Authenticator
	registry *registry.Registry
	engine   *upload.Engine
	draining *atomic.Bool
	now      func() time.Time
	ops      map[string]operation
	bodies   *bodyBudget
	metrics  *requestMetrics

	extraStrings *Reply // frozen: every registration fetches it
}

// New returns the echo instance that serves the API.
func New(cfg Config, d Deps) *echo.Echo {
	s := &server{
		cfg: cfg, db: d.DB, log: d.Log, auth: d.Auth, registry: d.Registry, engine: d.Engine,
		draining: d.Draining, now: d.Now, bodies: &bodyBudget{limit: cfg.MaxInflightBodyBytes},
		extraStrings: extraStringsReply(d.ExtraStrings),
	}
	if s.bodies.limit == 0 {
		s.bodies.limit = 4 * cfg.MaxBodyBytes
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.draining == nil {
		s.draining = new(atomic.Bool)
	}
	s.ops = s.operations()
	names := make([]string, 0, len(s.ops))
	for name := range s.ops {
		names = append(names, name)
	}
	s.metrics = newRequestMetrics(names)
	if d.Metrics != nil {
		// A fresh registry per server: only a bug can collide here.
		d.Metrics.MustRegister(s.metrics.collectors()...)
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.IPExtractor = func(r *http.Request) string { return clientIP(r, cfg.TrustedProxies) }
	e.HTTPErrorHandler = s.handleHTTPError
	// Pre, not Use: every request gets its id, the console's and a 404
	// too.
	e.Pre(withRequestID(cfg.TrustedProxies))
	routes(e, s, strings.TrimRight(cfg.PathPrefix, "/"), d.Metrics)
	if d.Sessions != nil {
		console.Register(e, console.Config{PathPrefix: cfg.PathPrefix, CookieSecure: cfg.CookieSecure},
			console.Deps{DB: d.DB, Log: d.Log, Sessions: d.Sessions, Auth: d.Auth, Now: s.now,
				ForwardedHTTPS: func(r *http.Request) bool { return forwardedHTTPS(r, cfg.TrustedProxies) },
				Registry:       d.Registry})
	}
	return e
}

// handleHTTPError answers echo's own errors (404, …) in short plain text.
func (s *server) handleHTTPError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	status := http.StatusInternalServerError
	if he, ok := err.(*echo.HTTPError); ok {
		status = he.Code
	} else {
		s.log.ErrorContext(c.Request().Context(), "unhandled error", "path", c.Request().URL.Path, "err", err)
	}
	plain(c, status, http.StatusText(status)) //nolint:errcheck
}

// plain sends a short plain-text body.
func plain(c echo.Context, status int, msg string) error {
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.String(status, msg+"\n")
}

// handleHealthz: the process is up.
func handleHealthz() echo.HandlerFunc {
	return func(c echo.Context) error { return plain(c, http.StatusOK, "ok") }
}

// handleReadyz: the database answers within a second and we are not
// shutting down.
func (s *server) handleReadyz() echo.HandlerFunc {
	return func(c echo.Context) error {
		if s.draining.Load() {
			return plain(c, http.StatusServiceUnavailable, "shutting down")
		}
		ctx, cancel := context.WithTimeout(c.Request().Context(), time.Second)
		defer cancel()
		if err := s.db.PingContext(ctx); err != nil {
			s.log.WarnContext(ctx, "readiness check failed", "err", err)
			return plain(c, http.StatusServiceUnavailable, "database unavailable")
		}
		return plain(c, http.StatusOK, "ready")
	}
}
