package tabletsession_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tabletapi/tabletapi/device"
	"github.com/tabletapi/tabletapi/tabletsession"
)

func TestAuthenticator_Authorize(t *testing.T) {
	e := newEnv(t, 0)
	ctx := t.Context()
	uploader := e.MustAddUser(t, "uploader", goodPW, rights{upload: true})
	registrar := e.MustAddUser(t, "registrar", goodPW, rights{register: true})
	super := e.MustAddUser(t, "super", goodPW, rights{superuser: true})
	nobody := e.MustAddUser(t, "nobody", goodPW, rights{})
	groupless := e.MustAddUser(t, "groupless", goodPW, rights{upload: true, register: true})
	mustExec(t, e.db, "UPDATE users SET upload_group_id = NULL WHERE id = ?", groupless.ID)
	gone := e.MustAddUser(t, "gone", goodPW, rights{upload: true})
	mustExec(t, e.db, "DELETE FROM memberships WHERE user_id = ?", gone.ID)
	mustExec(t, e.db, "DELETE FROM users WHERE id = ?", gone.ID)
	var tabletID int64
	if err := e.db.NewRaw("INSERT INTO devices (name) VALUES ('tab1') RETURNING id").Scan(ctx, &tabletID); err != nil {
		t.Fatal(err)
	}
	group := *uploader.UploadGroupID

	id := func(userID int64, name string) *tabletsession.Identity {
		return &tabletsession.Identity{UserID: userID, Username: name, SessionID: 1, Token: "t"}
	}
	anon := func(refusal error) *tabletsession.Identity {
		return &tabletsession.Identity{Username: "someone", Refusal: refusal}
	}
	locked := lockedRefusal(utc(12, 10, 1, 0))
	tests := []struct {
		name   string
		id     *tabletsession.Identity
		class  tabletsession.Class
		device string
		want   *tabletsession.Rights
		err    error
	}{
		{"AnyoneAnonymous", anon(nil), tabletsession.ClassAnyone, "", &tabletsession.Rights{Username: "someone"}, nil},
		{"AnyoneGroupless", id(groupless.ID, "groupless"), tabletsession.ClassAnyone, "", &tabletsession.Rights{UserID: groupless.ID, Username: "groupless"}, nil},
		// An anonymous identity is refused with its refusal; a bad login
		// or no user posted at all is ErrBadLogin.
		{"AnonymousNoUser", anon(nil), tabletsession.ClassRegistration, "tab1", nil, tabletsession.ErrBadLogin},
		{"AnonymousBadLogin", anon(tabletsession.ErrBadLogin), tabletsession.ClassUpload, "tab1", nil, tabletsession.ErrBadLogin},
		{"AnonymousThrottled", anon(tabletsession.ErrThrottled), tabletsession.ClassUpload, "tab1", nil, tabletsession.ErrThrottled},
		{"AnonymousLocked", anon(locked), tabletsession.ClassRegistration, "", nil, locked},
		{"DeletedUser", id(gone.ID, "gone"), tabletsession.ClassUpload, "tab1", nil, tabletsession.ErrBadLogin},
		// The group check comes before the rights.
		{"NoUploadGroup", id(groupless.ID, "groupless"), tabletsession.ClassUpload, "tab1", nil, noUploadGroup("groupless")},
		{"RegisterOK", id(registrar.ID, "registrar"), tabletsession.ClassRegistration, "new", &tabletsession.Rights{UserID: registrar.ID, Username: "registrar", UploadGroupID: group}, nil},
		{"RegisterSuperuser", id(super.ID, "super"), tabletsession.ClassRegistration, "", &tabletsession.Rights{UserID: super.ID, Username: "super", UploadGroupID: group}, nil},
		{"RegisterRefused", id(uploader.ID, "uploader"), tabletsession.ClassRegistration, "tab1", nil, tabletsession.ErrNotAuthorizedRegister},
		{"UploadOK", id(uploader.ID, "uploader"), tabletsession.ClassUpload, "tab1", &tabletsession.Rights{UserID: uploader.ID, Username: "uploader", UploadGroupID: group, DeviceID: tabletID}, nil},
		{"UploadSuperuser", id(super.ID, "super"), tabletsession.ClassUpload, "tab1", &tabletsession.Rights{UserID: super.ID, Username: "super", UploadGroupID: group, DeviceID: tabletID}, nil},
		// The right to upload comes before the device.
		{"UploadRefused", id(registrar.ID, "registrar"), tabletsession.ClassUpload, "unknown", nil, tabletsession.ErrNotAuthorizedUpload},
		{"UploadNothingRefused", id(nobody.ID, "nobody"), tabletsession.ClassUpload, "tab1", nil, tabletsession.ErrNotAuthorizedUpload},
		{"UnregisteredDevice", id(uploader.ID, "uploader"), tabletsession.ClassUpload, "unknown", nil, device.ErrNotFound},
		{"NoDevice", id(uploader.ID, "uploader"), tabletsession.ClassUpload, "", nil, device.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := e.auth.Authorize(ctx, tt.id, tt.class, tt.device)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Authorize rights (-want +got):\n%s", diff)
			}
			if !sameError(err, tt.err) {
				t.Errorf("Authorize error = %v, want %v", err, tt.err)
			}
		})
	}
}
