package console

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"
	"github.com/uptrace/bun"

	"github.com/tabletapi/tabletapi/internal/audit"
)

// change runs fn, a change the visitor makes, in one transaction with its
// audit entry: the entry names the operator, and fn returns its details,
// which name the target. If fn fails, nothing changes and nothing is
// audited.
func (c *Console) change(ec echo.Context, op string, fn func(ctx context.Context, tx bun.Tx) (string, error)) error {
	me := userOf(ec)
	return c.db.RunInTx(ec.Request().Context(), nil, func(ctx context.Context, tx bun.Tx) error {
		details, err := fn(ctx, tx)
		if err != nil {
			return err
		}
		return audit.Write(ctx, tx, audit.Entry{
			When: c.now(), Source: audit.SourceConsole, Operation: op,
			RemoteAddr: ec.RealIP(), UserID: &me.ID, Username: me.Username, Details: details,
		})
	})
}

// formError is a refusal of a form's input: the page is shown again with
// the message and the status (400 for a malformed form, 422 for input
// that breaks a rule).
type formError struct {
	Status  int
	Message string
}

func (e *formError) Error() string { return e.Message }

// invalid is a formError for input that breaks a rule.
func invalid(msg string) *formError {
	return &formError{Status: http.StatusUnprocessableEntity, Message: msg}
}

// idParam reads the numeric path parameter id; a malformed one is a 404,
// as for an id that names nothing.
func idParam(ec echo.Context) (int64, error) {
	id, err := strconv.ParseInt(ec.Param("id"), 10, 64)
	if err != nil || id < 1 {
		return 0, echo.NewHTTPError(http.StatusNotFound, "No such page.")
	}
	return id, nil
}

// checked reports whether the checkbox name was ticked in the posted form.
func checked(ec echo.Context, name string) bool {
	return ec.Request().PostForm.Get(name) != ""
}

// redirectDone redirects to path with done (and any extra values) in the
// query: the page it leads to says what was done, from a fixed list of
// messages, so the query cannot inject text.
func (c *Console) redirectDone(ec echo.Context, path, done string, extra url.Values) error {
	q := url.Values{"done": {done}}
	for k, v := range extra {
		q[k] = v
	}
	return ec.Redirect(http.StatusSeeOther, c.url(path)+"?"+q.Encode())
}
