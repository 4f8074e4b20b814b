package sim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/tabletapi/tabletapi/internal/registry"
	"github.com/tabletapi/tabletapi/testclient"
)

// Sample names of patients, with a quote and non-ASCII letters.
var (
	forenames = []string{"Ann", "Bob", "Chloë", "Dev", "Eilidh", "Femi", "Grace", "Hamid"}
	surnames  = []string{"Smith", "Jones", "O'Brien", "Nguyen", "Ødegård", "Patel", "MacLeod"}
)

// blobFieldSuffix ends the name of an integer field that holds the PK of
// a BLOB of its record, as CamCOPS names them (photo_blobid).
const blobFieldSuffix = "_blobid"

// patientsFor is how many patients a tablet with n tasks has: one per five.
func patientsFor(n int) int { return max(1, (n+4)/5) }

// addTasks adds n tasks (at least one), each of a task table drawn at
// random, for a patient drawn at random if the task is about a patient,
// first creating patients so that there is one per five tasks. Each task
// gets up to three rows in each of its child tables, and about one in four
// a row of a nontask table that belongs to no task.
func (t *Tablet) addTasks(rng *rand.Rand, n int) {
	n = max(n, 1)
	for len(t.tables[TablePatient]) < patientsFor(t.taskCount()+n) {
		t.addPatient(rng)
	}
	for range n {
		t.addTask(rng, t.plan.tasks[rng.IntN(len(t.plan.tasks))], t.randomPatient(rng))
		if len(t.plan.standalone) > 0 && rng.IntN(4) == 0 {
			t.addRow(rng, t.plan.standalone[rng.IntN(len(t.plan.standalone))], nil)
		}
	}
}

// randomPatient returns the PK of a patient of the tablet, drawn at random.
func (t *Tablet) randomPatient(rng *rand.Rand) int64 {
	patients := t.tables[TablePatient]
	return patients[rng.IntN(len(patients))].ID()
}

// addPatient adds a patient with an NHS number.
func (t *Tablet) addPatient(rng *rand.Rand) int64 {
	wlm := t.clock.next()
	dob := time.Date(1930+rng.IntN(80), time.January, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, rng.IntN(365))
	p := Row{
		FieldWLM:   testclient.TextValue(wlm),
		"forename": testclient.TextValue(forenames[rng.IntN(len(forenames))]),
		"surname":  testclient.TextValue(surnames[rng.IntN(len(surnames))]),
		"sex":      testclient.TextValue([]string{"F", "M", "X"}[rng.IntN(3)]),
		"dob":      testclient.TextValue(dob.Format(time.DateOnly)),
	}
	if rng.IntN(3) == 0 {
		p["address"] = testclient.TextValue(fmt.Sprintf("%d High Street\nCambridge", 1+rng.IntN(200)))
	}
	if rng.IntN(3) == 0 {
		p["email"] = testclient.TextValue(fmt.Sprintf("patient%d@example.org", rng.IntN(10000)))
	}
	id := t.insert(TablePatient, p)
	t.insert(TablePatientIDNum, Row{
		FieldWLM:      testclient.TextValue(wlm),
		FieldPatient:  testclient.IntValue(id),
		"which_idnum": testclient.IntValue(t.cfg.IDNumType),
		"idnum_value": testclient.IntValue(NHSNumber(rng)),
	})
	return id
}

// addTask adds a record of a task table, for the patient if the task has
// a patient_id field, with rows of its child tables, and returns its PK.
func (t *Tablet) addTask(rng *rand.Rand, table string, patient int64) int64 {
	links := Row{}
	if t.schema.tables[table].has(FieldPatient, registry.Integer) {
		links[FieldPatient] = testclient.IntValue(patient)
	}
	id := t.addRow(rng, table, links)
	for _, child := range t.plan.children[table] {
		_, fk := t.schema.Parent(child)
		for range rng.IntN(4) {
			t.addRow(rng, child, Row{fk: testclient.IntValue(id)})
		}
	}
	return id
}

// addRow adds a record to table: the values of links, a new
// when_last_modified, a random value of its type (or NULL) in every other
// field, and BLOBs. It returns the record's PK.
//
// A field named *_blobid holds, half of the time, the PK of a BLOB made
// for it; a task with no such field gets a BLOB for a nominal
// photo_blobid one time in four, so that BLOBs come with any registry.
func (t *Tablet) addRow(rng *rand.Rand, table string, links Row) int64 {
	r := Row{FieldWLM: testclient.TextValue(t.clock.next())}
	var blobFields []string
	for _, c := range t.schema.Columns(table) {
		switch {
		case c.Name == FieldID || c.Name == FieldMoveOff || c.Name == FieldWLM:
		case links[c.Name].Kind != testclient.KindNull:
			r[c.Name] = links[c.Name]
		case t.plan.blobs && c.Type == registry.Integer && strings.HasSuffix(c.Name, blobFieldSuffix):
			r[c.Name] = testclient.NullValue()
			blobFields = append(blobFields, c.Name)
		default:
			r[c.Name] = t.randomValue(rng, c.Type)
		}
	}
	id := t.insert(table, r)
	for _, f := range blobFields {
		if rng.IntN(2) == 0 {
			r[f] = testclient.IntValue(t.addBlob(rng, table, id, f))
		}
	}
	if t.plan.blobs && len(blobFields) == 0 && t.schema.tables[table].kind == registry.KindTask && rng.IntN(4) == 0 {
		t.addBlob(rng, table, id, "photo"+blobFieldSuffix)
	}
	return id
}

// addBlob adds a PNG BLOB for the field of the record of table with PK
// tablepk, and returns its PK.
func (t *Tablet) addBlob(rng *rand.Rand, table string, tablepk int64, field string) int64 {
	return t.insert(TableBlobs, Row{
		FieldWLM:                testclient.TextValue(t.clock.next()),
		"tablename":             testclient.TextValue(table),
		"tablepk":               testclient.IntValue(tablepk),
		"fieldname":             testclient.TextValue(field),
		"mimetype":              testclient.TextValue("image/png"),
		"theblob":               testclient.BytesValue(tinyPNG(rng)),
		"image_rotation_deg_cw": testclient.IntValue(int64(90 * rng.IntN(4))),
	})
}

// insert gives row the table's next client PK and a NULL move-off flag (a
// flag that was never set), appends it and returns its PK.
func (t *Tablet) insert(table string, row Row) int64 {
	t.nextID[table]++
	id := t.nextID[table]
	row[FieldID] = testclient.IntValue(id)
	row[FieldMoveOff] = testclient.NullValue()
	t.tables[table] = append(t.tables[table], row)
	return id
}

// taskCount is the number of local task records.
func (t *Tablet) taskCount() int {
	n := 0
	for _, table := range t.plan.tasks {
		n += len(t.tables[table])
	}
	return n
}

// find returns the index of the row of table with client PK id, or -1.
func (t *Tablet) find(table string, id int64) int {
	return slices.IndexFunc(t.tables[table], func(r Row) bool { return r.ID() == id })
}

// round rounds f to n decimal places.
func round(f float64, n int) float64 {
	p := math.Pow(10, float64(n))
	return math.Round(f*p) / p
}
