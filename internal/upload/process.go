package upload

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/tabletapi/tabletapi/internal/registry"
)

// outcome is what processing records of one table did.
type outcome struct {
	inserted        map[int64]int64 // client PK → new _pk
	insertedNew     []int64         // client PKs inserted with no live copy
	modified        []int64         // client PKs whose live copy was replaced
	replacedPKs     []int64         // _pk of those live copies
	preserved       map[int64]bool  // rows preserved at once (one-step): _pk → _current
	flagged         bool            // some row was flagged for preservation
	alreadyReceived int
	// twins counts inserted patient-table rows that have a preserved twin
	// (retryEvidence.patientTwins of a one-step upload).
	twins int
}

// changed reports whether the records changed the table.
func (o *outcome) changed() bool { return len(o.inserted) > 0 || o.flagged }

// patientKind reports whether t is a patient table, where the
// already-received rule does not apply (PROTOCOL 8.4.2).
func patientKind(t *registry.Table) bool {
	return t.Kind == registry.KindPatient || t.Kind == registry.KindPatientIDNum
}

// processRecords applies PROTOCOL 8.4.2 to recs against D's live rows.
func (e *Engine) processRecords(ctx context.Context, c *Call, b *batch, t *registry.Table,
	recs []*Record, live map[int64]*liveRow, oneStep bool,
) (*outcome, error) {
	o := &outcome{}
	var rows []newRow
	var candidates []*Record
	var flagRoots []int64         // _pk of unchanged live rows to flag
	var flagNew []int64           // client PKs of inserted rows to flag
	replaced := map[int64]int64{} // L._pk by client PK
	for _, r := range recs {
		l := live[r.PK]
		switch {
		case l != nil && sameWLM(l.WLM, r.WLM):
			if r.MoveOff {
				flagRoots = append(flagRoots, l.PK)
			}
		case l != nil:
			rows = append(rows, newRow{rec: r, pred: l.PK})
			replaced[r.PK] = l.PK
			o.modified = append(o.modified, r.PK)
			if r.MoveOff {
				flagNew = append(flagNew, r.PK)
			}
		default:
			candidates = append(candidates, r)
		}
	}
	twins, err := e.preservedTwins(ctx, c, t, candidates)
	if err != nil {
		return nil, err
	}
	for _, r := range candidates {
		if twins[r.PK] && !patientKind(t) {
			o.alreadyReceived++
			continue
		}
		if twins[r.PK] {
			o.twins++
		}
		rows = append(rows, newRow{rec: r})
		o.insertedNew = append(o.insertedNew, r.PK)
		if r.MoveOff {
			flagNew = append(flagNew, r.PK)
		}
	}
	if t.Kind == registry.KindPatientIDNum {
		if err := e.checkIDNums(ctx, c, t, rows); err != nil {
			return nil, err
		}
	}
	if o.inserted, err = e.insertRows(ctx, c, b, t, rows, oneStep); err != nil {
		return nil, err
	}
	if err := e.replace(ctx, c, b, t, replaced, o.inserted, oneStep); err != nil {
		return nil, err
	}
	for _, pk := range replaced {
		o.replacedPKs = append(o.replacedPKs, pk)
	}
	for _, pk := range flagNew {
		flagRoots = append(flagRoots, o.inserted[pk])
	}
	if len(flagRoots) > 0 {
		o.flagged = true
		if o.preserved, err = e.flagChains(ctx, c, b, t, flagRoots, oneStep); err != nil {
			return nil, err
		}
	}
	return o, nil
}

// uploadWholeTable processes a whole table's records against D's live rows
// and applies deletion detection to the live rows not sent (upload_table
// and each table of a one-step upload). It returns the live rows as they
// were, what processing did, and the _pk of the rows flagged for deletion.
func (e *Engine) uploadWholeTable(ctx context.Context, c *Call, b *batch, t *registry.Table,
	recs []*Record, oneStep bool,
) (map[int64]*liveRow, *outcome, []int64, error) {
	live, err := liveRows(ctx, c, t, nil)
	if err != nil {
		return nil, nil, nil, err
	}
	o, err := e.processRecords(ctx, c, b, t, recs, live, oneStep)
	if err != nil {
		return nil, nil, nil, err
	}
	keep := make(map[int64]bool, len(recs))
	for _, r := range recs {
		keep[r.PK] = true
	}
	deleted, err := e.flagMissing(ctx, c, b, t, live, keep, oneStep)
	if err != nil {
		return nil, nil, nil, err
	}
	return live, o, deleted, nil
}

