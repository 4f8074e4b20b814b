package console

import "github.com/labstack/echo/v4"

// navItem is an entry of the navigation bar.
type navItem struct {
	Label     string
	Path      string // below the console root, e.g. "/sessions"
	Superuser bool   // shown to superusers only
}

// navItems is the navigation bar, in order. A new page adds its entry
// here.
func navItems() []navItem {
	return []navItem{
		{Label: "Overview", Path: "/"},
		// The data pages (routes_data.go).
		{Label: "Devices", Path: "/devices"},
		{Label: "Uploads", Path: "/uploads"},
		{Label: "Records", Path: "/records"},
		{Label: "Audit log", Path: "/audit", Superuser: true},
		{Label: "Your sessions", Path: "/sessions"},
		{Label: "Active sessions", Path: "/active", Superuser: true},
		{Label: "Users", Path: "/users", Superuser: true},
		{Label: "Groups", Path: "/groups", Superuser: true},
		{Label: "ID numbers", Path: "/idnums", Superuser: true},
	}
}

// routes registers every console route on g (the console root). Pages
// behind login take c.user or c.superuser as their middleware.
func (c *Console) routes(g *echo.Group) {
	g.GET("/static/console.css", handleStylesheet)
	g.GET("/login", c.handleLoginForm)
	g.POST("/login", c.handleLogin)
	g.POST("/logout", c.handleLogout, c.user...)

	c.dataRoutes(g) // the overview and the data pages
	g.GET("/sessions", c.handleSessions, c.user...)
	g.POST("/sessions/end", c.handleEndOwnSession, c.user...)
	g.GET("/active", c.handleActive, c.superuser...)
	g.POST("/active/end", c.handleEndSession, c.superuser...)

	// Managing accounts: superusers only.
	g.GET("/users", c.handleUsers, c.superuser...)
	g.POST("/users", c.handleUserAdd, c.superuser...)
	g.GET("/users/:id", c.handleUser, c.superuser...)
	g.POST("/users/:id/password", c.handleUserPassword, c.superuser...)
	g.POST("/users/:id/unlock", c.handleUserUnlock, c.superuser...)
	g.POST("/users/:id/disable", c.handleUserDisable, c.superuser...)
	g.POST("/users/:id/enable", c.handleUserEnable, c.superuser...)
	g.POST("/users/:id/membership", c.handleUserMembership, c.superuser...)
	g.POST("/users/:id/superuser", c.handleUserSuperuser, c.superuser...)
	g.GET("/groups", c.handleGroups, c.superuser...)
	g.POST("/groups", c.handleGroupAdd, c.superuser...)
	g.GET("/groups/:id", c.handleGroup, c.superuser...)
	g.POST("/groups/:id", c.handleGroupEdit, c.superuser...)
	g.GET("/idnums", c.handleIDNums, c.superuser...)
	g.POST("/idnums", c.handleIDNumAdd, c.superuser...)
}
