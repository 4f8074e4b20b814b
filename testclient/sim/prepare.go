package sim

import (
	"slices"

	"github.com/tabletapi/tabletapi/testclient"
)

// prepare does what the client does locally before an upload (PROTOCOL
// 12.3, "Locally, first"): it drops orphan BLOBs and, for Copy, recomputes
// the move-off flags of tasks and BLOBs from their patients' flags. It
// changes no when_last_modified and may run again for a retry.
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
	for _, table := range []string{TableBMI, TablePHQ9, TableBlobs} {
		for _, r := range t.tables[table] {
			r[FieldMoveOff] = testclient.IntValue(0)
		}
	}
	for _, table := range []string{TablePatientIDNum, TableBMI, TablePHQ9} {
		for _, r := range t.tables[table] {
			if flagged[r["patient_id"].Int] {
				r[FieldMoveOff] = testclient.IntValue(1)
			}
		}
	}
	for _, b := range t.tables[TableBlobs] {
		if flagged[t.blobOwner(b)["patient_id"].Int] {
			b[FieldMoveOff] = testclient.IntValue(1)
		}
	}
}

// blobOwner returns the local row a BLOB belongs to, or nil for an orphan.
func (t *Tablet) blobOwner(b Row) Row {
	table := b["tablename"].Text
	if i := t.find(table, b["tablepk"].Int); i >= 0 {
		return t.tables[table][i]
	}
	return nil
}

// wipe deletes what the client deletes after a successful upload (PROTOCOL
// 12.3, "Afterwards").
func (t *Tablet) wipe(m Method) {
	for _, table := range TableNames() {
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
