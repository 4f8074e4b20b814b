package upload

import (
	"context"
	"fmt"

	"github.com/tabletapi/tabletapi/internal/account"
	"github.com/tabletapi/tabletapi/internal/fault"
	"github.com/tabletapi/tabletapi/internal/patient"
	"github.com/tabletapi/tabletapi/internal/registry"
)

// checkIDNums applies the ID-number checks of PROTOCOL 8.4.2 to the
// patient_idnum rows about to be inserted.
func (e *Engine) checkIDNums(ctx context.Context, c *Call, t *registry.Table, rows []newRow) error {
	if len(rows) == 0 {
		return nil
	}
	// One owner for idnum_definitions: the account package's reader.
	all, err := account.NewStore(c.Tx, nil).IDNums(ctx)
	if err != nil {
		return fmt.Errorf("upload: %w", err)
	}
	defs := account.IDNumMethods(all)
	for _, r := range rows {
		var which, value any
		for i, f := range r.rec.Fields {
			switch f.Name {
			case "which_idnum":
				which = r.rec.Values[i]
			case "idnum_value":
				value = r.rec.Values[i]
			}
		}
		n, ok := which.(int64)
		method, defined := defs[n]
		if !ok || !defined {
			return userErrorf("No such ID number type: %s", pyInt(which))
		}
		if why := patient.IDNumProblem(method, value); why != "" {
			// The number identifies a patient: the log gets the rest.
			return &fault.Error{
				Kind:    fault.Refused,
				Message: patient.InvalidIDNumMessage(n, pyInt(value), why),
				Log:     fmt.Sprintf("For ID type %d, an ID number is invalid: %s", n, why),
			}
		}
	}
	return nil
}

// pyInt writes an integer or NULL as the reference does (None for NULL).
func pyInt(v any) string {
	if v == nil {
		return "None"
	}
	return fmt.Sprint(v)
}
