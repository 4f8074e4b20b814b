package upload

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/tabletapi/tabletapi/internal/audit"
	"github.com/tabletapi/tabletapi/internal/codec"
	"github.com/tabletapi/tabletapi/internal/registry"
)

// begin locks the device and acquires the batch: the start of every
// multi-step operation after its parameters are validated.
func (e *Engine) begin(ctx context.Context, c *Call) (*batch, error) {
	st, err := e.lockDevice(ctx, c)
	if err != nil {
		return nil, err
	}
	return e.acquire(ctx, c, st)
}

// StartUpload is start_upload (PROTOCOL 6.11).
func (e *Engine) StartUpload(ctx context.Context, c *Call) (string, error) {
	st, err := e.lockDevice(ctx, c)
	if err != nil {
		return "", err
	}
	if _, err := e.startBatch(ctx, c, st); err != nil {
		return "", err
	}
	return "start_upload", nil
}

// StartPreservation is start_preservation (PROTOCOL 6.12).
func (e *Engine) StartPreservation(ctx context.Context, c *Call) (string, error) {
	if _, err := e.begin(ctx, c); err != nil {
		return "", err
	}
	if err := c.devices().StartPreservation(ctx, c.DeviceID); err != nil {
		return "", fmt.Errorf("upload: %w", err)
	}
	if err := e.markDirty(ctx, c, e.reg.Tables()...); err != nil {
		return "", err
	}
	return "STARTPRESERVATION", nil
}

// UploadEmptyTables is upload_empty_tables (PROTOCOL 6.13).
func (e *Engine) UploadEmptyTables(ctx context.Context, c *Call) (string, error) {
	raw, err := mandatory(c, "tables")
	if err != nil {
		return "", err
	}
	var tables []*registry.Table
	for _, name := range strings.Split(raw, ",") {
		t, err := e.table(c, strings.TrimSpace(name))
		if err != nil {
			return "", err
		}
		tables = append(tables, t)
	}
	b, err := e.begin(ctx, c)
	if err != nil {
		return "", err
	}
	// A listed table that holds no rows of D has no live rows to flag; in
	// a preserving batch it leaves the dirty set, all of them at once.
	held, err := e.holding(ctx, c, tables)
	if err != nil {
		return "", err
	}
	if b.preserving {
		var empty []*registry.Table
		for _, t := range tables {
			if !slices.Contains(held, t) {
				empty = append(empty, t)
			}
		}
		if err := e.unmarkDirty(ctx, c, empty...); err != nil {
			return "", err
		}
	}
	for _, t := range held {
		live, err := liveRows(ctx, c, t, nil)
		if err != nil {
			return "", err
		}
		flagged, err := e.flagMissing(ctx, c, b, t, live, nil, false)
		if err != nil {
			return "", err
		}
		if err := e.updateDirty(ctx, c, b, t, len(flagged) > 0, len(live) == 0); err != nil {
			return "", err
		}
	}
	return "UPLOAD-EMPTY-TABLES", nil
}

// updateDirty marks t dirty after a change; otherwise, in a preserving
// batch, a table with no live rows leaves the dirty set.
func (e *Engine) updateDirty(ctx context.Context, c *Call, b *batch, t *registry.Table, changed, noLive bool) error {
	switch {
	case changed:
		return e.markDirty(ctx, c, t)
	case b.preserving && noLive:
		return e.unmarkDirty(ctx, c, t)
	}
	return nil
}

