package account

import (
	"context"
	"fmt"
	"slices"

	"github.com/uptrace/bun"

	"github.com/tabletapi/tabletapi/internal/sqldb"
)

// ValidationUKNHSNumber is the one ID-number validation method besides none
// (PROTOCOL 6.1).
const ValidationUKNHSNumber = "uk_nhs_number"

// ValidationMethods returns the ID-number validation methods besides none:
// the values AddIDNum accepts, and the list the command line shows.
func ValidationMethods() []string { return []string{ValidationUKNHSNumber} }

// IDNumDefinition is a row of idnum_definitions: one type of patient ID
// number. A nil ValidationMethod means none; the API sends it as "".
type IDNumDefinition struct {
	bun.BaseModel `bun:"table:idnum_definitions,alias:i"`

	WhichIDNum       int64   `bun:"which_idnum,pk"`
	Description      string  `bun:"description,notnull"`
	ShortDescription string  `bun:"short_description,notnull"`
	ValidationMethod *string `bun:"validation_method"`
}

// AddIDNum stores the definition d; an empty validation method is stored as
// NULL. The error wraps ErrInvalidIDNum if d.WhichIDNum < 1, a description
// is empty or the validation method is neither "" nor one of
// ValidationMethods, and ErrExists if that number is already defined.
func (s *Store) AddIDNum(ctx context.Context, d IDNumDefinition) error {
	if err := checkIDNum(&d); err != nil {
		return err
	}
	if _, err := s.db.NewInsert().Model(&d).Exec(ctx); err != nil {
		if sqldb.IsUniqueViolation(err) {
			return fmt.Errorf("account: ID number %d: %w", d.WhichIDNum, ErrExists)
		}
		return fmt.Errorf("account: add ID number %d: %w", d.WhichIDNum, err)
	}
	return nil
}

// checkIDNum validates d and turns an empty validation method into nil.
func checkIDNum(d *IDNumDefinition) error {
	switch {
	case d.WhichIDNum < 1:
		return fmt.Errorf("account: ID number %d: must be at least 1: %w", d.WhichIDNum, ErrInvalidIDNum)
	case d.Description == "", d.ShortDescription == "":
		return fmt.Errorf("account: ID number %d: empty description: %w", d.WhichIDNum, ErrInvalidIDNum)
	}
	switch {
	case d.ValidationMethod == nil:
	case *d.ValidationMethod == "":
		d.ValidationMethod = nil
	case !slices.Contains(ValidationMethods(), *d.ValidationMethod):
		return fmt.Errorf("account: ID number %d: validation method %q: %w",
			d.WhichIDNum, *d.ValidationMethod, ErrInvalidIDNum)
	}
	return nil
}

// IDNums returns every ID-number definition in ascending which_idnum, or an
// empty slice when there are none. Its errors come from the database only.
func (s *Store) IDNums(ctx context.Context) ([]IDNumDefinition, error) {
	defs := []IDNumDefinition{}
	if err := s.db.NewSelect().Model(&defs).Order("i.which_idnum ASC").Scan(ctx); err != nil {
		return nil, fmt.Errorf("account: ID numbers: %w", err)
	}
	return defs, nil
}

// IDNumMethods maps each defined ID-number type in defs to its validation
// method, "" for none, so a type's presence in the map says it is defined.
func IDNumMethods(defs []IDNumDefinition) map[int64]string {
	m := make(map[int64]string, len(defs))
	for _, d := range defs {
		m[d.WhichIDNum] = ""
		if d.ValidationMethod != nil {
			m[d.WhichIDNum] = *d.ValidationMethod
		}
	}
	return m
}
