package upload

import (
	"context"
	"fmt"

	"github.com/tabletapi/tabletapi/internal/registry"
)

// The idempotent-retry rules of PROTOCOL 8.4.2, already received and pure
// retry, which keep a repeated upload from storing anything twice (8.8,
// "Retries are idempotent"). Both compare rows with hasTwin; the pure
// retry is decided by retryEvidence.pureRetry, for a multi-step commit and
// for a one-step upload alike, each gathering its evidence as it can.

// hasTwin reports whether one of preserved, D's preserved rows with a
// row's client PK, has "equal values" (PROTOCOL 8.4.2): the same canonical
// value in every one of fields but _move_off_tablet and the
// server-generated patient.uuid, value giving the row's. The canonical
// form of when_last_modified is its instant, so the same instant is one of
// the equal values.
//
// fields are the fields a record sent when the row is an incoming record
// (already received, and a one-step upload's pure retry); a multi-step
// pure retry, at commit, compares pending rows, which do not record which
// fields were sent, by every field of the table: one that was not sent is
// NULL.
func hasTwin(t *registry.Table, fields []registry.Field, value func(i int, f registry.Field) string, preserved []storedRow) bool {
	for _, p := range preserved {
		same := true
		for i, f := range fields {
			if f.Name == "_move_off_tablet" || (f.Name == "uuid" && t.Kind == registry.KindPatient) {
				continue
			}
			if value(i, f) != p.Values[f.Name] {
				same = false
				break
			}
		}
		if same {
			return true
		}
	}
	return false
}

// retryEvidence is what the pure-retry rule looks at in an upload.
type retryEvidence struct {
	// alreadyReceived: a record of the upload was already received
	// (batch_already_received in a multi-step batch, PROTOCOL 8.2).
	alreadyReceived bool
	// otherChange: the upload changed something other than inserting rows
	// into the patient tables (a removal, a row stored before that is
	// flagged or, in a preserving upload, to preserve, an insertion
	// elsewhere).
	otherChange bool
	// patientInserts counts the rows it inserted into the patient tables
	// (pending additions in multi-step; the rows this request inserted in
	// one-step), and patientTwins those of them with a twin preserved
	// before this upload (hasTwin).
	patientInserts, patientTwins int
}

// pureRetry is the pure-retry rule of PROTOCOL 8.4.2, at a multi-step
// commit (8.6) and at the end of a one-step upload (8.8): an upload that
// met an already-received record and changed nothing but insertions into
// the patient tables, each with a twin preserved before it, repeats one
// already stored. Its patient insertions are dropped and it stores
// nothing.
func (ev *retryEvidence) pureRetry() bool {
	return ev.alreadyReceived && !ev.otherChange && ev.patientTwins == ev.patientInserts
}

// addOneStepTable adds what a one-step upload did to t (PROTOCOL 8.8 step
// 9): o is what processing its records did and tc its audit change.
func (ev *retryEvidence) addOneStepTable(t *registry.Table, o *outcome, tc *tableChange) {
	ev.alreadyReceived = ev.alreadyReceived || o.alreadyReceived > 0
	ev.otherChange = ev.otherChange || preservedStored(tc.preserved, o.inserted) ||
		len(o.modified) > 0 || len(tc.deleted) > 0
	if patientKind(t) {
		ev.patientInserts += len(o.inserted)
		ev.patientTwins += o.twins
	} else {
		ev.otherChange = ev.otherChange || len(o.inserted) > 0
	}
}

// preservedStored reports whether preserved, the _pk of the rows a one-step
// upload preserved in a table (flagged or finalizing), holds one that it did
// not insert (inserted: client PK → _pk), that is a row stored before it:
// the one-step form of commitEvidence's era-NOW rows to preserve that are
// not pending additions. Each row must be looked up, not counted: a
// flagged row that the upload inserted is preserved at once, before the
// finalizing preservation of the table, so counts of the two need not
// match.
func preservedStored(preserved []int64, inserted map[int64]int64) bool {
	ours := make(map[int64]bool, len(inserted))
	for _, pk := range inserted {
		ours[pk] = true
	}
	for _, pk := range preserved {
		if !ours[pk] {
			return true
		}
	}
	return false
}

// commitEvidence reads the evidence of a multi-step batch at its commit
// from D's rows in the dirty tables that hold some (PROTOCOL 8.6). Only a
// batch that met an already-received record can be a pure retry, so the
// reads are skipped for any other.
func (e *Engine) commitEvidence(ctx context.Context, c *Call, b *batch, tables []*registry.Table) (*retryEvidence, error) {
	ev := &retryEvidence{alreadyReceived: b.alreadyReceived}
	if !ev.alreadyReceived {
		return ev, nil
	}
	for _, t := range tables {
		tbl := ident(t.Name)
		count := func(cond string) (int64, error) {
			n, err := c.Tx.NewSelect().TableExpr(tbl).Where("_device_id = ? AND "+cond, c.DeviceID).Count(ctx)
			if err != nil {
				return 0, fmt.Errorf("upload: retry check on %s: %w", t.Name, err)
			}
			return n, nil
		}
		// Removals, flags on stored rows, or (in a preserving batch) stored
		// rows still to preserve are changes of their own.
		others := "_removal_pending OR (_era = 'NOW' AND _move_off_tablet AND NOT _addition_pending)"
		if b.preserving {
			others = "_removal_pending OR (_era = 'NOW' AND NOT _addition_pending)"
		}
		n, err := count("(" + others + ")")
		if err != nil {
			return nil, err
		}
		ev.otherChange = ev.otherChange || n > 0
		if !patientKind(t) {
			n, err := count("_addition_pending")
			if err != nil {
				return nil, err
			}
			ev.otherChange = ev.otherChange || n > 0
			continue
		}
		pending, err := readPending(ctx, c, t)
		if err != nil {
			return nil, err
		}
		if len(pending) == 0 {
			continue
		}
		pks := make([]int64, 0, len(pending))
		for _, p := range pending {
			pks = append(pks, p.ClientPK)
		}
		preserved, err := readRows(ctx, c, t, pks, "_era <> 'NOW'")
		if err != nil {
			return nil, err
		}
		byPK := groupByClientPK(preserved)
		ev.patientInserts += len(pending)
		for _, p := range pending {
			if hasTwin(t, t.Fields, func(_ int, f registry.Field) string { return p.Values[f.Name] }, byPK[p.ClientPK]) {
				ev.patientTwins++
			}
		}
	}
	return ev, nil
}

// readPending reads D's pending additions of t with their values.
func readPending(ctx context.Context, c *Call, t *registry.Table) ([]storedRow, error) {
	var pks []int64
	if err := c.Tx.NewRaw("SELECT "+ident(t.PK)+" FROM "+ident(t.Name)+" WHERE _device_id = ? AND _addition_pending",
		c.DeviceID).Scan(ctx, &pks); err != nil {
		return nil, fmt.Errorf("upload: read pending rows of %s: %w", t.Name, err)
	}
	if len(pks) == 0 {
		return nil, nil
	}
	return readRows(ctx, c, t, pks, "_addition_pending")
}

// groupByClientPK groups rows by their client PK.
func groupByClientPK(rows []storedRow) map[int64][]storedRow {
	out := map[int64][]storedRow{}
	for _, s := range rows {
		out[s.ClientPK] = append(out[s.ClientPK], s)
	}
	return out
}
