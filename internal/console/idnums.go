package console

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/uptrace/bun"

	"github.com/tabletapi/tabletapi/internal/account"
	"github.com/tabletapi/tabletapi/internal/audit"
)

// The ID number types page (superusers only): the list and the add form.

// idnumForm is the add form's input, shown again after a refusal.
type idnumForm struct {
	Which, Description, ShortDescription, ValidationMethod string
}

// idnumsData is the page's data.
type idnumsData struct {
	IDNums  []account.IDNumDefinition
	Methods []string // the validation methods besides none
	Form    idnumForm
	Error   string
	Done    string
}

// handleIDNums lists the ID number types and shows the add form.
func (c *Console) handleIDNums(ec echo.Context) error {
	return c.idnumsPage(ec, http.StatusOK, idnumForm{}, "")
}

// idnumsPage renders the page with status, the form's input and its
// refusal.
func (c *Console) idnumsPage(ec echo.Context, status int, form idnumForm, refusal string) error {
	defs, err := c.accounts.IDNums(ec.Request().Context())
	if err != nil {
		return err
	}
	d := idnumsData{IDNums: defs, Methods: account.ValidationMethods(), Form: form, Error: refusal}
	if refusal == "" {
		d.Done = doneMessage(ec.QueryParams())
	}
	return c.render(ec, status, "idnums", "ID number types", d)
}

// handleIDNumAdd adds an ID number type (account.Store.AddIDNum, which
// checks it).
func (c *Console) handleIDNumAdd(ec echo.Context) error {
	f := ec.Request().PostForm
	form := idnumForm{Which: strings.TrimSpace(f.Get("which_idnum")), Description: f.Get("description"),
		ShortDescription: f.Get("short_description"), ValidationMethod: f.Get("validation_method")}
	which, err := strconv.ParseInt(form.Which, 10, 64)
	if err != nil {
		return c.idnumsPage(ec, http.StatusUnprocessableEntity, form, "The number must be a whole number, 1 or more.")
	}
	err = c.change(ec, audit.OpIDNumAdd, func(ctx context.Context, tx bun.Tx) (string, error) {
		d := account.IDNumDefinition{WhichIDNum: which, Description: form.Description,
			ShortDescription: form.ShortDescription, ValidationMethod: &form.ValidationMethod}
		err := account.NewStore(tx, c.now).AddIDNum(ctx, d)
		switch {
		case errors.Is(err, account.ErrExists):
			return "", invalid(fmt.Sprintf("ID number type %d already exists.", which))
		case errors.Is(err, account.ErrInvalidIDNum):
			return "", invalid("Check the fields: the number must be 1 or more, both descriptions are needed, " +
				"and the validation method must be one of the list.")
		case err != nil:
			return "", err
		}
		method := form.ValidationMethod
		if method == "" {
			method = "none"
		}
		return fmt.Sprintf("ID number type added: %d (%s, %s), validation %s",
			which, form.Description, form.ShortDescription, method), nil
	})
	var fe *formError
	if errors.As(err, &fe) {
		return c.idnumsPage(ec, fe.Status, form, fe.Message)
	}
	if err != nil {
		return err
	}
	return c.redirectDone(ec, "/idnums", "idnum", nil)
}
