package console

import (
	"net/http"
	"net/url"
	"strings"
)

// sameOrigin reports whether a POST without a session (the login) comes
// from a page of this site: the Origin header, or when it is absent the
// Referer, must name the request's own host (and port). The scheme is not
// compared, since behind a TLS proxy the browser says https and we see
// http. A request with neither header is let through: every current
// browser sends Origin with a cross-site form POST, so such a request
// comes from a client that no forged page drives (curl, a script), or
// from a browser told to hide both, whose owner chose that.
func sameOrigin(r *http.Request) bool {
	if o := r.Header.Get("Origin"); o != "" {
		return hostMatches(o, r.Host)
	}
	if ref := r.Header.Get("Referer"); ref != "" {
		return hostMatches(ref, r.Host)
	}
	return true
}

// hostMatches reports whether the URL u names host (case-insensitive).
// "null" and other unparsable values do not match.
func hostMatches(u, host string) bool {
	p, err := url.Parse(u)
	if err != nil || p.Host == "" {
		return false
	}
	return strings.EqualFold(p.Host, host)
}
