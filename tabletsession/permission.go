package tabletsession

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/tabletapi/tabletapi/device"
)

// Class is an operation's permission class (PROTOCOL 5.2).
type Class int

// The permission classes.
const (
	ClassAnyone Class = iota
	ClassRegistration
	ClassUpload
)

// Rights is what a request may act with once Authorize has passed.
type Rights struct {
	UserID        int64
	Username      string
	UploadGroupID int64
	DeviceID      int64 // set for ClassUpload: the registered device's id
}

// What the permission checks read, as select-list items and joins on users
// (alias u): the user's upload group, superuser flag, and rights in that
// group, and the id of the device named by the first placeholder. The
// same text serves rightsQuery and, added to the session read, the joined
// lookup of Resolve, so both read exactly the same rights.
const (
	rightsColumns = `u.upload_group_id, u.superuser,
       COALESCE(m.may_upload, FALSE), COALESCE(m.may_register_devices, FALSE),
       (SELECT d.id FROM devices AS d WHERE d.name = ?)`
	rightsJoins = `LEFT JOIN memberships AS m ON m.user_id = u.id AND m.group_id = u.upload_group_id`
)

// rightsQuery reads what the permission checks need in one statement, for
// a request that did not read them with its session (a password login).
const rightsQuery = `SELECT ` + rightsColumns + `
FROM users AS u
` + rightsJoins + `
WHERE u.id = ?`

// rightsRow is one row of rightsColumns, read for device.
type rightsRow struct {
	device           string
	groupID          sql.NullInt64
	superuser        bool
	mayUpload, mayRD bool
	deviceID         sql.NullInt64
}

// dest returns the scan destinations of rightsColumns, in their order.
func (w *rightsRow) dest() []any {
	return []any{&w.groupID, &w.superuser, &w.mayUpload, &w.mayRD, &w.deviceID}
}

// Authorize applies the checks of PROTOCOL 5.3 for class, in order. Rights
// are re-read on every request, never carried by a session: a request that
// holds a session read them with it (Resolve, in the same statement);
// otherwise Authorize reads them here, with one prepared statement.
// Errors: ErrBadLogin, ErrThrottled, a lockout refusal,
// NoUploadGroupError, ErrNotAuthorizedRegister, ErrNotAuthorizedUpload,
// device.ErrNotFound (no device, or not registered), or a database error.
func (a *Authenticator) Authorize(ctx context.Context, id *Identity, class Class, deviceName string) (*Rights, error) {
	if class == ClassAnyone {
		return &Rights{UserID: id.UserID, Username: id.Username}, nil
	}
	if id.Anonymous() {
		if id.Refusal != nil && !errors.Is(id.Refusal, ErrBadLogin) {
			return nil, id.Refusal
		}
		return nil, ErrBadLogin
	}
	w := id.rights
	if w == nil || w.device != deviceName {
		w = &rightsRow{device: deviceName}
		err := a.rights.QueryRowContext(ctx, a.db, deviceName, id.UserID).Scan(w.dest()...)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, ErrBadLogin // the user was deleted after logging in
		}
		if err != nil {
			return nil, fmt.Errorf("tabletsession: read rights: %w", err)
		}
	}
	if !w.groupID.Valid {
		return nil, NoUploadGroupError(id.Username)
	}
	r := &Rights{UserID: id.UserID, Username: id.Username, UploadGroupID: w.groupID.Int64}
	switch class {
	case ClassRegistration:
		if !w.superuser && !w.mayRD {
			return nil, ErrNotAuthorizedRegister
		}
	case ClassUpload:
		if !w.superuser && !w.mayUpload {
			return nil, ErrNotAuthorizedUpload
		}
		if deviceName == "" || !w.deviceID.Valid {
			return nil, device.ErrNotFound
		}
		r.DeviceID = w.deviceID.Int64
	}
	return r, nil
}
