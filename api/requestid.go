package api

import (
	"net/netip"

	"github.com/labstack/echo/v4"

	"github.com/tabletapi/tabletapi/internal/requestid"
)

// headerRequestID carries a request's id from a proxy, and back to the
// client in every response.
const headerRequestID = "X-Request-ID"

// withRequestID gives every request an id, in its context (where the
// logger finds it) and in the response's X-Request-ID header. The id is
// the proxy's X-Request-ID when the TCP peer is a trusted proxy and the
// value is sane, so one id follows a request through the proxy's log and
// ours; otherwise it is generated, since anyone could send the header.
func withRequestID(trusted []netip.Prefix) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			r := c.Request()
			id := r.Header.Get(headerRequestID)
			if !requestid.Valid(id) || !fromTrustedProxy(r, trusted) {
				id = requestid.New()
			}
			c.Response().Header().Set(headerRequestID, id)
			c.SetRequest(r.WithContext(requestid.With(r.Context(), id)))
			return next(c)
		}
	}
}
