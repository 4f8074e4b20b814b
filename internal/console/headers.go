package console

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/tabletapi/tabletapi/tabletsession"
)

// securityHeaders sets the headers of every console response: only our
// own resources load (no inline script or style, no other site), no site
// may frame a page, referrers stay on this site, and no page is cached,
// since pages may show patient data.
func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(ec echo.Context) error {
		h := ec.Response().Header()
		h.Set("Content-Security-Policy", "default-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Cache-Control", "no-store")
		return next(ec)
	}
}

// limitBody caps the body of a request at MaxFormBytes; reading more
// fails, and handleErrors answers 413.
func (c *Console) limitBody(next echo.HandlerFunc) echo.HandlerFunc {
	return func(ec echo.Context) error {
		r := ec.Request()
		if r.ContentLength > c.cfg.MaxFormBytes {
			return echo.NewHTTPError(http.StatusRequestEntityTooLarge)
		}
		r.Body = http.MaxBytesReader(ec.Response(), r.Body, c.cfg.MaxFormBytes)
		return next(ec)
	}
}

// handleErrors is the console's one error writer: it turns an error from
// a handler into an HTML page with a status, and logs unexpected ones
// (never their request data).
func (c *Console) handleErrors(next echo.HandlerFunc) echo.HandlerFunc {
	return func(ec echo.Context) error {
		err := next(ec)
		if err == nil || ec.Response().Committed {
			return err
		}
		var he *echo.HTTPError
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &tooBig):
			return c.renderMessage(ec, http.StatusRequestEntityTooLarge, "Request too large", "The form was too large.")
		case errors.As(err, &he):
			return c.renderMessage(ec, he.Code, http.StatusText(he.Code), statusMessage(he))
		case errors.Is(err, tabletsession.ErrLoginPoolBusy):
			return c.renderMessage(ec, http.StatusServiceUnavailable, "Server busy", "Server busy; try again later.")
		}
		c.log.ErrorContext(ec.Request().Context(), "console request failed", "path", ec.Path(), "err", err)
		return c.renderMessage(ec, http.StatusInternalServerError, "Internal error", "Internal error; try again later.")
	}
}

// statusMessage is the text shown for an HTTP error: our own message when
// a handler gave one, else the status text.
func statusMessage(he *echo.HTTPError) string {
	if m, ok := he.Message.(string); ok && m != http.StatusText(he.Code) {
		return m
	}
	return http.StatusText(he.Code) + "."
}
