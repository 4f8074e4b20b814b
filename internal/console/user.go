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

// One user's page (superusers only): its settings and the forms that
// change them. Each form posts to /users/ID/WHAT.

// userData is a user page's data.
type userData struct {
	User        *account.UserInfo
	LockedUntil time.Time // zero when not locked out
	Groups      []account.Group
	Self        bool   // the visitor's own account
	Error       string // why the last form was refused; "" for none
	Done        string // what the last form did; "" for none
	MinPW       int
}

// handleUser shows a user and the forms that change it.
func (c *Console) handleUser(ec echo.Context) error {
	id, err := idParam(ec)
	if err != nil {
		return err
	}
	return c.userPage(ec, http.StatusOK, id, "")
}

// userPage renders user id's page with status and a refusal.
func (c *Console) userPage(ec echo.Context, status int, id int64, refusal string) error {
	ctx := ec.Request().Context()
	u, err := c.accounts.UserInfo(ctx, id)
	if errors.Is(err, account.ErrUserNotFound) {
		return echo.NewHTTPError(http.StatusNotFound, "No such user.")
	}
	if err != nil {
		return err
	}
	until, err := c.lockouts.LockedUntil(ctx, u.Username)
	if err != nil {
		return err
	}
	groups, err := c.accounts.Groups(ctx)
	if err != nil {
		return err
	}
	d := userData{User: u, LockedUntil: until, Groups: groups, Self: u.ID == userOf(ec).ID,
		Error: refusal, MinPW: password.DefaultMinLength}
	if refusal == "" {
		d.Done = doneMessage(ec.QueryParams())
	}
	return c.render(ec, status, "user", u.Username, d)
}

// loggedOut is the done value of a change that ended the visitor's own
// session: userPost sends them to the login page.
const loggedOut = "logged out"

// userPost runs act, a change to the user of the path, then redirects to
// the user's page with act's done value; a formError shows the page again
// with the refusal.
func (c *Console) userPost(ec echo.Context, act func(ctx context.Context, u *account.UserInfo) (string, url.Values, error)) error {
	id, err := idParam(ec)
	if err != nil {
		return err
	}
	ctx := ec.Request().Context()
	u, err := c.accounts.UserInfo(ctx, id)
	if errors.Is(err, account.ErrUserNotFound) {
		return echo.NewHTTPError(http.StatusNotFound, "No such user.")
	}
	if err != nil {
		return err
	}
	done, extra, err := act(ctx, u)
	var fe *formError
	if errors.As(err, &fe) {
		return c.userPage(ec, fe.Status, id, fe.Message)
	}
	if err != nil {
		return err
	}
	if done == loggedOut {
		c.clearSessionCookie(ec)
		return ec.Redirect(http.StatusSeeOther, c.url("/login"))
	}
	return c.redirectDone(ec, "/users/"+strconv.FormatInt(id, 10), done, extra)
}

// handleUserPassword sets a new password, ending every session of the
// user (websession.Store.ChangePassword); the page says how many ended.
func (c *Console) handleUserPassword(ec echo.Context) error {
	return c.userPost(ec, func(ctx context.Context, u *account.UserInfo) (string, url.Values, error) {
		f := ec.Request().PostForm
		hash, err := c.newPasswordHash(ec, f.Get("password"), f.Get("password2"))
		if err != nil {
			return "", nil, err
		}
		var ended int64
		err = c.change(ec, audit.OpPasswordSet, func(ctx context.Context, tx bun.Tx) (string, error) {
			var err error
			ended, err = c.sessions.WithTx(tx).ChangePassword(ctx, u.Username, hash)
			if err != nil {
				return "", accountRefusal(err, u.Username, "")
			}
			return fmt.Sprintf("Password changed: %s; %d session(s) ended", u.Username, ended), nil
		})
		if err != nil {
			return "", nil, err
		}
		if u.ID == userOf(ec).ID {
			return loggedOut, nil, nil
		}
		return "password", url.Values{"ended": {strconv.FormatInt(ended, 10)}}, nil
	})
}

