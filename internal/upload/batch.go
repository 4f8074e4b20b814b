package upload

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/tabletapi/tabletapi/device"
	"github.com/tabletapi/tabletapi/internal/registry"
)

// deviceState is the batch state of the device row (PROTOCOL 8.2) with
// the request's receipt time on the clock of BatchStarted (earlier.go).
type deviceState struct {
	device.BatchState
	Received time.Time
}

// batch is the open batch an operation works in.
type batch struct {
	time            time.Time // the batch time
	preserving      bool
	alreadyReceived bool // this batch met an already-received record
}

// era is the era string of the batch (PROTOCOL 8.7).
func (b *batch) era() string { return b.time.UTC().Format("2006-01-02T15:04:05Z") }

// devices is the device store inside the request's transaction, whose
// clock is the request's one instant.
func (c *Call) devices() *device.Store {
	return device.NewStore(c.Tx, func() time.Time { return c.Now })
}

// lockDevice takes D's row lock for the rest of the transaction and reads
// its batch state (PROTOCOL 8.3.1). On PostgreSQL the lock also reads the
// database's clock, for the receipt time.
func (e *Engine) lockDevice(ctx context.Context, c *Call) (*deviceState, error) {
	sent := time.Now()
	bs, err := c.devices().LockForBatch(ctx, c.DeviceID)
	if errors.Is(err, device.ErrNotFound) {
		return nil, deviceMissing(c.DeviceID)
	}
	if err != nil {
		return nil, fmt.Errorf("upload: %w", err)
	}
	st := &deviceState{BatchState: *bs, Received: c.Received}
	if !bs.DBNow.IsZero() {
		st.Received = onBatchClock(bs.DBNow, sent, c.Received)
	}
	return st, nil
}

// busy applies the rule of PROTOCOL 8.3.2 step 2.
func (e *Engine) busy(c *Call, st *deviceState) bool {
	if st.Ongoing == nil || st.UploadingUserID == nil || *st.UploadingUserID == c.UserID {
		return false
	}
	last := st.Ongoing
	if st.LastActivity != nil {
		last = st.LastActivity
	}
	return c.Now.Sub(*last) < e.staleTimeout
}

// acquire is AcquireBatch (PROTOCOL 8.3.2): continue U's open batch,
// refuse while another user's is active or while U is marked as taken
// over, or start a new one.
func (e *Engine) acquire(ctx context.Context, c *Call, st *deviceState) (*batch, error) {
	if st.Ongoing != nil && st.UploadingUserID != nil && *st.UploadingUserID == c.UserID {
		if fromEarlierAttempt(st) {
			return nil, ErrEarlierAttempt
		}
		if err := c.devices().TouchBatch(ctx, c.DeviceID); err != nil {
			return nil, fmt.Errorf("upload: %w", err)
		}
		return &batch{time: st.Ongoing.UTC(), preserving: st.Preserving, alreadyReceived: st.AlreadyReceived}, nil
	}
	if e.busy(c, st) {
		return nil, ErrDeviceBusy
	}
	taken, err := e.takenOver(ctx, c)
	if err != nil {
		return nil, err
	}
	if taken {
		return nil, ErrTakenOver
	}
	return e.startBatch(ctx, c, st)
}

// startBatch is StartBatch (PROTOCOL 8.3.3). Every batch start resets
// currently_preserving (D11).
func (e *Engine) startBatch(ctx context.Context, c *Call, st *deviceState) (*batch, error) {
	if err := e.resetBatch(ctx, c, st); err != nil {
		return nil, err
	}
	if err := c.devices().StartBatch(ctx, c.DeviceID, c.UserID); err != nil {
		return nil, fmt.Errorf("upload: %w", err)
	}
	return &batch{time: c.Now}, nil
}

// resetBatch is what StartBatch (PROTOCOL 8.3.3 steps 1-3) and a one-step
// upload (8.8 step 8) do before they set the device row: refuse while
// another user's batch is active (the busy rule of 8.3.2 step 2), mark the
// owner of a stale batch as taken over and clear U's own mark, and run a
// full Rollback. PROTOCOL 8.8 step 8 does not name the marks, but the
// owner of a stale batch rolled back there would otherwise have its next
// upload_table start a new batch, just as after a multi-step takeover
// (8.3.2 step 3).
func (e *Engine) resetBatch(ctx context.Context, c *Call, st *deviceState) error {
	if e.busy(c, st) {
		return ErrDeviceBusy
	}
	if err := e.takeOver(ctx, c, st); err != nil {
		return err
	}
	undone, err := e.rollbackAll(ctx, c)
	if undone {
		c.Tx.AfterCommit(e.metrics.batchesRolledBack.Inc)
	}
	return err
}

// rollbackAll is a full Rollback (PROTOCOL 8.3.4) of D's dirty set: of
// its tables that hold rows of D, as the others have nothing to undo (a
// preserving batch's dirty set is the whole registry). It reports whether
// any table had work to undo.
func (e *Engine) rollbackAll(ctx context.Context, c *Call) (bool, error) {
	tables, err := e.dirtyTables(ctx, c)
	if err != nil {
		return false, err
	}
	if tables, err = e.holding(ctx, c, tables); err != nil {
		return false, err
	}
	for _, t := range tables {
		if err := e.rollbackTable(ctx, c, t); err != nil {
			return false, err
		}
	}
	return len(tables) > 0, e.clearDirty(ctx, c)
}

