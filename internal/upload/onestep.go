package upload

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/tabletapi/tabletapi/internal/audit"
	"github.com/tabletapi/tabletapi/internal/registry"
)

// UploadEntireDatabase is upload_entire_database (PROTOCOL 6.19, 8.8):
// the whole tablet database in one request, committed as one batch.
//
// Step 7 (converting and checking the records) runs table by table, each
// table just before it is stored, so that the server holds one table's
// records at a time rather than the whole tablet's. Every write is in the
// request's transaction, so a bad record in the last table still changes
// nothing; and any other failure first finishes step 7 on the tables not
// yet checked, so that a validation error wins as if it had come first.
func (e *Engine) UploadEntireDatabase(ctx context.Context, c *Call) (string, error) {
	p, err := e.parseOneStep(c)
	if err != nil {
		return "", err
	}
	tables := e.reg.Tables()
	// fail returns err, unless a table from tables[from:] fails step 7.
	fail := func(from int, err error) error {
		if verr := p.check(e, c, tables[from:]); verr != nil {
			return verr
		}
		return err
	}
	st, err := e.lockDevice(ctx, c)
	if err != nil {
		return "", fail(0, err)
	}
	if err := e.resetBatch(ctx, c, st); err != nil {
		return "", fail(0, err)
	}
	if err := c.devices().EndBatch(ctx, c.DeviceID); err != nil {
		return "", fail(0, fmt.Errorf("upload: one-step: %w", err))
	}
	// Step 9 changes nothing in a table without records that holds no
	// rows of D: no deletions, nothing to preserve. Only the others get
	// statements, so that the cost follows the tables with data, not the
	// registry's size.
	held, err := e.holding(ctx, c, tables)
	if err != nil {
		return "", fail(0, err)
	}
	b := &batch{time: c.Now, preserving: p.finalizing}
	var (
		changes         []*tableChange
		retry           retryEvidence
		patientInserted []insertedRows
	)
	for i, t := range tables {
		recs, err := p.records(e, c, t)
		if err != nil {
			return "", err // every earlier table passed step 7
		}
		delete(p.rows, t.Name)
		if len(recs) == 0 && !slices.Contains(held, t) {
			continue
		}
		tc, o, err := e.storeWholeTable(ctx, c, b, t, recs)
		if err != nil {
			return "", fail(i+1, err)
		}
		changes = append(changes, tc)
		retry.addOneStepTable(t, o, tc)
		if patientKind(t) {
			patientInserted = append(patientInserted, insertedRows{t: t.Name, pks: o.inserted})
		}
	}
	if retry.pureRetry() {
		// A repeat of an upload already stored: drop the re-sent patients
		// before the transaction commits (PROTOCOL 8.4.2, pure retry).
		if err := e.dropInserted(ctx, c, patientInserted); err != nil {
			return "", err
		}
		changes = nil
	}
	// The data is stored, so this is now the device's last upload, as
	// `device list` shows it (the hardening issue, item 15; PROTOCOL 8.8
	// names no step for it). The reset of step 8 left the previous one,
	// should this upload fail.
	if err := c.devices().RecordUpload(ctx, c.DeviceID); err != nil {
		return "", fmt.Errorf("upload: one-step: %w", err)
	}
	method := audit.MethodOneStep
	if b.preserving {
		method = audit.MethodOneStepPreserving
	}
	if err := e.auditUpload(ctx, c, b, method, changes); err != nil {
		return "", err
	}
	return "Success", nil
}

// storeWholeTable applies step 9 of PROTOCOL 8.8 to one table and returns
// its audit change and what processing did.
func (e *Engine) storeWholeTable(ctx context.Context, c *Call, b *batch, t *registry.Table,
	recs []*Record,
) (*tableChange, *outcome, error) {
	_, o, deleted, err := e.uploadWholeTable(ctx, c, b, t, recs, true)
	if err != nil {
		return nil, nil, err
	}
	preserved := o.preserved
	if preserved == nil {
		preserved = map[int64]bool{}
	}
	tc := &tableChange{table: t.Name, deleted: deleted, modifiedOut: o.replacedPKs}
	for _, pk := range o.inserted {
		tc.added = append(tc.added, pk)
	}
	if b.preserving {
		pres, err := e.preserveNow(ctx, c, b, t)
		if err != nil {
			return nil, nil, err
		}
		maps.Copy(preserved, pres)
	}
	tc.preserved = keys(preserved)
	if tc.current, err = currentPKs(ctx, c, t, preserved); err != nil {
		return nil, nil, err
	}
	return tc, o, nil
}

// insertedRows are the rows one request inserted into one table.
type insertedRows struct {
	t   string
	pks map[int64]int64 // client PK → _pk
}

// dropInserted deletes rows this request inserted.
func (e *Engine) dropInserted(ctx context.Context, c *Call, sets []insertedRows) error {
	for _, s := range sets {
		t, _ := e.reg.Table(s.t)
		pks := make([]int64, 0, len(s.pks))
		for _, pk := range s.pks {
			pks = append(pks, pk)
		}
		slices.Sort(pks)
		for _, part := range chunks(pks) {
			if _, err := c.Tx.ExecContext(ctx, "DELETE FROM "+ident(t.Name)+" WHERE _device_id = ? AND _pk IN ("+
				intList(part)+")", c.DeviceID); err != nil {
				return fmt.Errorf("upload: one-step: drop repeated rows: %w", err)
			}
		}
	}
	return nil
}

// preserveNow preserves every era-NOW row of D in t (one-step with
// finalizing, PROTOCOL 8.8 step 9) and returns their _pk, each with whether
// it is current.
func (e *Engine) preserveNow(ctx context.Context, c *Call, b *batch, t *registry.Table) (map[int64]bool, error) {
	return preserveRows(ctx, c, b, t, "_era = 'NOW'")
}