// UploadTable is upload_table (PROTOCOL 6.14).
func (e *Engine) UploadTable(ctx context.Context, c *Call) (string, error) {
	t, err := e.tableParam(c)
	if err != nil {
		return "", err
	}
	var fields []registry.Field
	var layout legacyLayout
	if legacyApplies(c, t) {
		fields, layout, err = legacyFields(c, t)
	} else {
		fields, err = fieldsParam(c, t)
	}
	if err != nil {
		return "", err
	}
	n, err := intParam(c, "nrecords")
	if err != nil {
		return "", err
	}
	if n < 0 {
		return "", userErrorf("nrecords=%d: can't be less than 0", n)
	}
	if c.AtLeast("2.0.4") {
		if err := pknameParam(c, t); err != nil {
			return "", err
		}
	}
	// nrecords is the client's word: a record it names but did not send
	// fails below, and must not size memory first (1<<40 would kill the
	// process). Past this, append grows with the records really sent.
	recs := make([]*Record, 0, min(n, 1<<12))
	legacyIDs := map[int64][]legacyID{}
	for r := range n {
		key := "record" + strconv.FormatInt(r, 10)
		raw, err := mandatory(c, key)
		if err != nil {
			return "", err
		}
		values := codec.Decode(raw)
		if nf := len(fields) + len(layout); len(values) != nf {
			return "", userErrorf("Number of fields in field list (%d) doesn't match number of values in record %d (%d)",
				nf, r, len(values))
		}
		var ids []legacyID
		if layout != nil {
			if values, ids, err = layout.split(t, values, int(r)); err != nil {
				return "", err
			}
		}
		rec, err := newRecord(t, fields, values, int(r))
		if err != nil {
			return "", err
		}
		recs = append(recs, rec)
		legacyIDs[rec.PK] = ids
	}
	recs = dedupe(recs)

	b, err := e.begin(ctx, c)
	if err != nil {
		return "", err
	}
	// Re-sending a table within a batch replaces the earlier send (C11).
	if err := e.rollbackTable(ctx, c, t); err != nil {
		return "", err
	}
	live, o, deleted, err := e.uploadWholeTable(ctx, c, b, t, recs, false)
	if err != nil {
		return "", err
	}
	liveMoveOff := false
	for _, l := range live {
		liveMoveOff = liveMoveOff || l.MoveOff
	}
	if err := e.updateDirty(ctx, c, b, t, o.changed() || len(deleted) > 0 || liveMoveOff, len(live) == 0); err != nil {
		return "", err
	}
	if layout != nil {
		if err := e.legacyIDNums(ctx, c, b, recs, legacyIDs, o, live, deleted); err != nil {
			return "", err
		}
	}
	if o.alreadyReceived > 0 {
		if err := e.setAlreadyReceived(ctx, c, b); err != nil {
			return "", err
		}
	}
	return "Table " + t.Name + " upload successful", nil
}

// EndUpload is end_upload (PROTOCOL 6.18).
func (e *Engine) EndUpload(ctx context.Context, c *Call) (string, error) {
	b, err := e.begin(ctx, c)
	if err != nil {
		return "", err
	}
	changes, err := e.commit(ctx, c, b)
	if err != nil {
		return "", err
	}
	if err := c.devices().EndBatch(ctx, c.DeviceID); err != nil {
		return "", fmt.Errorf("upload: %w", err)
	}
	method := audit.MethodMultiStep
	if b.preserving {
		method = audit.MethodMultiStepPreserving
	}
	if err := e.auditUpload(ctx, c, b, method, changes); err != nil {
		return "", err
	}
	return "end_upload", nil
}

// auditUpload writes the audit entry of a committed upload (PROTOCOL 8.9),
// with its structured form for the console: batch b's time, the method,
// and the counts of changes (none for a pure retry).
func (e *Engine) auditUpload(ctx context.Context, c *Call, b *batch, method string, changes []*tableChange) error {
	tables := counts(changes)
	c.Tx.AfterCommit(func() { e.metrics.committed(tables) })
	uid, did := c.UserID, c.DeviceID
	return audit.WriteUpload(ctx, c.Tx, audit.Entry{
		When: c.Now, RemoteAddr: c.ClientIP, UserID: &uid, Username: c.Username, DeviceID: &did,
		Details: fmt.Sprintf("Upload from device %d, username '%s': %s", c.DeviceID, c.Username, summary(changes)),
	}, audit.UploadDetail{BatchUTC: b.time, Method: method, GroupID: c.GroupID, Tables: tables})
}
