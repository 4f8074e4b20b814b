package console

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/uptrace/bun"

	"github.com/tabletapi/tabletapi/internal/account"
	"github.com/tabletapi/tabletapi/internal/audit"
	"github.com/tabletapi/tabletapi/internal/password"
)

// The users page (superusers only): the list and the add form. Each
// user's own page, with its changes, is in user.go.

// userRow is a user of the list, with its lockout.
type userRow struct {
	account.UserInfo
	LockedUntil time.Time // zero when not locked out
}

// userAddForm is the add form's input, shown again after a refusal.
type userAddForm struct {
	Username, Group                                           string
	MayUpload, MayRegisterDevices, MayUseWebviewer, Superuser bool
}

// usersData is the users page's data.
type usersData struct {
	Users  []userRow
	Groups []account.Group
	Form   userAddForm
	Error  string // why the add form was refused; "" for none
	Done   string // unused: the add form leads to the new user's page
	MinPW  int    // the fewest characters a password may have
}

// handleUsers lists every user, with memberships and lockouts, and shows
// the add form.
func (c *Console) handleUsers(ec echo.Context) error {
	return c.usersPage(ec, http.StatusOK, userAddForm{}, "")
}

// usersPage renders the users page with status, the add form's input and
// its refusal.
func (c *Console) usersPage(ec echo.Context, status int, form userAddForm, refusal string) error {
	ctx := ec.Request().Context()
	users, err := c.accounts.Users(ctx)
	if err != nil {
		return err
	}
	locks, err := c.lockouts.Active(ctx)
	if err != nil {
		return err
	}
	until := make(map[string]time.Time, len(locks))
	for _, l := range locks {
		until[l.Username] = l.Until
	}
	rows := make([]userRow, len(users))
	for i, u := range users {
		rows[i] = userRow{UserInfo: u, LockedUntil: until[u.Username]}
	}
	groups, err := c.accounts.Groups(ctx)
	if err != nil {
		return err
	}
	return c.render(ec, status, "users", "Users", usersData{
		Users: rows, Groups: groups, Form: form, Error: refusal, MinPW: password.DefaultMinLength,
	})
}

// handleUserAdd adds a user from the add form: the password (typed
// twice) must pass password.CheckNew and is hashed in the bcrypt pool.
func (c *Console) handleUserAdd(ec echo.Context) error {
	f := ec.Request().PostForm
	form := userAddForm{
		Username: f.Get("username"), Group: f.Get("group"),
		MayUpload: checked(ec, "may_upload"), MayRegisterDevices: checked(ec, "may_register_devices"),
		MayUseWebviewer: checked(ec, "may_use_webviewer"), Superuser: checked(ec, "superuser"),
	}
	var id int64
	err := func() error {
		hash, err := c.newPasswordHash(ec, f.Get("password"), f.Get("password2"))
		if err != nil {
			return err
		}
		nu := account.NewUser{
			Username: form.Username, HashedPW: hash, GroupName: form.Group, MayUpload: form.MayUpload,
			MayRegisterDevices: form.MayRegisterDevices, MayUseWebviewer: form.MayUseWebviewer, Superuser: form.Superuser,
		}
		return c.change(ec, audit.OpUserAdd, func(ctx context.Context, tx bun.Tx) (string, error) {
			u, err := account.NewStore(tx, c.now).AddUser(ctx, nu)
			if err != nil {
				return "", accountRefusal(err, form.Username, form.Group)
			}
			id = u.ID
			return fmt.Sprintf("User added: %s in group %s (%s)", u.Username, form.Group, nu.Rights()), nil
		})
	}()
	var fe *formError
	if errors.As(err, &fe) {
		return c.usersPage(ec, fe.Status, form, fe.Message)
	}
	if err != nil {
		return err
	}
	return c.redirectDone(ec, "/users/"+strconv.FormatInt(id, 10), "added", nil)
}

// newPasswordHash checks a new password typed twice and hashes it in the
// bcrypt pool (Auth.HashPassword; ErrLoginPoolBusy becomes 503). A
// password that breaks a rule is a formError.
func (c *Console) newPasswordHash(ec echo.Context, pw, again string) (string, error) {
	if pw != again {
		return "", invalid("The two passwords differ.")
	}
	if err := password.CheckNew(pw, password.DefaultMinLength); err != nil {
		return "", invalid(passwordRefusal(err))
	}
	return c.auth.HashPassword(ec.Request().Context(), pw)
}

// passwordRefusal is the message for a password that CheckNew refused.
func passwordRefusal(err error) string {
	switch {
	case errors.Is(err, password.ErrEmpty):
		return "Enter a password."
	case errors.Is(err, password.ErrTooLong):
		return fmt.Sprintf("The password is longer than %d bytes; bcrypt would ignore the rest. Choose a shorter one.", password.MaxBytes)
	case errors.Is(err, password.ErrTooShort):
		return fmt.Sprintf("The password must have at least %d characters.", password.DefaultMinLength)
	}
	return "The password is not allowed."
}

// accountRefusal turns the account package's errors about a user's input
// into a formError naming what the form gave; other errors pass.
func accountRefusal(err error, user, group string) error {
	switch {
	case errors.Is(err, account.ErrInvalidName):
		return invalid(fmt.Sprintf("%q is not a valid username: use 1–191 of A–Z a–z 0–9 , _ - { }, and not %q.",
			user, account.ReservedUsername))
	case errors.Is(err, account.ErrExists):
		return invalid(fmt.Sprintf("A user named %q already exists.", user))
	case errors.Is(err, account.ErrGroupNotFound) && group == "":
		return invalid("Choose a group.")
	case errors.Is(err, account.ErrGroupNotFound):
		return invalid(fmt.Sprintf("There is no group named %q.", group))
	case errors.Is(err, account.ErrUserNotFound):
		return echo.NewHTTPError(http.StatusNotFound, "No such user.")
	}
	return err
}

// doneMessage is the message of a redirect's done value, from a fixed
// list; the counts come from the query as numbers only.
func doneMessage(q url.Values) string {
	n := func(k string) int64 {
		v, _ := strconv.ParseInt(q.Get(k), 10, 64)
		return v
	}
	switch q.Get("done") {
	case "added":
		return "User added."
	case "password":
		return fmt.Sprintf("Password changed; %d session(s) ended.", n("ended"))
	case "unlocked":
		return fmt.Sprintf("Unlocked: %d lockout(s) and %d failed login(s) cleared.", n("locks"), n("failures"))
	case "disabled":
		return fmt.Sprintf("User disabled; %d session(s) ended.", n("ended"))
	case "enabled":
		return "User enabled."
	case "membership":
		return "Permissions saved."
	case "superuser":
		return "Superuser flag saved."
	case "group":
		return "Group saved."
	case "idnum":
		return "ID number type added."
	}
	return ""
}
