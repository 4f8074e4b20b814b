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

// rightsQuery reads what the permission checks need in one statement.
const rightsQuery = `SELECT u.upload_group_id, u.superuser,
       COALESCE(m.may_upload, FALSE), COALESCE(m.may_register_devices, FALSE),
       (SELECT d.id FROM devices AS d WHERE d.name = ?)
FROM users AS u
LEFT JOIN memberships AS m ON m.user_id = u.id AND m.group_id = u.upload_group_id
WHERE u.id = ?`

// Authorize applies the checks of PROTOCOL 5.3 for class, in order, with one
// read (a prepared statement). Rights are re-read on every request; a
// session carries identity only. Errors: ErrBadLogin, ErrThrottled, a
// lockout refusal, NoUploadGroupError, ErrNotAuthorizedRegister,
// ErrNotAuthorizedUpload, device.ErrNotFound (no device, or not
// registered), or a database error.
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
	var (
		groupID          sql.NullInt64
		superuser        bool
		mayUpload, mayRD bool
		deviceID         sql.NullInt64
	)
	err := a.rights.QueryRowContext(ctx, a.db, deviceName, id.UserID).Scan(&groupID, &superuser, &mayUpload, &mayRD, &deviceID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrBadLogin // the user was deleted after logging in
	}
	if err != nil {
		return nil, fmt.Errorf("tabletsession: read rights: %w", err)
	}
	if !groupID.Valid {
		return nil, NoUploadGroupError(id.Username)
	}
	r := &Rights{UserID: id.UserID, Username: id.Username, UploadGroupID: groupID.Int64}
	switch class {
	case ClassRegistration:
		if !superuser && !mayRD {
			return nil, ErrNotAuthorizedRegister
		}
	case ClassUpload:
		if !superuser && !mayUpload {
			return nil, ErrNotAuthorizedUpload
		}
		if deviceName == "" || !deviceID.Valid {
			return nil, device.ErrNotFound
		}
		r.DeviceID = deviceID.Int64
	}
	return r, nil
}
