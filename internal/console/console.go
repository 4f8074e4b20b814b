package console

import (
	"html/template"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/uptrace/bun"

	"github.com/tabletapi/tabletapi/internal/account"
	"github.com/tabletapi/tabletapi/internal/registry"
	"github.com/tabletapi/tabletapi/tabletsession"
	"github.com/tabletapi/tabletapi/websession"
)

// DefaultMaxFormBytes is the body limit of console POSTs when
// Config.MaxFormBytes is zero: forms are small.
const DefaultMaxFormBytes = 64 << 10

// Config holds the console's HTTP settings.
type Config struct {
	// PathPrefix is the server's mount prefix, e.g. "/camcops", or "" for
	// none; the console lives at PathPrefix + "/console/".
	PathPrefix string
	// CookieSecure forces the Secure flag on the session cookie, for a
	// deployment behind a proxy that does not send X-Forwarded-Proto.
	CookieSecure bool
	// MaxFormBytes limits a POST body; over it the answer is 413.
	MaxFormBytes int64
}

// Deps are the collaborators of the console.
type Deps struct {
	DB       *bun.DB
	Log      *slog.Logger
	Sessions *websession.Store
	Auth     *tabletsession.Authenticator
	Now      func() time.Time // nil means time.Now
	// ForwardedHTTPS reports whether r reached a trusted reverse proxy
	// over HTTPS (X-Forwarded-Proto from a trusted peer); nil means never.
	ForwardedHTTPS func(r *http.Request) bool
	// Registry is the registry of client tables, whose rows the records
	// pages show.
	Registry *registry.Registry
}

// Console is the operator's console. Its handlers are methods; see the
// package documentation for how to add a page.
type Console struct {
	cfg      Config
	db       *bun.DB
	log      *slog.Logger
	sessions *websession.Store
	auth     *tabletsession.Authenticator
	accounts *account.Store
	lockouts *tabletsession.Lockouts
	now      func() time.Time
	https    func(*http.Request) bool
	root     string // PathPrefix + "/console"
	pages    map[string]*template.Template

	// The middleware of pages behind login: any user, or superusers.
	user, superuser []echo.MiddlewareFunc

	registry *registry.Registry // the client tables, for the records pages
}

// Register mounts the console on e under cfg.PathPrefix + "/console". e's
// IPExtractor must give the effective client IP: sessions are bound to it.
func Register(e *echo.Echo, cfg Config, d Deps) {
	if cfg.MaxFormBytes <= 0 {
		cfg.MaxFormBytes = DefaultMaxFormBytes
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.ForwardedHTTPS == nil {
		d.ForwardedHTTPS = func(*http.Request) bool { return false }
	}
	c := &Console{
		cfg: cfg, db: d.DB, log: d.Log, sessions: d.Sessions, auth: d.Auth,
		accounts: account.NewStore(d.DB, d.Now), now: d.Now,
		// The lockout settings matter only to RecordFailure, which the
		// console leaves to Auth.
		lockouts: tabletsession.NewLockouts(d.DB, tabletsession.Config{}, d.Now), https: d.ForwardedHTTPS,
		root:  strings.TrimRight(cfg.PathPrefix, "/") + "/console",
		pages: mustParsePages(),
	}
	c.user = []echo.MiddlewareFunc{c.requireLogin, c.checkFormToken}
	c.superuser = []echo.MiddlewareFunc{c.requireLogin, c.requireSuperuser, c.checkFormToken}
	c.registry = d.Registry
	g := e.Group(c.root, c.handleErrors, securityHeaders, c.limitBody)
	// The bare root has no trailing slash: send it to the overview.
	e.GET(c.root, func(ec echo.Context) error {
		return ec.Redirect(http.StatusSeeOther, c.root+"/")
	}, securityHeaders)
	c.routes(g)
}

// url is the console's URL of a path below it, e.g. url("/login").
func (c *Console) url(path string) string { return c.root + path }