// handleUserUnlock clears the user's lockout and failed logins.
func (c *Console) handleUserUnlock(ec echo.Context) error {
	return c.userPost(ec, func(ctx context.Context, u *account.UserInfo) (string, url.Values, error) {
		var locks, failures int64
		err := c.change(ec, audit.OpUnlock, func(ctx context.Context, tx bun.Tx) (string, error) {
			var err error
			locks, failures, err = c.lockouts.WithTx(tx).Unlock(ctx, u.Username)
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("User unlocked: %s; %d lockout(s) and %d failed login(s) cleared",
				u.Username, locks, failures), nil
		})
		return "unlocked", url.Values{
			"locks": {strconv.FormatInt(locks, 10)}, "failures": {strconv.FormatInt(failures, 10)},
		}, err
	})
}

// handleUserDisable disables the user, ending every session of theirs
// (websession.Store.SetDisabled). A superuser may not disable themselves:
// nobody might be left to enable them.
func (c *Console) handleUserDisable(ec echo.Context) error {
	return c.userPost(ec, func(ctx context.Context, u *account.UserInfo) (string, url.Values, error) {
		if u.ID == userOf(ec).ID {
			return "", nil, invalid("You cannot disable your own account.")
		}
		var ended int64
		err := c.change(ec, audit.OpDisable, func(ctx context.Context, tx bun.Tx) (string, error) {
			var err error
			ended, err = c.sessions.WithTx(tx).SetDisabled(ctx, u.Username, true)
			if err != nil {
				return "", accountRefusal(err, u.Username, "")
			}
			return fmt.Sprintf("User disabled: %s; %d session(s) ended", u.Username, ended), nil
		})
		return "disabled", url.Values{"ended": {strconv.FormatInt(ended, 10)}}, err
	})
}

// handleUserEnable enables the user again.
func (c *Console) handleUserEnable(ec echo.Context) error {
	return c.userPost(ec, func(ctx context.Context, u *account.UserInfo) (string, url.Values, error) {
		err := c.change(ec, audit.OpEnable, func(ctx context.Context, tx bun.Tx) (string, error) {
			if _, err := c.sessions.WithTx(tx).SetDisabled(ctx, u.Username, false); err != nil {
				return "", accountRefusal(err, u.Username, "")
			}
			return "User enabled: " + u.Username, nil
		})
		return "enabled", nil, err
	})
}

// handleUserMembership sets the user's three rights in the posted group
// (account.Store.SetUserFlags), creating the membership if missing; an
// unticked box is false.
func (c *Console) handleUserMembership(ec echo.Context) error {
	return c.userPost(ec, func(ctx context.Context, u *account.UserInfo) (string, url.Values, error) {
		group := ec.Request().PostForm.Get("group")
		if group == "" {
			return "", nil, invalid("Choose a group.")
		}
		up, reg, view := checked(ec, "may_upload"), checked(ec, "may_register_devices"), checked(ec, "may_use_webviewer")
		err := c.change(ec, audit.OpUserSet, func(ctx context.Context, tx bun.Tx) (string, error) {
			err := account.NewStore(tx, c.now).SetUserFlags(ctx, u.Username, group,
				account.FlagChange{MayUpload: &up, MayRegisterDevices: &reg, MayUseWebviewer: &view})
			if err != nil {
				return "", accountRefusal(err, u.Username, group)
			}
			return fmt.Sprintf("User changed: %s in group %s: may-upload=%t may-register-devices=%t may-use-webviewer=%t",
				u.Username, group, up, reg, view), nil
		})
		return "membership", nil, err
	})
}

// handleUserSuperuser sets or clears the superuser flag. A superuser may
// not clear their own: nobody might be left to manage users.
func (c *Console) handleUserSuperuser(ec echo.Context) error {
	return c.userPost(ec, func(ctx context.Context, u *account.UserInfo) (string, url.Values, error) {
		on := checked(ec, "superuser")
		if !on && u.ID == userOf(ec).ID {
			return "", nil, invalid("You cannot take away your own superuser flag.")
		}
		err := c.change(ec, audit.OpUserSet, func(ctx context.Context, tx bun.Tx) (string, error) {
			if err := account.NewStore(tx, c.now).SetUserFlags(ctx, u.Username, "", account.FlagChange{Superuser: &on}); err != nil {
				return "", accountRefusal(err, u.Username, "")
			}
			return fmt.Sprintf("User changed: %s: superuser=%t", u.Username, on), nil
		})
		return "superuser", nil, err
	})
}
