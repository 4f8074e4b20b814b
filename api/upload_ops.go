package api

import (
	"context"

	"github.com/tabletapi/tabletapi/internal/upload"
	"github.com/tabletapi/tabletapi/tabletsession"
)

// uploadOps are the batch operations of PROTOCOL 6.11–6.19; each runs in
// the phase-B transaction with the device locked.
func (s *server) uploadOps() map[string]func(context.Context, *upload.Call) (string, error) {
	return map[string]func(context.Context, *upload.Call) (string, error){
		"start_upload":           s.engine.StartUpload,
		"start_preservation":     s.engine.StartPreservation,
		"upload_empty_tables":    s.engine.UploadEmptyTables,
		"upload_table":           s.engine.UploadTable,
		"upload_record":          s.engine.UploadRecord,
		"delete_where_key_not":   s.engine.DeleteWhereKeyNot,
		"which_keys_to_send":     s.engine.WhichKeysToSend,
		"end_upload":             s.engine.EndUpload,
		"upload_entire_database": s.engine.UploadEntireDatabase,
	}
}

// batchOp adapts an upload operation to the dispatch table.
func batchOp(run func(context.Context, *upload.Call) (string, error)) operation {
	return operation{
		class:  tabletsession.ClassUpload,
		writes: true,
		run: func(ctx context.Context, x *opContext) (*Reply, error) {
			res, err := run(ctx, uploadCall(x))
			if err != nil {
				return nil, err
			}
			return result(res), nil
		},
	}
}

// uploadCall builds the engine's view of a request.
func uploadCall(x *opContext) *upload.Call {
	r := x.req
	return &upload.Call{
		Tx:           x.tx,
		DeviceID:     x.rights.DeviceID,
		UserID:       x.rights.UserID,
		Username:     x.rights.Username,
		GroupID:      x.rights.UploadGroupID,
		Version:      r.VersionString,
		VersionShown: r.Version.String(),
		ClientIP:     r.ClientIP,
		Now:          x.now,
		Received:     x.received,
		AtLeast: func(v string) bool {
			min, err := tabletsession.ParseVersion(v)
			return err == nil && r.Version.Compare(min) >= 0
		},
		Get: r.Form.Get,
		Raw: r.Form.Raw,
	}
}
