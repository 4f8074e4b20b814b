package patient

import (
	"context"
	"errors"

	"github.com/tabletapi/tabletapi/internal/fault"
)

// ErrNoIDNumbers is the failure of an access key whose patient has no
// current ID numbers (PROTOCOL 6.3 step 4): HTTP 503 with this text.
var ErrNoIDNumbers = &fault.Error{Kind: fault.Inconsistent, Message: "Patient has no ID numbers"}

// NoPatientError is the refusal of an access key that is malformed or
// names no current server patient (PROTOCOL 6.3 steps 2 and 3), with the
// key echoed as sent. Its log text shows only the key's first word
// (KeyPrefix): the key is the patient's credential.
func NoPatientError(key string) *fault.Error {
	return &fault.Error{
		Kind:    fault.Refused,
		Message: "There is no patient with access key '" + key + "'. Have you entered the key correctly?",
		Log:     "There is no patient with access key '" + KeyPrefix(key) + "-…'",
	}
}

// ServerPatientByKey returns the current server patient whose access key
// is key, with its ID numbers (PROTOCOL 6.3 steps 2–4). The key is decoded
// to its UUID and the patient looked up by that in the database, so no Go
// code compares the key, or anything derived from it, with a stored
// secret: there is no comparison whose timing could leak it.
//
// Errors: a *fault.Error from NoPatientError when the key is malformed or
// names no patient (IsNoPatient reports it); ErrNoIDNumbers when the
// patient has none; otherwise database errors.
func (s *Store) ServerPatientByKey(ctx context.Context, key string) (*ServerPatient, error) {
	id, err := ParseAccessKey(key)
	if err != nil {
		return nil, &noPatient{NoPatientError(key)}
	}
	p, err := s.ServerPatientByUUID(ctx, id)
	switch {
	case err != nil:
		return nil, err
	case p == nil:
		return nil, &noPatient{NoPatientError(key)}
	case len(p.IDNums) == 0:
		return nil, ErrNoIDNumbers
	}
	return p, nil
}

// noPatient marks the refusal of ServerPatientByKey for a key that finds no
// patient, which IsNoPatient recognises.
type noPatient struct{ refusal *fault.Error }

func (e *noPatient) Error() string { return e.refusal.Error() }
func (e *noPatient) Unwrap() error { return e.refusal }

// IsNoPatient reports whether err is ServerPatientByKey's refusal of a key
// that is malformed or names no patient: a failed guess of the credential.
func IsNoPatient(err error) bool {
	var np *noPatient
	return errors.As(err, &np)
}
