package sim

import (
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/tabletapi/tabletapi/testclient"
)

// Changes counts what Mutate did to the local data.
type Changes struct {
	Modified, Added, Deleted, Flagged int
}

// Mutate changes the local data as a user between two uploads would. A
// tablet left with no tasks (after a Move) is filled again with
// Config.Records tasks. Otherwise about a tenth of the records are
// modified (with a new when_last_modified), a twentieth of the tasks
// deleted (their BLOBs become orphans, which the next upload drops), now
// and then a whole patient is deleted, and new tasks are added (at least
// one, so every upload after the first carries new records). With
// probability 0.3 one patient is marked to move off the tablet, with its ID
// numbers, as the client's "move off" does, without touching
// when_last_modified; a marked patient is given a task if it has none.
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
	for _, table := range []string{TablePatient, TablePatientIDNum, TableBMI, TablePHQ9, TableBlobs} {
		for _, r := range t.tables[table] {
			if rng.IntN(10) == 0 {
				t.modify(rng, table, r)
				ch.Modified++
			}
		}
	}
	for _, table := range []string{TableBMI, TablePHQ9} {
		n := len(t.tables[table])
		t.tables[table] = slices.DeleteFunc(t.tables[table], func(Row) bool { return rng.IntN(20) == 0 })
		ch.Deleted += n - len(t.tables[table])
	}
	if ps := t.tables[TablePatient]; len(ps) > 1 && rng.IntN(5) == 0 {
		ch.Deleted += t.deletePatient(ps[rng.IntN(len(ps))].ID())
	}
	n := max(1, t.cfg.Records/10)
	t.addTasks(rng, n)
	ch.Added += n
	if rng.Float64() < 0.3 {
		ch.Flagged += t.flagPatient(rng)
	}
	for _, p := range t.tables[TablePatient] {
		if p.MoveOff() && !t.hasTask(p.ID()) {
			t.addTask(rng, p.ID())
			ch.Added++
		}
	}
	return ch
}

// modify changes a record's values and when_last_modified.
func (t *Tablet) modify(rng *rand.Rand, table string, r Row) {
	r[FieldWLM] = testclient.TextValue(t.clock.next())
	switch table {
	case TablePatient:
		r["other"] = testclient.TextValue(fmt.Sprintf("note %d", rng.IntN(1000)))
	case TablePatientIDNum:
		r["idnum_value"] = testclient.IntValue(NHSNumber(rng))
	case TableBMI:
		setBMIValues(rng, r)
	case TablePHQ9:
		r["q1"] = testclient.IntValue(rng.Int64N(4))
		r["editing_time_s"] = testclient.RealValue(round(5+rng.Float64()*300, 2))
	case TableBlobs:
		r["theblob"] = testclient.BytesValue(tinyPNG(rng))
	}
}

// deletePatient deletes a patient with its ID numbers and tasks, and
// returns how many records went. Their BLOBs stay behind as orphans.
func (t *Tablet) deletePatient(id int64) int {
	n := 0
	del := func(table string, match func(Row) bool) {
		before := len(t.tables[table])
		t.tables[table] = slices.DeleteFunc(t.tables[table], match)
		n += before - len(t.tables[table])
	}
	del(TablePatient, func(r Row) bool { return r.ID() == id })
	for _, table := range []string{TablePatientIDNum, TableBMI, TablePHQ9} {
		del(table, func(r Row) bool { return r["patient_id"].Int == id })
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
		if n["patient_id"].Int == id {
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
	for _, table := range []string{TableBMI, TablePHQ9} {
		for _, r := range t.tables[table] {
			if r["patient_id"].Int == patient {
				return true
			}
		}
	}
	return false
}
