package console

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"
	"github.com/uptrace/bun"

	"github.com/tabletapi/tabletapi/internal/account"
	"github.com/tabletapi/tabletapi/internal/audit"
)

// The groups pages (superusers only): the list with the add form, and one
// group's edit form. A policy that the ID-policy parser rejects is refused
// with the parser's message (account.CheckPolicies) and nothing changes.

// groupForm is the input of the add and edit forms, shown again after a
// refusal. An empty policy or description is stored as none.
type groupForm struct {
	Name, Description, UploadPolicy, FinalizePolicy string
	IPUse                                           account.IPUse
}

// groupsData is the groups page's data.
type groupsData struct {
	Groups []account.Group
	Form   groupForm
	Error  string
	Done   string // unused: the add form leads to the new group's page
}

// groupData is a group page's data.
type groupData struct {
	Group *account.Group
	Form  groupForm
	Error string
	Done  string
}

// readGroupForm reads the posted group form.
func readGroupForm(ec echo.Context) groupForm {
	f := ec.Request().PostForm
	return groupForm{
		Name: f.Get("name"), Description: f.Get("description"),
		UploadPolicy: f.Get("upload_policy"), FinalizePolicy: f.Get("finalize_policy"),
		IPUse: account.IPUse{
			Commercial: checked(ec, "ip_commercial"), Clinical: checked(ec, "ip_clinical"),
			Educational: checked(ec, "ip_educational"), Research: checked(ec, "ip_research"),
		},
	}
}

// formOf is g's settings as the edit form shows them.
func formOf(g *account.Group) groupForm {
	return groupForm{Name: g.Name, Description: deref(g.Description), UploadPolicy: deref(g.UploadPolicy),
		FinalizePolicy: deref(g.FinalizePolicy), IPUse: g.IPUse()}
}

// deref is *s, or "" for nil.
func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// orNil is nil for "" (none), else &s.
func orNil(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// checkGroupForm refuses policies that do not parse, with the parser's
// message.
func checkGroupForm(f groupForm) error {
	var pe *account.PolicyError
	if err := account.CheckPolicies(orNil(f.UploadPolicy), orNil(f.FinalizePolicy)); errors.As(err, &pe) {
		return invalid(fmt.Sprintf("The %s policy does not parse: %v", pe.Which, pe.Err))
	}
	return nil
}

// handleGroups lists the groups and shows the add form.
func (c *Console) handleGroups(ec echo.Context) error {
	return c.groupsPage(ec, http.StatusOK, groupForm{}, "")
}

// groupsPage renders the groups page with status, the add form's input
// and its refusal.
func (c *Console) groupsPage(ec echo.Context, status int, form groupForm, refusal string) error {
	groups, err := c.accounts.Groups(ec.Request().Context())
	if err != nil {
		return err
	}
	return c.render(ec, status, "groups", "Groups", groupsData{Groups: groups, Form: form, Error: refusal})
}

// handleGroupAdd adds a group from the add form.
func (c *Console) handleGroupAdd(ec echo.Context) error {
	form := readGroupForm(ec)
	var id int64
	err := checkGroupForm(form)
	if err == nil {
		err = c.change(ec, audit.OpGroupAdd, func(ctx context.Context, tx bun.Tx) (string, error) {
			g := account.Group{Name: form.Name, Description: orNil(form.Description),
				UploadPolicy: orNil(form.UploadPolicy), FinalizePolicy: orNil(form.FinalizePolicy)}
			g.SetIPUse(form.IPUse)
			added, err := account.NewStore(tx, c.now).AddGroup(ctx, g)
			switch {
			case errors.Is(err, account.ErrInvalidName):
				return "", invalid(fmt.Sprintf("%q is not a valid group name: use 1–191 of A–Z a–z 0–9 _ -.", form.Name))
			case errors.Is(err, account.ErrExists):
				return "", invalid(fmt.Sprintf("A group named %q already exists.", form.Name))
			case err != nil:
				return "", err
			}
			id = added.ID
			return "Group added: " + added.Name + "; " + added.Settings(), nil
		})
	}
	var fe *formError
	if errors.As(err, &fe) {
		return c.groupsPage(ec, fe.Status, form, fe.Message)
	}
	if err != nil {
		return err
	}
	return c.redirectDone(ec, "/groups/"+strconv.FormatInt(id, 10), "group", nil)
}

// groupByParam is the group of the path's id; 404 if none.
func (c *Console) groupByParam(ec echo.Context) (*account.Group, error) {
	id, err := idParam(ec)
	if err != nil {
		return nil, err
	}
	g, err := c.accounts.GroupByID(ec.Request().Context(), id)
	if errors.Is(err, account.ErrGroupNotFound) {
		return nil, echo.NewHTTPError(http.StatusNotFound, "No such group.")
	}
	return g, err
}

// handleGroup shows a group's edit form.
func (c *Console) handleGroup(ec echo.Context) error {
	g, err := c.groupByParam(ec)
	if err != nil {
		return err
	}
	return c.render(ec, http.StatusOK, "group", "Group "+g.Name,
		groupData{Group: g, Form: formOf(g), Done: doneMessage(ec.QueryParams())})
}

// handleGroupEdit replaces a group's description, policies and IP-use
// flags with the form's.
func (c *Console) handleGroupEdit(ec echo.Context) error {
	g, err := c.groupByParam(ec)
	if err != nil {
		return err
	}
	form := readGroupForm(ec)
	form.Name = g.Name
	err = checkGroupForm(form)
	if err == nil {
		ch := account.GroupChange{Description: &form.Description, UploadPolicy: &form.UploadPolicy,
			FinalizePolicy: &form.FinalizePolicy, IPUse: &form.IPUse}
		err = c.change(ec, audit.OpGroupSet, func(ctx context.Context, tx bun.Tx) (string, error) {
			changed, err := account.NewStore(tx, c.now).UpdateGroup(ctx, g.Name, ch)
			if errors.Is(err, account.ErrGroupNotFound) {
				return "", echo.NewHTTPError(http.StatusNotFound, "No such group.")
			}
			if err != nil {
				return "", err
			}
			return "Group changed: " + changed.Name + "; " + changed.Settings(), nil
		})
	}
	var fe *formError
	if errors.As(err, &fe) {
		return c.render(ec, fe.Status, "group", "Group "+g.Name, groupData{Group: g, Form: form, Error: fe.Message})
	}
	if err != nil {
		return err
	}
	return c.redirectDone(ec, "/groups/"+strconv.FormatInt(g.ID, 10), "group", nil)
}
