package api

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/uptrace/bun"

	"github.com/tabletapi/tabletapi/device"
	"github.com/tabletapi/tabletapi/internal/account"
	"github.com/tabletapi/tabletapi/internal/audit"
	"github.com/tabletapi/tabletapi/internal/extrastrings"
	"github.com/tabletapi/tabletapi/internal/upload"
	"github.com/tabletapi/tabletapi/tabletsession"
)

// ServerCamcopsVersion is the CamCOPS server version this build speaks
// (PROTOCOL 9.3). The client refuses to upload when it changes.
const ServerCamcopsVersion = "2.4.24"

// operation is one API operation: its permission class, whether phase B
// writes (and so runs in a transaction), and its work.
type operation struct {
	class  tabletsession.Class
	writes bool
	run    func(ctx context.Context, x *opContext) (*Reply, error)
}

// opContext is what phase B of an operation works with. For writing
// operations db is tx, the request's transaction (upload.InTransaction);
// never begin another transaction on it.
type opContext struct {
	db     bun.IDB
	tx     *upload.Tx // nil for operations that do not write
	req    *tabletsession.Request
	rights *tabletsession.Rights
	now    time.Time

	// received is when handleTablet got the request, before reading its
	// body (upload.Call.Received).
	received time.Time
}

// operations is the dispatch table; an operation not in it is answered
// "not supported" before any permission check (PROTOCOL 2.3).
func (s *server) operations() map[string]operation {
	ops := map[string]operation{
		"validate_patients":            {class: tabletsession.ClassUpload, run: s.validatePatients},
		"check_device_registered":      {class: tabletsession.ClassAnyone, run: s.checkDeviceRegistered},
		"register_patient":             {class: tabletsession.ClassAnyone, run: s.registerPatient},
		"register":                     {class: tabletsession.ClassRegistration, writes: true, run: s.register},
		"get_allowed_tables":           {class: tabletsession.ClassRegistration, run: s.getAllowedTables},
		"get_extra_strings":            {class: tabletsession.ClassRegistration, run: s.getExtraStrings},
		"check_upload_user_and_device": {class: tabletsession.ClassUpload, run: checkUploadUserAndDevice},
		"get_id_info":                  {class: tabletsession.ClassUpload, run: s.getIDInfo},
		"get_task_schedules":           {class: tabletsession.ClassRegistration, writes: true, run: s.getTaskSchedules},
	}
	for name, run := range s.uploadOps() {
		ops[name] = batchOp(run)
	}
	return ops
}

// checkDeviceRegistered: PROTOCOL 6.2.
func (s *server) checkDeviceRegistered(ctx context.Context, x *opContext) (*Reply, error) {
	if x.req.Device == "" {
		return nil, device.ErrNotFound
	}
	if _, err := device.NewStore(x.db, nil).IDByName(ctx, x.req.Device); err != nil {
		return nil, err // device.ErrNotFound reads "Unregistered device"
	}
	return result("check_device_registered"), nil
}

// register: PROTOCOL 6.4. device.Store.Register refuses a missing device
// (device.ErrNameRequired).
func (s *server) register(ctx context.Context, x *opContext) (*Reply, error) {
	friendly := x.req.Form.Get("devicefriendlyname")
	d, err := device.NewStore(x.db, func() time.Time { return x.now }).Register(ctx, device.Registration{
		Name:           x.req.Device,
		FriendlyName:   friendly,
		CamcopsVersion: x.req.VersionString,
		UserID:         x.rights.UserID,
	})
	if err != nil {
		return nil, err
	}
	uid, did := x.rights.UserID, d.ID
	if err := audit.Write(ctx, x.db, audit.Entry{
		When: x.now, RemoteAddr: x.req.ClientIP, UserID: &uid, Username: x.rights.Username, DeviceID: &did,
		Operation: audit.OpRegister,
		Details:   fmt.Sprintf("register, device_id=%d, friendly_name=%s", d.ID, friendly),
	}); err != nil {
		return nil, err
	}
	s.log.InfoContext(ctx, "device registered", "device", d.Name, "device_id", d.ID, "user", x.rights.Username)
	return s.idInfo(ctx, x)
}

// getIDInfo: PROTOCOL 6.9.
func (s *server) getIDInfo(ctx context.Context, x *opContext) (*Reply, error) {
	return s.idInfo(ctx, x)
}

// idInfo builds the server ID info block of PROTOCOL 6.1.
func (s *server) idInfo(ctx context.Context, x *opContext) (*Reply, error) {
	accounts := account.NewStore(x.db, nil)
	g, err := accounts.GroupByID(ctx, x.rights.UploadGroupID)
	if errors.Is(err, account.ErrGroupNotFound) {
		return nil, tabletsession.NoUploadGroupError(x.rights.Username)
	}
	if err != nil {
		return nil, err
	}
	defs, err := accounts.IDNums(ctx)
	if err != nil {
		return nil, err
	}
	r := new(Reply).
		Add("databaseTitle", s.cfg.DatabaseTitle).
		AddOpt("idPolicyUpload", g.UploadPolicy).
		AddOpt("idPolicyFinalize", g.FinalizePolicy).
		Add("serverCamcopsVersion", ServerCamcopsVersion)
	for _, d := range defs {
		n := strconv.FormatInt(d.WhichIDNum, 10)
		r.Add("idDescription"+n, d.Description).
			Add("idShortDescription"+n, d.ShortDescription).
			AddOpt("idValidationMethod"+n, d.ValidationMethod)
	}
	return r, nil
}

// getAllowedTables: PROTOCOL 6.5, from the table registry.
func (s *server) getAllowedTables(context.Context, *opContext) (*Reply, error) {
	var rows [][]string
	for _, name := range s.registry.Names() {
		t, _ := s.registry.Table(name)
		rows = append(rows, []string{t.Name, t.MinVersion})
	}
	return selectBlock([]string{"tablename", "min_client_version"}, rows), nil
}

// getExtraStrings: PROTOCOL 6.6, the reply that New built once.
func (s *server) getExtraStrings(context.Context, *opContext) (*Reply, error) {
	return s.extraStrings, nil
}

// extraStringsReply builds the frozen reply of get_extra_strings, in the
// order of strs (extrastrings.Set sorts it). With none, the block is empty
// and the client keeps what it has.
func extraStringsReply(strs []extrastrings.String) *Reply {
	rows := make([][]string, len(strs))
	for i, x := range strs {
		rows[i] = []string{x.Task, x.Name, x.Language, x.Value}
	}
	return selectBlock([]string{"task", "name", "language", "value"}, rows).freeze()
}

// checkUploadUserAndDevice: PROTOCOL 6.8; passing the checks is the test.
func checkUploadUserAndDevice(context.Context, *opContext) (*Reply, error) {
	return result("check_upload_user_and_device"), nil
}
