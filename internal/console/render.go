package console

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/tabletapi/tabletapi/internal/account"
)

//go:embed templates/*.html
var templateFS embed.FS

// page is what every template receives.
type page struct {
	Title     string
	Root      string        // the console's URL, e.g. "/camcops/console"
	User      *account.User // the visitor; nil when not logged in
	Nav       []navItem     // the visitor's navigation bar
	FormToken string        // a fresh single-use form token; "" without a session
	Data      any           // the page's own data
}

// mustParsePages parses every template once: each page is the layout,
// the shared parts (files named _*.html) and its own file, which defines
// "content". A parse error is a programming error, caught by any test
// that starts a server.
func mustParsePages() map[string]*template.Template {
	funcs := template.FuncMap{"when": formatTime, "opt": optional}
	layout := template.Must(template.New("layout.html").Funcs(funcs).
		ParseFS(templateFS, "templates/layout.html", "templates/_*.html"))
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		panic(err)
	}
	pages := make(map[string]*template.Template)
	for _, n := range names {
		name := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if name == "layout" || strings.HasPrefix(name, "_") {
			continue
		}
		pages[name] = template.Must(template.Must(layout.Clone()).ParseFS(templateFS, n))
	}
	return pages
}

// formatTime shows a time in UTC to the second.
func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}

// optional is *s, or "—" for nil: an unset column.
func optional(s *string) string {
	if s == nil {
		return "—"
	}
	return *s
}

// render writes the page name (templates/name.html) inside the layout,
// with data as .Data. For a logged-in visitor it issues a form token for
// the page's forms (the layout's logout button is one). The page is
// rendered to a buffer first, so a template error gives a clean 500.
func (c *Console) render(ec echo.Context, status int, name, title string, data any) error {
	t, ok := c.pages[name]
	if !ok {
		return fmt.Errorf("console: no template %q", name)
	}
	p := page{Title: title, Root: c.root, Data: data}
	if u := userOf(ec); u != nil {
		p.User = u
		for _, n := range navItems() {
			if !n.Superuser || u.Superuser {
				p.Nav = append(p.Nav, n)
			}
		}
		tok, err := c.sessions.IssueFormToken(ec.Request().Context(), sessionOf(ec).ID)
		if err != nil {
			return err
		}
		p.FormToken = tok
	}
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, "layout.html", p); err != nil {
		return err
	}
	return ec.HTMLBlob(status, b.Bytes())
}

// renderMessage shows a page with only a heading and a message, for
// errors and refusals; it issues no form token and writes nothing.
func (c *Console) renderMessage(ec echo.Context, status int, title, msg string) error {
	p := page{Title: title, Root: c.root, Data: msg}
	var b bytes.Buffer
	if err := c.pages["message"].ExecuteTemplate(&b, "layout.html", p); err != nil {
		return err
	}
	return ec.HTMLBlob(status, b.Bytes())
}

//go:embed static/console.css
var stylesheet []byte

// handleStylesheet serves the one stylesheet; it is public, since the
// login page uses it.
func handleStylesheet(ec echo.Context) error {
	return ec.Blob(http.StatusOK, "text/css; charset=utf-8", stylesheet)
}
