package upload

import (
	"context"
	"fmt"

	"github.com/tabletapi/tabletapi/internal/registry"
)

// pureRetry decides the pure-retry rule of PROTOCOL 8.4.2 at commit: the
// batch met an already-received record, changed nothing but insertions
// into the patient tables, and each of those has a twin preserved before
// this upload. Then the upload is a repeat of one already stored.
func (e *Engine) pureRetry(ctx context.Context, c *Call, b *batch, tables []*registry.Table) (bool, error) {
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
		if n, err := count("(" + others + ")"); err != nil || n > 0 {
			return false, err
		}
		if !patientKind(t) {
			if n, err := count("_addition_pending"); err != nil || n > 0 {
				return false, err
			}
			continue
		}
		pending, err := readPending(ctx, c, t)
		if err != nil {
			return false, err
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
			return false, err
		}
		for _, p := range pending {
			if !hasTwin(t, p, preserved) {
				return false, nil
			}
		}
	}
	return true, nil
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

// hasTwin reports whether a preserved row equals p in every client field
// but _move_off_tablet and the server-generated patient.uuid.
func hasTwin(t *registry.Table, p storedRow, preserved []storedRow) bool {
	for _, s := range preserved {
		if s.ClientPK != p.ClientPK {
			continue
		}
		same := true
		for _, f := range t.Fields {
			if f.Name == "_move_off_tablet" || (f.Name == "uuid" && t.Kind == registry.KindPatient) {
				continue
			}
			if s.Values[f.Name] != p.Values[f.Name] {
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
