package api

import "github.com/labstack/echo/v4"

// routes registers every route. The tablet endpoints accept any method so
// that a wrong one gets 405 with Allow: POST (PROTOCOL 1.1); health checks
// stay at the root whatever the prefix.
func routes(e *echo.Echo, s *server, prefix string) {
	e.GET("/healthz", handleHealthz())
	e.GET("/readyz", s.handleReadyz())
	e.Any(prefix+"/api", s.handleTablet)
	e.Any(prefix+"/database", s.handleTablet) // the client's legacy default path
}
