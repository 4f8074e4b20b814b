package api

import (
	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// routes registers every route. The tablet endpoints accept any method so
// that a wrong one gets 405 with Allow: POST (PROTOCOL 1.1); health checks
// and metrics stay at the root whatever the prefix. Without a registry
// there is no /metrics (404).
func routes(e *echo.Echo, s *server, prefix string, metrics *prometheus.Registry) {
	e.GET("/healthz", handleHealthz())
	e.GET("/readyz", s.handleReadyz())
	if metrics != nil {
		e.GET("/metrics", echo.WrapHandler(promhttp.HandlerFor(metrics, promhttp.HandlerOpts{})))
	}
	e.Any(prefix+"/api", s.handleTablet)
	e.Any(prefix+"/database", s.handleTablet) // the client's legacy default path
}
