package console

import (
	"context"
	"fmt"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"
	"github.com/uptrace/bun"

	"github.com/tabletapi/tabletapi/internal/audit"
	"github.com/tabletapi/tabletapi/websession"
)

// sessionsData is the data of the session lists.
type sessionsData struct {
	Sessions []websession.Session
	Current  int64  // the visitor's own session id
	EndPath  string // where the "End session" buttons post
}

// handleSessions lists the visitor's unexpired sessions: this console
// session and any tablet sessions.
func (c *Console) handleSessions(ec echo.Context) error {
	list, err := c.sessions.Active(ec.Request().Context(), userOf(ec).ID)
	if err != nil {
		return err
	}
	return c.render(ec, http.StatusOK, "sessions", "Your sessions",
		sessionsData{Sessions: list, Current: sessionOf(ec).ID, EndPath: c.url("/sessions/end")})
}

// handleActive lists every user's unexpired sessions, for superusers.
func (c *Console) handleActive(ec echo.Context) error {
	list, err := c.sessions.Active(ec.Request().Context(), 0)
	if err != nil {
		return err
	}
	return c.render(ec, http.StatusOK, "active", "Active sessions",
		sessionsData{Sessions: list, Current: sessionOf(ec).ID, EndPath: c.url("/active/end")})
}

// handleEndOwnSession ends one of the visitor's own sessions.
func (c *Console) handleEndOwnSession(ec echo.Context) error {
	return c.endSession(ec, userOf(ec).ID, "/sessions")
}

// handleEndSession ends any user's session, for superusers.
func (c *Console) handleEndSession(ec echo.Context) error {
	return c.endSession(ec, 0, "/active")
}

// endSession ends the posted session, which must be unexpired and, unless
// owner is 0, belong to owner; it audits the end and redirects to back,
// or to the login page when the visitor ended their own console session.
func (c *Console) endSession(ec echo.Context, owner int64, back string) error {
	ctx := ec.Request().Context()
	id, err := strconv.ParseInt(ec.Request().PostFormValue("session_id"), 10, 64)
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "No session given.")
	}
	list, err := c.sessions.Active(ctx, owner)
	if err != nil {
		return err
	}
	var target *websession.Session
	for i := range list {
		if list[i].ID == id {
			target = &list[i]
		}
	}
	if target == nil {
		return echo.NewHTTPError(http.StatusNotFound, "No such session: it may have ended already.")
	}
	kind := "console"
	if target.IsAPI {
		kind = "tablet"
	}
	err = c.change(ec, audit.OpSessionEnd, func(ctx context.Context, tx bun.Tx) (string, error) {
		details := fmt.Sprintf("ended %s session %d of user %s", kind, id, target.Username)
		return details, c.sessions.WithTx(tx).Logout(ctx, id)
	})
	if err != nil {
		return err
	}
	if id == sessionOf(ec).ID {
		c.clearSessionCookie(ec)
		return ec.Redirect(http.StatusSeeOther, c.url("/login"))
	}
	return ec.Redirect(http.StatusSeeOther, c.url(back))
}
