package sim

import (
	"context"
	"errors"
)

// UploadResult is what one upload sequence sent and saw.
type UploadResult struct {
	Method        Method
	OneStep       bool
	Requests      int      // requests sent, including a failed one
	RecordsSent   int      // records sent whole, recordwise or in dbdata
	Tables        []string // the tables of which records were sent
	WhichKeys     []string // which_keys_to_send's PKs; nil if not sent
	UploadRecords []string // upload_record results, in order
}

// Upload runs one upload sequence of PROTOCOL 12.3 by method, one-step
// (upload_entire_database) or multi-step, exactly as the real client does:
// local preparation, the preamble, the upload, and after success the local
// deletions of the method. It starts with no session and carries the
// session only within the sequence. It stops at the first failure, and
// then keeps the local data, so that calling Upload again is the tablet's
// retry.
//
// The error is a *RequestError. If the committing request got no reply,
// the upload may or may not have happened, and Unsettled reports true
// until an upload succeeds.
func (t *Tablet) Upload(ctx context.Context, method Method, oneStep bool) (*UploadResult, error) {
	res := &UploadResult{Method: method, OneStep: oneStep}
	if !t.registered {
		return res, localError("upload", "the tablet is not registered")
	}
	t.prepare(method)
	t.client.ResetSession()
	defer t.client.ResetSession()
	err := t.upload(ctx, method, oneStep, res)
	if err != nil {
		var rerr *RequestError
		if errors.As(err, &rerr) && rerr.uncertain() {
			t.unsettled = true
		}
		return res, err
	}
	t.model.uploaded(method, t.schema.TableNames(), t.tables)
	t.wipe(method)
	t.unsettled = false
	t.uploads++
	return res, nil
}

func (t *Tablet) upload(ctx context.Context, method Method, oneStep bool, res *UploadResult) error {
	before := t.requests
	defer func() { res.Requests = t.requests - before }()
	cat, err := t.preamble(ctx, method)
	if err != nil {
		return err
	}
	if oneStep {
		return t.oneStep(ctx, method, res)
	}
	return t.multiStep(ctx, method, cat, res)
}

// preamble sends steps 1–5 of PROTOCOL 12.3 and returns the catalogue of
// tables.
func (t *Tablet) preamble(ctx context.Context, method Method) (*catalogue, error) {
	if err := t.expect(ctx, "check_device_registered", nil, "check_device_registered"); err != nil {
		return nil, err
	}
	if err := t.expect(ctx, "check_upload_user_and_device", nil, "check_upload_user_and_device"); err != nil {
		return nil, err
	}
	r, err := t.do(ctx, "get_id_info", nil)
	if err != nil {
		return nil, err
	}
	if err := parseServerInfo(r).check("get_id_info", t.info); err != nil {
		return nil, err
	}
	info, err := t.patientInfo(method)
	if err != nil {
		return nil, err
	}
	if err := t.expect(ctx, "validate_patients", map[string]string{"patient_info": info}, "Success"); err != nil {
		return nil, err
	}
	r, err = t.do(ctx, "get_allowed_tables", nil)
	if err != nil {
		return nil, err
	}
	allowed, err := allowedTables(r)
	if err != nil {
		return nil, err
	}
	return t.catalogue(allowed)
}

// catalogue is the client's sorting of its tables before an upload.
type catalogue struct {
	empty, whole, recordwise []string
}

// catalogue sorts the local tables, alphabetically, as the client does
// (PROTOCOL 12.3 step 5): an empty table the server takes goes on the
// empty list, a non-empty blobs is sent recordwise and any other non-empty
// table whole. A non-empty table the server lacks, or that needs a newer
// client, aborts the upload; an empty one is skipped.
func (t *Tablet) catalogue(allowed map[string]string) (*catalogue, error) {
	c := &catalogue{}
	for _, table := range t.schema.TableNames() {
		min, ok := allowed[table]
		usable := ok && versionAtLeast(t.cfg.CamcopsVersion, min)
		empty := len(t.tables[table]) == 0
		switch {
		case !usable && empty:
		case !usable:
			return nil, localError("get_allowed_tables", "the server does not accept table %s from client %s", table, t.cfg.CamcopsVersion)
		case empty:
			c.empty = append(c.empty, table)
		case table == TableBlobs:
			c.recordwise = append(c.recordwise, table)
		default:
			c.whole = append(c.whole, table)
		}
	}
	return c, nil
}
