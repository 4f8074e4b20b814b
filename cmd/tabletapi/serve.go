package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/uptrace/bun"

	"github.com/tabletapi/tabletapi/api"
	"github.com/tabletapi/tabletapi/internal/account"
	"github.com/tabletapi/tabletapi/internal/sqldb"
	"github.com/tabletapi/tabletapi/internal/upload"
	"github.com/tabletapi/tabletapi/schema"
	"github.com/tabletapi/tabletapi/tabletsession"
	"github.com/tabletapi/tabletapi/websession"
)

// housekeepingInterval is how often expired sessions and lockouts go.
const housekeepingInterval = 5 * time.Minute

// runServe applies pending migrations, then serves until ctx is done.
func runServe(ctx context.Context, e env, args []string) error {
	f := newFlags(e)
	var s serveSettings
	serveFlags(f, &s)
	if _, err := f.parse(args, e.getenv, 0, ""); err != nil {
		return err
	}
	if err := s.validate(); err != nil {
		return err
	}
	log := newLogger(e.stderr, s.logFormat)
	if w := s.clampAccessResolution(); w != "" {
		log.Warn(w)
	}
	logExtraStrings(log, &s)
	if e.routeDriverLog != nil {
		e.routeDriverLog(log)
	}
	db, err := openMigrated(ctx, *f.database, log)
	if err != nil {
		return err
	}
	defer db.Close()

	if err := schema.SyncTables(ctx, db, s.registry); err != nil {
		return err
	}
	if err := logBadPolicies(ctx, account.NewStore(db, e.now), log); err != nil {
		return err
	}
	hasher, err := s.newHasher()
	if err != nil {
		return err
	}
	sessions := websession.NewStore(db, websession.Config{
		IdleTimeout: s.sessionTimeout, Lifetime: s.sessionLifetime,
		AccessResolution: s.sessionAccessRes, CheckIP: s.sessionCheckIP,
	}, e.now)
	auth := tabletsession.NewAuthenticator(db, sessions, hasher,
		tabletsession.NewThrottle(s.throttleBurst, s.throttleRefill, e.now),
		tabletsession.Config{LockoutThreshold: s.lockoutThreshold, LockoutIncrement: s.lockoutIncrement},
		log, e.now)
	engine := upload.NewEngine(s.registry, s.staleBatchTimeout)
	var metrics *prometheus.Registry
	if s.metrics {
		metrics = newMetricsRegistry(db, hasher, auth, engine)
	}
	draining := new(atomic.Bool)
	handler := api.New(api.Config{
		PathPrefix: s.pathPrefix, MaxBodyBytes: s.maxBodyBytes, MaxInflightBodyBytes: s.maxInflightBytes,
		TrustedProxies: s.proxies, DatabaseTitle: s.databaseTitle, CookieSecure: s.cookieSecure,
	}, api.Deps{DB: db, Log: log, Auth: auth, Sessions: sessions, Registry: s.registry, Draining: draining,
		Engine: engine, ExtraStrings: s.extraStringList(), Now: e.now, Metrics: metrics,
	})

	// Listen first, so a bad or taken address fails at once.
	ln, err := net.Listen("tcp", s.listen)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		// Uploads of tens of MiB over a ward's Wi-Fi take a while.
		ReadTimeout:  5 * time.Minute,
		WriteTimeout: 5 * time.Minute,
		IdleTimeout:  2 * time.Minute,
		ErrorLog:     slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	logSettings(log, &s, *f.database, ln.Addr().String())

	hctx, stopHousekeeping := context.WithCancel(ctx)
	defer stopHousekeeping()
	ticker := time.NewTicker(housekeepingInterval)
	defer ticker.Stop()
	go auth.RunHousekeeping(hctx, ticker.C)

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down", "timeout", s.shutdownTimeout)
	draining.Store(true) // /readyz now answers 503
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		srv.Close()
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("stopped")
	return nil
}

// openMigrated opens the database, checks that it answers and applies
// pending migrations.
func openMigrated(ctx context.Context, url string, log *slog.Logger) (*bun.DB, error) {
	db, err := sqldb.Open(url)
	if err != nil {
		return nil, usagef("--database: %v", err)
	}
	// Generous: a cold SQLite file or a busy PostgreSQL may take a moment;
	// an unreachable one fails within the driver's dial timeout anyway.
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	err = db.PingContext(pctx)
	cancel()
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("database %s unreachable: %w", sqldb.Redact(url), err)
	}
	applied, err := schema.Migrate(ctx, db)
	if err != nil {
		db.Close()
		return nil, err
	}
	if len(applied) > 0 {
		log.Info("migrations applied", "database", sqldb.Redact(url), "migrations", applied)
	}
	return db, nil
}

// logSettings logs the effective settings once at start, secrets masked.
func logSettings(log *slog.Logger, s *serveSettings, dbURL, addr string) {
	log.Info("serving tablet API",
		"version", Version, "listen", addr, "path_prefix", s.pathPrefix,
		"database", sqldb.Redact(dbURL), "bcrypt_cost", s.bcryptCost, "bcrypt_workers", s.bcryptWorkers,
		"session_timeout", s.sessionTimeout, "session_lifetime", s.sessionLifetime,
		"session_access_resolution", s.sessionAccessRes,
		"session_check_ip", s.sessionCheckIP, "trusted_proxies", s.trustedProxies, "cookie_secure", s.cookieSecure,
		"lockout_threshold", s.lockoutThreshold, "lockout_increment", s.lockoutIncrement,
		"max_body_bytes", s.maxBodyBytes, "max_inflight_body_bytes", s.maxInflightBytes, "tables", len(s.registry.Names()),
		"extra_strings", s.extraStrings, "metrics", s.metrics)
}
