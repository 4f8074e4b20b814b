package sim

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/tabletapi/tabletapi/internal/registry"
	"github.com/tabletapi/tabletapi/testclient"
)

// Changes counts what Mutate did to the local data.
type Changes struct {
	Modified, Added, Deleted, Flagged int
}

// Mutate changes the local data as a user between two uploads would. A
// tablet left with no tasks (after a Move) is filled again with
// Config.Records tasks. Otherwise about a tenth of the records are
// modified (with a new when_last_modified), a twentieth of the other
// records than patients and BLOBs deleted (a task with its child records;
// BLOBs of deleted records become orphans, which the next upload drops),
// now and then a whole patient is deleted, and new tasks are added (at
// least one, so every upload after the first carries new records). With
// probability 0.3 one patient is marked to move off the tablet, with its
// ID numbers, as the client's "move off" does, without touching
// when_last_modified; a marked patient is given a task if it has none.
// Patients are marked only if some task table has a patient_id field.
//
// Mutate must not be called while Unsettled: the record of what the server
// holds would no longer be known.
func (t *Tablet) Mutate(rng *rand.Rand) Changes {
	var ch Changes
	if t.taskCount() == 0 {
		t.addTasks(rng, t.cfg.Records)
		ch.Added = t.cfg.Records
		return ch
	}
	names := t.schema.TableNames()
	for _, table := range names {
		for _, r := range t.tables[table] {
			if rng.IntN(10) == 0 {
				t.modify(rng, table, r)
				ch.Modified++
			}
		}
	}
	for _, table := range names {
		if isPatientTable(table) || table == TableBlobs {
			continue
		}
		ch.Deleted += t.deleteWhere(table, func(Row) bool { return rng.IntN(20) == 0 })
	}
	if ps := t.tables[TablePatient]; len(ps) > 1 && rng.IntN(5) == 0 {
		ch.Deleted += t.deletePatient(ps[rng.IntN(len(ps))].ID())
	}
	n := max(1, t.cfg.Records/10)
	t.addTasks(rng, n)
	ch.Added += n
	if len(t.plan.patientTasks) > 0 && rng.Float64() < 0.3 {
		ch.Flagged += t.flagPatient(rng)
	}
	for _, p := range t.tables[TablePatient] {
		if p.MoveOff() && !t.hasTask(p.ID()) {
			t.addTask(rng, t.plan.patientTasks[rng.IntN(len(t.plan.patientTasks))], p.ID())
			ch.Added++
		}
	}
	return ch
}

// modify changes a record's values and when_last_modified: a patient's
// note, an ID number, a BLOB's image, or one field of another record
// chosen among those that link it to no other record.
func (t *Tablet) modify(rng *rand.Rand, table string, r Row) {
	r[FieldWLM] = testclient.TextValue(t.clock.next())
	switch table {
	case TablePatient:
		r["other"] = testclient.TextValue(fmt.Sprintf("note %d", rng.IntN(1000)))
	case TablePatientIDNum:
		r["idnum_value"] = testclient.IntValue(NHSNumber(rng))
	case TableBlobs:
		r["theblob"] = testclient.BytesValue(tinyPNG(rng))
	default:
		_, fk := t.schema.Parent(table)
		var free []Column
		for _, c := range t.schema.Columns(table) {
			switch {
			case c.Name == FieldID || c.Name == FieldMoveOff || c.Name == FieldWLM || c.Name == FieldPatient || c.Name == fk:
			case c.Type == registry.Integer && strings.HasSuffix(c.Name, blobFieldSuffix):
			default:
				free = append(free, c)
			}
		}
		if len(free) > 0 {
			c := free[rng.IntN(len(free))]
			r[c.Name] = t.randomValue(rng, c.Type)
		}
	}
}

// deleteWhere deletes the records of table that match, with their child
// records if table is a task table, and returns how many records went.
// BLOBs stay behind as orphans.
func (t *Tablet) deleteWhere(table string, match func(Row) bool) int {
	var gone []int64
	before := len(t.tables[table])
	t.tables[table] = slices.DeleteFunc(t.tables[table], func(r Row) bool {
		if match(r) {
			gone = append(gone, r.ID())
			return true
		}
		return false
	})
	n := before - len(t.tables[table])
	for _, child := range t.schema.tables[table].children {
		_, fk := t.schema.Parent(child)
		n += t.deleteWhere(child, func(r Row) bool { return slices.Contains(gone, r[fk].Int) })
	}
	return n
}

// deletePatient deletes a patient with its ID numbers and tasks (with
// their child records), and returns how many records went. Their BLOBs
// stay behind as orphans.
func (t *Tablet) deletePatient(id int64) int {
	n := t.deleteWhere(TablePatient, func(r Row) bool { return r.ID() == id })
	for _, table := range t.schema.TableNames() {
		if table != TablePatient && t.schema.tables[table].has(FieldPatient, registry.Integer) {
			n += t.deleteWhere(table, func(r Row) bool {
				v := r[FieldPatient]
				return v.Kind == testclient.KindInt && v.Int == id
			})
		}
	}
	return n
}

// MarkForMoveOff marks the patient with client PK id, and its ID numbers,
// to move off the tablet, as the client's "move off" does: without a new
// when_last_modified. It reports whether the tablet has that patient. To
// keep retries of the next upload exact, give the patient a task (see
// Mutate).
func (t *Tablet) MarkForMoveOff(id int64) bool {
	i := t.find(TablePatient, id)
	if i < 0 {
		return false
	}
	t.tables[TablePatient][i][FieldMoveOff] = testclient.IntValue(1)
	for _, n := range t.tables[TablePatientIDNum] {
		if n[FieldPatient].Int == id {
			n[FieldMoveOff] = testclient.IntValue(1)
		}
	}
	return true
}

// flagPatient marks a random unmarked patient and its ID numbers to move
// off the tablet. It returns 1, or 0 if every patient is marked already.
// Mutate then gives every marked patient a task if it has none: the server
// recognises a repeated upload of preserved patients only when the upload
// also carries a preserved non-patient record (PROTOCOL 8.4.2, "pure
// retry"), so without one a retried Copy would store the patient twice.
func (t *Tablet) flagPatient(rng *rand.Rand) int {
	var candidates []int64
	for _, p := range t.tables[TablePatient] {
		if !p.MoveOff() {
			candidates = append(candidates, p.ID())
		}
	}
	if len(candidates) == 0 {
		return 0
	}
	t.MarkForMoveOff(candidates[rng.IntN(len(candidates))])
	return 1
}

// hasTask reports whether the patient has a task.
func (t *Tablet) hasTask(patient int64) bool {
	for _, table := range t.plan.patientTasks {
		for _, r := range t.tables[table] {
			if v := r[FieldPatient]; v.Kind == testclient.KindInt && v.Int == patient {
				return true
			}
		}
	}
	return false
}
