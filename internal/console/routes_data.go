package console

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"
)

// dataRoutes registers the overview and the pages that show uploaded data
// and its history. Every one is a GET; a user who is not a superuser sees
// only the data of the groups where they may use the web viewer
// (visibleGroups), and the audit log is for superusers only, since it
// shows what operators of every group did.
func (c *Console) dataRoutes(g *echo.Group) {
	g.GET("/", c.handleOverview, c.user...)
	g.GET("/devices", c.handleDevices, c.user...)
	g.GET("/uploads", c.handleUploads, c.user...)
	g.GET("/records", c.handleTables, c.user...)
	g.GET("/records/:table", c.handleRecords, c.user...)
	g.GET("/patient", c.handlePatient, c.user...)
	g.GET("/audit", c.handleAudit, c.superuser...)
}

// visibleGroups are the groups whose data the visitor may see: nil for a
// superuser (every group), else those where they have may_use_webviewer,
// possibly none (an empty slice).
func (c *Console) visibleGroups(ec echo.Context) ([]int64, error) {
	all, ids, err := c.accounts.ConsoleGroups(ec.Request().Context(), userOf(ec).ID)
	if err != nil || all {
		return nil, err
	}
	return ids, nil
}

// intParam is the query parameter name as a whole number of at least 0;
// 0 when it is absent or blank. Anything else is a 400 that says which.
func intParam(ec echo.Context, name string) (int64, error) {
	s := ec.QueryParam(name)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, echo.NewHTTPError(http.StatusBadRequest, "The parameter "+name+" must be a whole number.")
	}
	return n, nil
}
