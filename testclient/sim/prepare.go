package sim

import (
	"slices"

	"github.com/tabletapi/tabletapi/internal/registry"
	"github.com/tabletapi/tabletapi/testclient"
)

// prepare does what the client does locally before an upload (PROTOCOL
// 12.3, "Locally, first"): it drops orphan BLOBs and, for Copy, recomputes
// move-off flags from the patients' flags: 0, or 1 for a record of a
// marked patient, in the tables of tasks about a patient, in every nontask
// table (child tables and blobs among them) and, only to set them, in
// patient_idnum. Flags of patients and of anonymous tasks are the user's
// and stay. It changes no when_last_modified and may run again for a
// retry.
func (t *Tablet) prepare(m Method) {
	t.tables[TableBlobs] = slices.DeleteFunc(t.tables[TableBlobs], func(b Row) bool { return t.blobOwner(b) == nil })
	if m != Copy {
		return
	}
	flagged := map[int64]bool{}
	for _, p := range t.tables[TablePatient] {
		if p.MoveOff() {
			flagged[p.ID()] = true
		}
	}
	for _, table := range t.schema.TableNames() {
		d := t.schema.tables[table]
		recompute := d.kind == registry.KindNonTask || d.kind == registry.KindTask && d.has(FieldPatient, registry.Integer)
		for _, r := range t.tables[table] {
			patient, ok := t.patientOf(table, r)
			switch {
			case ok && flagged[patient]:
				r[FieldMoveOff] = testclient.IntValue(1)
			case recompute:
				r[FieldMoveOff] = testclient.IntValue(0)
			}
		}
	}
}

// patientOf returns the PK of the patient a local record belongs to: its
// patient_id, or that of its task for a child record, or that of its
// owner for a BLOB. It reports false for a patient, an anonymous task and
// its children, a record of no task, and an orphan.
func (t *Tablet) patientOf(table string, r Row) (int64, bool) {
	switch {
	case table == TablePatient:
		return 0, false
	case table == TableBlobs:
		if owner := t.blobOwner(r); owner != nil {
			return t.patientOf(r["tablename"].Text, owner)
		}
		return 0, false
	}
	if v := r[FieldPatient]; v.Kind == testclient.KindInt && t.schema.tables[table].has(FieldPatient, registry.Integer) {
		return v.Int, true
	}
	if parent, fk := t.schema.Parent(table); parent != "" {
		if i := t.find(parent, r[fk].Int); i >= 0 {
			return t.patientOf(parent, t.tables[parent][i])
		}
	}
	return 0, false
}

// blobOwner returns the local row a BLOB belongs to, or nil for an orphan.
func (t *Tablet) blobOwner(b Row) Row {
	table := b["tablename"].Text
	if table == TableBlobs {
		return nil
	}
	if i := t.find(table, b["tablepk"].Int); i >= 0 {
		return t.tables[table][i]
	}
	return nil
}

// wipe deletes what the client deletes after a successful upload (PROTOCOL
// 12.3, "Afterwards").
func (t *Tablet) wipe(m Method) {
	for _, table := range t.schema.TableNames() {
		t.tables[table] = slices.DeleteFunc(t.tables[table], func(r Row) bool {
			switch m {
			case Move:
				return true
			case MoveKeepingPatients:
				return !isPatientTable(table) || r.MoveOff()
			}
			return r.MoveOff()
		})
	}
}
