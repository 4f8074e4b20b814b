package upload

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/tabletapi/tabletapi/internal/registry"
)

// UploadEntireDatabase is upload_entire_database (PROTOCOL 6.19, 8.8):
// the whole tablet database in one request, committed as one batch.
func (e *Engine) UploadEntireDatabase(ctx context.Context, c *Call) (string, error) {
	finalizing, tables, err := e.parseOneStep(c)
	if err != nil {
		return "", err
	}
	st, err := e.lockDevice(ctx, c)
	if err != nil {
		return "", err
	}
	if e.busy(c, st) {
		return "", ErrBusy
	}
	if err := e.rollbackAll(ctx, c); err != nil {
		return "", err
	}
	if _, err := c.Tx.NewUpdate().Table("devices").
		Set("ongoing_upload_batch_utc = NULL").Set("uploading_user_id = NULL").
		Set("batch_last_activity_utc = NULL").Set("currently_preserving = FALSE").
		Set("batch_already_received = FALSE").
		Where("id = ?", c.DeviceID).Exec(ctx); err != nil {
		return "", fmt.Errorf("upload: one-step: reset batch: %w", err)
	}
	b := &batch{time: c.Now, preserving: finalizing}
	var (
		changes         []*tableChange
		received        int
		otherChange     bool
		patientInserted []insertedRows
		twins, inserted int
	)
	for _, t := range e.reg.Tables() {
		recs := tables[t.Name]
		_, o, deleted, err := e.uploadWholeTable(ctx, c, b, t, recs, true)
		if err != nil {
			return "", err
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
				return "", err
			}
			maps.Copy(preserved, pres)
			// Preserving rows that were stored before is a change.
			otherChange = otherChange || len(pres) > len(o.inserted)
		}
		tc.preserved = keys(preserved)
		if tc.current, err = currentPKs(ctx, c, t, preserved); err != nil {
			return "", err
		}
		changes = append(changes, tc)
		received += o.alreadyReceived
		otherChange = otherChange || len(o.modified) > 0 || len(deleted) > 0 || o.flaggedStored
		if patientKind(t) {
			patientInserted = append(patientInserted, insertedRows{t: t.Name, pks: o.inserted})
			twins += o.twins
			inserted += len(o.inserted)
		} else {
			otherChange = otherChange || len(o.inserted) > 0
		}
	}
	sum := summary(changes)
	if received > 0 && !otherChange && twins == inserted {
		// A repeat of an upload already stored: drop the re-sent patients
		// before the transaction commits (PROTOCOL 8.4.2, pure retry).
		if err := e.dropInserted(ctx, c, patientInserted); err != nil {
			return "", err
		}
		sum = "No changes"
	}
	if err := e.auditUpload(ctx, c, sum); err != nil {
		return "", err
	}
	return "Success", nil
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
// finalizing) and returns their _pk, each with whether it is current.
func (e *Engine) preserveNow(ctx context.Context, c *Call, b *batch, t *registry.Table) (map[int64]bool, error) {
	return e.preserveReturning(ctx, c, "UPDATE "+ident(t.Name)+" SET _era = ?, _preserving_user_id = ?,"+
		" _move_off_tablet = FALSE, _forcibly_preserved = FALSE WHERE _device_id = ? AND _era = 'NOW' RETURNING _pk, _current",
		b.era(), c.UserID, c.DeviceID)
}
