package upload

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/tabletapi/tabletapi/internal/codec"
	"github.com/tabletapi/tabletapi/internal/registry"
)

// Clients before 2.0.1 send a patient's ID numbers as columns of patient
// (idnum1…8, with iddesc1…8 and idshortdesc1…8); the server turns them into
// patient_idnum records in the same batch (PROTOCOL 9.4).
var legacyColumnRE = regexp.MustCompile(`\A(idnum|iddesc|idshortdesc)([1-8])\z`)

// legacyID is one idnum<n> value of a legacy patient record.
type legacyID struct {
	which int64
	value int64
}

// legacyLayout says which columns of a legacy patient upload are the old
// ID-number columns: n for idnum<n>, 0 for the discarded descriptions.
type legacyLayout map[int]int64

// legacyApplies reports whether an upload of t from this client may carry
// the old ID-number columns.
func legacyApplies(c *Call, t *registry.Table) bool {
	return t.Kind == registry.KindPatient && !c.AtLeast("2.0.1")
}

// legacyFields checks the fields parameter of a legacy patient upload and
// returns the registry fields and where the old columns are.
func legacyFields(c *Call, t *registry.Table) ([]registry.Field, legacyLayout, error) {
	raw, err := mandatory(c, "fields")
	if err != nil {
		return nil, nil, err
	}
	var fields []registry.Field
	layout := legacyLayout{}
	for i, name := range strings.Split(raw, ",") {
		if m := legacyColumnRE.FindStringSubmatch(strings.TrimSpace(name)); m != nil {
			layout[i] = 0
			if m[1] == "idnum" {
				layout[i], _ = strconv.ParseInt(m[2], 10, 64)
			}
			continue
		}
		f, err := field(t, name)
		if err != nil {
			return nil, nil, err
		}
		fields = append(fields, f)
	}
	return fields, layout, nil
}

// split separates a legacy record's values into the registry fields' values
// and its non-NULL ID numbers.
func (l legacyLayout) split(t *registry.Table, values []codec.Value, record int) ([]codec.Value, []legacyID, error) {
	var kept []codec.Value
	var ids []legacyID
	for i, v := range values {
		n, old := l[i]
		switch {
		case !old:
			kept = append(kept, v)
		case n > 0:
			x, err := codec.Convert(v, registry.Integer)
			if err != nil {
				return nil, nil, codec.InvalidValueError(t.Name, fmt.Sprintf("idnum%d", n), record, v.Raw)
			}
			if x != nil {
				ids = append(ids, legacyID{which: n, value: x.(int64)})
			}
		}
	}
	return kept, ids, nil
}

// legacyIDNums stores the ID numbers of new or modified legacy patients as
// patient_idnum records (id = patient id × 8 + n), flags the ID numbers of
// patients flagged for deletion, and marks patient_idnum dirty.
func (e *Engine) legacyIDNums(ctx context.Context, c *Call, b *batch, recs []*Record, ids map[int64][]legacyID,
	o *outcome, live map[int64]*liveRow, deleted []int64,
) error {
	var idt *registry.Table
	for _, t := range e.reg.Tables() {
		if t.Kind == registry.KindPatientIDNum {
			idt = t
			break
		}
	}
	if idt == nil {
		return nil // no table to put them in
	}
	var fields []registry.Field
	for _, name := range []string{idt.PK, "patient_id", "which_idnum", "idnum_value", "when_last_modified", "_move_off_tablet"} {
		f, ok := idt.Field(name)
		if !ok {
			return nil
		}
		fields = append(fields, f)
	}
	var idRecs []*Record
	var pks []int64
	for _, r := range recs {
		if _, changed := o.inserted[r.PK]; !changed {
			continue
		}
		var wlm any
		if r.WLM != nil {
			wlm = *r.WLM
		}
		for _, id := range ids[r.PK] {
			pk := r.PK*8 + id.which
			idRecs = append(idRecs, &Record{Index: r.Index, PK: pk, WLM: r.WLM, MoveOff: r.MoveOff, Fields: fields,
				Values: []any{pk, r.PK, id.which, id.value, wlm, r.MoveOff}})
			pks = append(pks, pk)
		}
	}
	if len(idRecs) > 0 {
		liveIDs, err := liveRows(ctx, c, idt, pks)
		if err != nil {
			return err
		}
		if _, err := e.processRecords(ctx, c, b, idt, dedupe(idRecs), liveIDs, false); err != nil {
			return err
		}
	}
	if err := e.flagIDNumsOfDeleted(ctx, c, b, idt, live, deleted); err != nil {
		return err
	}
	return e.markDirty(ctx, c, idt)
}

// flagIDNumsOfDeleted flags delete-later D's live ID numbers whose patient
// was flagged delete-later by this upload (deleted holds those patients'
// _pk).
func (e *Engine) flagIDNumsOfDeleted(ctx context.Context, c *Call, b *batch, idt *registry.Table,
	live map[int64]*liveRow, deleted []int64,
) error {
	gone := map[int64]bool{}
	for _, pk := range deleted {
		gone[pk] = true
	}
	var patientIDs []int64
	for clientPK, l := range live {
		if gone[l.PK] {
			patientIDs = append(patientIDs, clientPK)
		}
	}
	for _, part := range chunks(patientIDs) {
		var rows []struct {
			PK       int64 `bun:"_pk"`
			ClientPK int64 `bun:"client_pk"`
		}
		if err := c.Tx.NewRaw("SELECT _pk, "+ident(idt.PK)+" AS client_pk FROM "+ident(idt.Name)+
			" WHERE _device_id = ? AND _era = 'NOW' AND _current AND patient_id IN ("+intList(part)+")",
			c.DeviceID).Scan(ctx, &rows); err != nil {
			return fmt.Errorf("upload: legacy ID numbers: %w", err)
		}
		flag := map[int64]*liveRow{}
		for _, r := range rows {
			flag[r.ClientPK] = &liveRow{PK: r.PK, ClientPK: r.ClientPK}
		}
		if _, err := e.flagMissing(ctx, c, b, idt, flag, nil, false); err != nil {
			return err
		}
	}
	return nil
}