// rollbackTable undoes D's pending work in one table (PROTOCOL 8.3.4
// steps 1-3).
func (e *Engine) rollbackTable(ctx context.Context, c *Call, t *registry.Table) error {
	return e.rollbackRows(ctx, c, t, nil)
}

// rollbackRows is Rollback of D's rows of t: of all of them if clientPKs
// is nil, else of those with these client PKs (the per-record reset of
// upload_record), of which there must be at least one.
func (e *Engine) rollbackRows(ctx context.Context, c *Call, t *registry.Table, clientPKs []int64) error {
	tbl, d := ident(t.Name), c.Tx.Dialect()
	where := func(q *literalSQL, cond string) *literalSQL {
		q.raw(" WHERE _device_id = ").value(c.DeviceID).raw(" AND " + cond)
		if clientPKs != nil {
			q.raw(" AND " + ident(t.PK) + " IN (" + intList(clientPKs) + ")")
		}
		return q
	}
	for _, q := range []*literalSQL{
		where(newLiteralSQL(d, "DELETE FROM "+tbl), "_addition_pending"),
		where(undoRemovalValues(newLiteralSQL(d, "UPDATE "+tbl+" SET ")), "_removal_pending"),
		where(undoMoveOffValues(newLiteralSQL(d, "UPDATE "+tbl+" SET ")), "_era = 'NOW' AND _move_off_tablet"),
	} {
		if _, err := c.Tx.execLiteral(ctx, q); err != nil {
			return fmt.Errorf("upload: rollback %s: %w", t.Name, err)
		}
	}
	return nil
}

// dirtyTables returns D's dirty set in commit order. Names no longer in
// the registry are skipped: identifiers come only from the registry.
func (e *Engine) dirtyTables(ctx context.Context, c *Call) ([]*registry.Table, error) {
	var names []string
	if err := c.Tx.NewSelect().Table("dirty_tables").Column("tablename").
		Where("device_id = ?", c.DeviceID).Scan(ctx, &names); err != nil {
		return nil, fmt.Errorf("upload: read dirty set: %w", err)
	}
	dirty := map[string]bool{}
	for _, n := range names {
		dirty[n] = true
	}
	var out []*registry.Table
	for _, t := range e.reg.Tables() {
		if dirty[t.Name] {
			out = append(out, t)
		}
	}
	return out, nil
}

// markDirty adds tables to D's dirty set, in one statement per chunk of
// tables.
func (e *Engine) markDirty(ctx context.Context, c *Call, tables ...*registry.Table) error {
	for start := 0; start < len(tables); start += chunk {
		part := tables[start:min(start+chunk, len(tables))]
		q := "INSERT INTO dirty_tables (device_id, tablename) VALUES " +
			strings.Repeat("(?, ?), ", len(part)-1) + "(?, ?) ON CONFLICT (device_id, tablename) DO NOTHING"
		args := make([]any, 0, 2*len(part))
		for _, t := range part {
			args = append(args, c.DeviceID, t.Name)
		}
		if _, err := c.Tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("upload: mark tables dirty: %w", err)
		}
	}
	return nil
}

// clearDirty empties D's dirty set, as a commit (PROTOCOL 8.6) and a full
// Rollback (8.3.4 step 4) do at their end.
func (e *Engine) clearDirty(ctx context.Context, c *Call) error {
	if _, err := c.Tx.NewDelete().Table("dirty_tables").Where("device_id = ?", c.DeviceID).Exec(ctx); err != nil {
		return fmt.Errorf("upload: clear dirty set: %w", err)
	}
	return nil
}

// unmarkDirty removes tables from D's dirty set, in one statement.
func (e *Engine) unmarkDirty(ctx context.Context, c *Call, tables ...*registry.Table) error {
	if len(tables) == 0 {
		return nil
	}
	names := make([]string, len(tables))
	for i, t := range tables {
		names[i] = t.Name
	}
	_, err := c.Tx.NewDelete().Table("dirty_tables").
		Where("device_id = ? AND tablename IN (?)", c.DeviceID, bun.List(names)).Exec(ctx)
	if err != nil {
		return fmt.Errorf("upload: unmark tables: %w", err)
	}
	return nil
}

// setAlreadyReceived records that the open batch met an already-received
// record (PROTOCOL 8.2), which the pure-retry rule needs at commit.
func (e *Engine) setAlreadyReceived(ctx context.Context, c *Call, b *batch) error {
	if b.alreadyReceived {
		return nil
	}
	b.alreadyReceived = true
	if err := c.devices().MarkAlreadyReceived(ctx, c.DeviceID); err != nil {
		return fmt.Errorf("upload: %w", err)
	}
	return nil
}

// ident quotes a registry identifier ([A-Za-z_][A-Za-z0-9_]*, checked when
// the registry was loaded).
func ident(name string) string { return `"` + name + `"` }
