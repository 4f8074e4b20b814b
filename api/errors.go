package api

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/tabletapi/tabletapi/device"
	"github.com/tabletapi/tabletapi/internal/codec"
	"github.com/tabletapi/tabletapi/internal/patient"
	"github.com/tabletapi/tabletapi/internal/sqldb"
	"github.com/tabletapi/tabletapi/internal/upload"
	"github.com/tabletapi/tabletapi/tabletsession"
)

// Generic 503 messages (PROTOCOL 1.5); details go to the log only.
const (
	msgDatabaseUnavailable = "Database unavailable"
	msgInternal            = "Internal server error"
	msgBusy                = "Server busy; try again later"
)

// logSafe is a failure whose message may hold patient data: the log
// writes LogText instead, and the tablet still gets the whole message.
type logSafe interface{ LogText() string }

// userError is a failure whose message is the exact wire text.
type userError struct{ msg string }

func (e *userError) Error() string { return "api: " + e.msg }

// missing is the error for a mandatory parameter that is absent or blank.
func missing(name string) error {
	return &userError{msg: "Must provide the variable: " + name}
}

// notSupported is the dispatch error for an unknown operation.
func notSupported(op string) error {
	if op == "" {
		op = "None"
	}
	return &userError{msg: fmt.Sprintf("operation=%s: not supported", op)}
}

// publicErrors maps domain errors to their exact wire text (PROTOCOL 11),
// all with HTTP 200.
var publicErrors = []struct {
	target error
	msg    string
}{
	{tabletsession.ErrBadLogin, "Invalid username/password (or user not authorized)"},
	{tabletsession.ErrThrottled, "Too many failed logins from this address; try again later"},
	{tabletsession.ErrNotAuthorizedRegister, "User not authorized to register devices for selected group"},
	{tabletsession.ErrNotAuthorizedUpload, "User not authorized to upload to selected group"},
	{tabletsession.ErrUnregisteredDevice, "Unregistered device"},
	{device.ErrNotFound, "Unregistered device"},
	{device.ErrNameRequired, "Must provide the variable: device"},
	{device.ErrInsertFailed, "Failed to insert record"},
}

// classify returns the status and wire message for err, and whether err is
// unexpected (to be logged with its detail). err.Error() never reaches a
// client.
func classify(err error) (status int, msg string, unexpected bool) {
	var ue *userError
	var locked *tabletsession.LockedError
	var noGroup *tabletsession.NoUploadGroupError
	var upErr *upload.Error
	var valErr *codec.ValueError
	var patErr *patient.Error
	var devMissing *upload.DeviceMissingError
	switch {
	case errors.As(err, &upErr):
		return http.StatusOK, upErr.Message, false
	case errors.As(err, &valErr):
		return http.StatusOK, valErr.Message(), false
	case errors.As(err, &patErr):
		return http.StatusOK, patErr.Message, false
	case errors.As(err, &devMissing):
		return http.StatusServiceUnavailable, devMissing.Error(), true
	case errors.As(err, &ue):
		return http.StatusOK, ue.msg, false
	case errors.As(err, &locked):
		return http.StatusOK, "Account locked; try again after " + locked.Until.UTC().Format("2006-01-02T15:04:05Z"), false
	case errors.As(err, &noGroup):
		return http.StatusOK, "No upload group set for user " + noGroup.Username, false
	case errors.Is(err, tabletsession.ErrBusy):
		return http.StatusServiceUnavailable, msgBusy, false
	}
	for _, pe := range publicErrors {
		if errors.Is(err, pe.target) {
			return http.StatusOK, pe.msg, false
		}
	}
	if sqldb.IsUnavailable(err) {
		return http.StatusServiceUnavailable, msgDatabaseUnavailable, true
	}
	return http.StatusServiceUnavailable, msgInternal, true
}
