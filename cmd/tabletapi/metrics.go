package main

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/uptrace/bun"

	"github.com/tabletapi/tabletapi/internal/password"
	"github.com/tabletapi/tabletapi/internal/upload"
	"github.com/tabletapi/tabletapi/tabletsession"
)

// newMetricsRegistry returns the server's own Prometheus registry (not the
// global one, so several servers in one test binary never collide) with
// the Go runtime, process, build and database pool collectors and the
// domain metrics. api.New adds the request metrics.
func newMetricsRegistry(db *bun.DB, hasher *password.Hasher, auth *tabletsession.Authenticator, engine *upload.Engine) *prometheus.Registry {
	build := prometheus.NewGauge(prometheus.GaugeOpts{
		Name:        "tabletapi_build_info",
		Help:        "Always 1; the version label is the server's version.",
		ConstLabels: prometheus.Labels{"version": Version},
	})
	build.Set(1)
	reg := prometheus.NewRegistry()
	reg.MustRegister(build,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collectors.NewBuildInfoCollector(),
		collectors.NewDBStatsCollector(db.DB, "main"),
	)
	for _, cs := range [][]prometheus.Collector{hasher.Collectors(), auth.Collectors(), engine.Collectors()} {
		reg.MustRegister(cs...)
	}
	return reg
}
