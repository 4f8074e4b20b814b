// Package console serves the operator's console: server-rendered HTML
// pages under <path prefix>/console/, for people rather than tablets. It
// owns the console's cookie sessions (human sessions of websession), its
// CSRF defences, its security headers and its templates; the data it
// shows comes from the domain packages.
//
// # Requests
//
// Every console response carries the security headers of headers.go
// (Content-Security-Policy default-src 'self', X-Frame-Options DENY,
// Referrer-Policy same-origin, Cache-Control no-store), POST bodies are
// limited to Config.MaxFormBytes, and errors become one HTML error page
// (handleErrors). Pages need no JavaScript; the one stylesheet is embedded
// and served from /console/static/console.css.
//
// A page behind login gets the middleware chain c.user (or c.superuser):
// requireLogin finds the cookie's human session with LookupHuman (no valid
// session: redirect to the login page) and loads the user; on a POST,
// checkFormToken then consumes the form's hidden form_token with
// UseFormToken before the handler runs, and answers 403 when it is
// missing, used or unknown. So a handler of a POST never sees a forged
// request, and a GET handler must change nothing.
//
// The login POST has no session yet: it is guarded by sameOrigin (the
// Origin header, else the Referer, must name the request's own host; a
// request with neither is allowed, since every current browser sends
// Origin on a cross-site form POST, and a client that sends neither is not
// a browser that a forged page could drive) and by the cookie's
// SameSite=Lax.
//
// # Adding a page
//
//  1. Write templates/NAME.html defining "content" (the body inside the
//     layout). Forms that POST include {{template "formtoken" .}}; parts
//     shared by pages go in templates/_NAME.html.
//  2. Write the handler in its own file, as a method of *Console:
//     it reads what it needs (sessionOf(c), userOf(c) give the visitor)
//     and ends with
//     return c.render(ec, http.StatusOK, "NAME", "Title", data),
//     where data is available in the template as .Data.
//  3. Register the route in routes.go with the middleware c.user (any
//     logged-in user) or c.superuser (superusers only):
//     g.GET("/NAME", c.handleNAME, c.user...).
//  4. To show it in the navigation, add a navItem to nav in routes.go.
//  5. Test it in cmd/tabletapi with the browser harness of
//     console_fixture_test.go (startConsole, then cs.login and cs.visit).
//
// A POST handler redirects (http.StatusSeeOther) after its change, so that
// reloading the result does not post again. It makes the change through
// c.change, which writes the console's audit entry in the same
// transaction; input that breaks a rule is a *formError (invalid), shown
// on the form again with status 422 (see users.go).
package console
