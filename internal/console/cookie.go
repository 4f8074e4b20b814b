package console

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
)

// cookieName is the console's session cookie.
const cookieName = "tabletapi_console"

// sessionCookie returns the id and token of the request's session cookie;
// ok is false when there is none or it is malformed.
func sessionCookie(r *http.Request) (id int64, token string, ok bool) {
	ck, err := r.Cookie(cookieName)
	if err != nil {
		return 0, "", false
	}
	// The value is "<id>.<token>": the token's URL-safe base64 has no dot.
	idText, token, found := strings.Cut(ck.Value, ".")
	if !found || token == "" {
		return 0, "", false
	}
	id, err = strconv.ParseInt(idText, 10, 64)
	if err != nil || id <= 0 {
		return 0, "", false
	}
	return id, token, true
}

// setSessionCookie gives the browser the session's id and token, and
// nothing else. It lasts as long as the browser runs; the server decides
// when the session ends.
func (c *Console) setSessionCookie(ec echo.Context, id int64, token string) {
	ec.SetCookie(c.cookie(ec.Request(), strconv.FormatInt(id, 10)+"."+token, 0))
}

// clearSessionCookie tells the browser to drop the cookie.
func (c *Console) clearSessionCookie(ec echo.Context) {
	ec.SetCookie(c.cookie(ec.Request(), "", -1))
}

// cookie builds the session cookie with its flags: HttpOnly (no script
// reads it), SameSite=Lax (no other site's form POST carries it), the path
// prefix as Path, and Secure whenever the browser reached us over HTTPS.
func (c *Console) cookie(r *http.Request, value string, maxAge int) *http.Cookie {
	path := c.cfg.PathPrefix
	if path == "" {
		path = "/"
	}
	return &http.Cookie{
		Name: cookieName, Value: value, Path: path, MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: c.cfg.CookieSecure || r.TLS != nil || c.https(r),
	}
}