// preservedTwins returns, for records with no live copy, whether D has a
// preserved row with the same client PK and equal values (hasTwin): for
// the already-received rule of PROTOCOL 8.4.2, and in the patient tables
// for the pure-retry rule. One indexed read per chunk of records.
func (e *Engine) preservedTwins(ctx context.Context, c *Call, t *registry.Table, recs []*Record) (map[int64]bool, error) {
	out := map[int64]bool{}
	if len(recs) == 0 {
		return out, nil
	}
	pks := make([]int64, len(recs))
	for i, r := range recs {
		pks[i] = r.PK
	}
	stored, err := readRows(ctx, c, t, pks, "_era <> 'NOW'")
	if err != nil {
		return nil, err
	}
	byPK := groupByClientPK(stored)
	for _, r := range recs {
		value := func(i int, f registry.Field) string { return canonical(r.Values[i], f.Type) }
		if hasTwin(t, r.Fields, value, byPK[r.PK]) {
			out[r.PK] = true
		}
	}
	return out, nil
}

// replace retires the live copies of modified records (PROTOCOL 8.4.2,
// Modified): multi-step flags them for removal at commit; one-step removes
// them now. replaced maps client PK → L._pk; inserted client PK → N._pk.
func (e *Engine) replace(ctx context.Context, c *Call, b *batch, t *registry.Table,
	replaced map[int64]int64, inserted map[int64]int64, oneStep bool,
) error {
	if len(replaced) == 0 {
		return nil
	}
	clientPKs := make([]int64, 0, len(replaced))
	for pk := range replaced {
		clientPKs = append(clientPKs, pk)
	}
	slices.Sort(clientPKs)
	for _, part := range chunks(clientPKs) {
		q := newLiteralSQL(c.Tx.Dialect(), "UPDATE "+ident(t.Name)+" SET _successor_pk = CASE _pk")
		lpks := make([]int64, len(part))
		for i, pk := range part {
			lpks[i] = replaced[pk]
			q.raw(" WHEN ").value(replaced[pk]).raw(" THEN ").value(inserted[pk])
		}
		removeValues(q.raw(" END, "), c, b, oneStep)
		q.raw(" WHERE _device_id = ").value(c.DeviceID).raw(" AND _pk IN (" + intList(lpks) + ")")
		if _, err := c.Tx.execLiteral(ctx, q); err != nil {
			return fmt.Errorf("upload: replace rows of %s: %w", t.Name, err)
		}
	}
	return nil
}

// flagChains flags rows and their whole _predecessor_pk chains for
// preservation: multi-step sets _move_off_tablet for the commit; one-step
// preserves them at once (PROTOCOL 8.4.2, 8.7). It returns the _pk of the
// rows it changed, each with whether it is current.
func (e *Engine) flagChains(ctx context.Context, c *Call, b *batch, t *registry.Table, roots []int64, oneStep bool) (map[int64]bool, error) {
	tbl := ident(t.Name)
	out := map[int64]bool{}
	for _, part := range chunks(roots) {
		q := newLiteralSQL(c.Tx.Dialect(), "WITH RECURSIVE chain(pk) AS (SELECT _pk FROM "+tbl+
			" WHERE _pk IN ("+intList(part)+") UNION SELECT p._predecessor_pk FROM "+tbl+
			" AS p JOIN chain ON p._pk = chain.pk WHERE p._predecessor_pk IS NOT NULL) UPDATE "+tbl+" SET ")
		preserveValues(q, c, b, oneStep)
		q.raw(" WHERE _device_id = ").value(c.DeviceID).raw(" AND _era = 'NOW' AND _pk IN (SELECT pk FROM chain) RETURNING _pk, _current")
		part, err := preserveReturning(ctx, c, q)
		if err != nil {
			return nil, fmt.Errorf("upload: flag %s for preservation: %w", t.Name, err)
		}
		maps.Copy(out, part)
	}
	return out, nil
}

// flagMissing applies deletion detection (PROTOCOL 8.5) to D's live rows
// of t whose client PK is not in keep: delete-later (multi-step) or delete
// now (one-step). It returns the _pk of the rows flagged.
func (e *Engine) flagMissing(ctx context.Context, c *Call, b *batch, t *registry.Table,
	live map[int64]*liveRow, keep map[int64]bool, oneStep bool,
) ([]int64, error) {
	var pks []int64
	for cpk, l := range live {
		if !keep[cpk] {
			pks = append(pks, l.PK)
		}
	}
	slices.Sort(pks)
	for _, part := range chunks(pks) {
		q := deletionValues(newLiteralSQL(c.Tx.Dialect(), "UPDATE "+ident(t.Name)+" SET "), c, b, oneStep)
		q.raw(" WHERE _device_id = ").value(c.DeviceID).raw(" AND _pk IN (" + intList(part) + ")")
		if _, err := c.Tx.execLiteral(ctx, q); err != nil {
			return nil, fmt.Errorf("upload: flag deletions in %s: %w", t.Name, err)
		}
	}
	return pks, nil
}

// joinPKs writes client PKs for audit text: [1, 2, 3].
func joinPKs(pks []int64) string {
	s := make([]string, len(pks))
	for i, p := range pks {
		s[i] = fmt.Sprint(p)
	}
	return "[" + strings.Join(s, ", ") + "]"
}
