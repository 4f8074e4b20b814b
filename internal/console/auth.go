package console

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/tabletapi/tabletapi/internal/account"
	"github.com/tabletapi/tabletapi/websession"
)

// Keys of the visitor in the echo context.
const (
	keySession = "console.session"
	keyUser    = "console.user"
)

// formTokenField is the hidden form field that carries the form token.
const formTokenField = "form_token"

// sessionOf is the visitor's session, set by requireLogin; nil before.
func sessionOf(ec echo.Context) *websession.Session {
	s, _ := ec.Get(keySession).(*websession.Session)
	return s
}

// userOf is the visitor's user, set by requireLogin; nil before.
func userOf(ec echo.Context) *account.User {
	u, _ := ec.Get(keyUser).(*account.User)
	return u
}

// requireLogin lets a request through only with a valid human session
// (cookie, client IP, idle and absolute expiry; LookupHuman writes last
// activity at most once per access resolution) of a user who is not
// disabled. Others go to the login page, their stale cookie cleared.
func (c *Console) requireLogin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(ec echo.Context) error {
		ctx := ec.Request().Context()
		id, token, ok := sessionCookie(ec.Request())
		if !ok {
			return ec.Redirect(http.StatusSeeOther, c.url("/login"))
		}
		s, err := c.sessions.LookupHuman(ctx, id, token, ec.RealIP())
		if websession.IsNoSession(err) {
			c.clearSessionCookie(ec)
			return ec.Redirect(http.StatusSeeOther, c.url("/login"))
		}
		if err != nil {
			return err
		}
		u, err := c.accounts.UserByID(ctx, s.UserID)
		if errors.Is(err, account.ErrUserNotFound) || (err == nil && u.Disabled) {
			c.clearSessionCookie(ec)
			return ec.Redirect(http.StatusSeeOther, c.url("/login"))
		}
		if err != nil {
			return err
		}
		ec.Set(keySession, s)
		ec.Set(keyUser, u)
		return next(ec)
	}
}

// requireSuperuser refuses, with 403, a logged-in user who is not a
// superuser. It runs after requireLogin.
func (c *Console) requireSuperuser(next echo.HandlerFunc) echo.HandlerFunc {
	return func(ec echo.Context) error {
		if u := userOf(ec); u == nil || !u.Superuser {
			return echo.NewHTTPError(http.StatusForbidden, "Only superusers may see this page.")
		}
		return next(ec)
	}
}

// checkFormToken consumes the form token of a POST before its handler
// runs: a missing, used or unknown token gets 403 and the handler never
// runs, so nothing changes. Other methods pass. It runs after
// requireLogin.
func (c *Console) checkFormToken(next echo.HandlerFunc) echo.HandlerFunc {
	return func(ec echo.Context) error {
		if ec.Request().Method != http.MethodPost {
			return next(ec)
		}
		r := ec.Request()
		if err := r.ParseForm(); err != nil {
			return err // over the body limit: 413
		}
		// From the body only: a token in a URL could leak through logs.
		err := c.sessions.UseFormToken(r.Context(), sessionOf(ec).ID, r.PostForm.Get(formTokenField))
		if errors.Is(err, websession.ErrBadFormToken) {
			return echo.NewHTTPError(http.StatusForbidden,
				"This form has expired or was already sent. Go back, reload the page and try again.")
		}
		if err != nil {
			return err
		}
		return next(ec)
	}
}
