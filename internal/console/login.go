package console

import (
	"context"
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/uptrace/bun"

	"github.com/tabletapi/tabletapi/internal/audit"
	"github.com/tabletapi/tabletapi/internal/fault"
	"github.com/tabletapi/tabletapi/websession"
)

// loginData is the login page's data.
type loginData struct {
	Username string // echoed back after a refusal
	Refusal  string // why the last attempt failed; "" for none
}

// handleLoginForm shows the login form. It reads no session and writes
// nothing: a visitor who only looks at it leaves no row.
func (c *Console) handleLoginForm(ec echo.Context) error {
	return c.render(ec, http.StatusOK, "login", "Log in", loginData{})
}

// handleLogin checks the origin, then the password through the tablet
// API's bcrypt pool, lockout and throttle (ConsoleLogin, which also
// audits). On success the visitor gets a new session and cookie, and the
// session of the cookie they came with, if valid, ends: no fixation.
func (c *Console) handleLogin(ec echo.Context) error {
	r := ec.Request()
	if !sameOrigin(r) {
		return echo.NewHTTPError(http.StatusForbidden, "Login refused: the form was sent from another site.")
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	user, pw := r.PostForm.Get("username"), r.PostForm.Get("password")
	ip := ec.RealIP()
	id, err := c.auth.ConsoleLogin(r.Context(), user, pw, ip)
	if err != nil {
		return err
	}
	if id.Refusal != nil {
		msg := "Invalid username/password (or user not authorized)"
		var fe *fault.Error
		if errors.As(id.Refusal, &fe) {
			msg = fe.Message
		}
		return c.render(ec, http.StatusOK, "login", "Log in", loginData{Username: user, Refusal: msg})
	}
	if oldID, oldToken, ok := sessionCookie(r); ok && oldID != id.SessionID {
		// Only a session whose token the visitor proved is theirs ends.
		old, err := c.sessions.LookupHuman(r.Context(), oldID, oldToken, ip)
		switch {
		case err == nil:
			if err := c.sessions.Logout(r.Context(), old.ID); err != nil {
				return err
			}
		case !websession.IsNoSession(err):
			return err
		}
	}
	c.setSessionCookie(ec, id.SessionID, id.Token)
	return ec.Redirect(http.StatusSeeOther, c.url("/"))
}

// handleLogout ends the visitor's session (its form token was checked by
// checkFormToken) and clears the cookie.
func (c *Console) handleLogout(ec echo.Context) error {
	err := c.change(ec, audit.OpLogout, func(ctx context.Context, tx bun.Tx) (string, error) {
		return "console logout", c.sessions.WithTx(tx).Logout(ctx, sessionOf(ec).ID)
	})
	if err != nil {
		return err
	}
	c.clearSessionCookie(ec)
	return ec.Redirect(http.StatusSeeOther, c.url("/login"))
}
