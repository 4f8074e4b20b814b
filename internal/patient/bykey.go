package patient

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/tabletapi/tabletapi/internal/fault"
)

// ErrUnknownKey means an access key is malformed or names no current
// server patient (PROTOCOL 6.3 steps 2 and 3). FindByKey's error wraps it
// as well as the *fault.Error the tablet gets, so that a caller can count
// the failed key against the client IP's throttle (4.4).
var ErrUnknownKey = errors.New("patient: unknown access key")

// FindByKey returns the server patient whose access key is key, with its
// ID numbers: PROTOCOL 6.3 steps 1 to 4, shared by register_patient and
// get_task_schedules. Its errors, in that order:
//   - key missing or blank: "Must provide the variable: patient_proquint";
//   - malformed, or no such patient: "There is no patient with access key
//     '<key>'. Have you entered the key correctly?", which also wraps
//     ErrUnknownKey; its log text shows only the key's first word
//     (KeyPrefix), since the key is a credential;
//   - no ID numbers: 503 "Patient has no ID numbers" (fault.Inconsistent);
//   - database errors.
func (s *Store) FindByKey(ctx context.Context, key string) (*ServerPatient, error) {
	if strings.TrimSpace(key) == "" {
		return nil, fault.MissingVariable("patient_proquint")
	}
	unknown := func() error {
		return fmt.Errorf("%w: %w", ErrUnknownKey, &fault.Error{Kind: fault.Refused,
			Message: "There is no patient with access key '" + key + "'. Have you entered the key correctly?",
			Log:     fmt.Sprintf("There is no patient with access key '%s-…'", KeyPrefix(key))})
	}
	id, err := ParseAccessKey(key)
	if err != nil {
		return nil, unknown()
	}
	p, err := s.ServerPatientByUUID(ctx, id)
	switch {
	case err != nil:
		return nil, err
	case p == nil:
		return nil, unknown()
	case len(p.IDNums) == 0:
		return nil, &fault.Error{Kind: fault.Inconsistent, Message: "Patient has no ID numbers",
			Log: fmt.Sprintf("Patient has no ID numbers (patient _pk %d)", p.PK)}
	}
	return p, nil
}
