package sim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/tabletapi/tabletapi/testclient"
)

// Sample values for patients and free text. They include a quote, a
// newline, a backslash and non-ASCII letters, so that the literal encoding
// is exercised.
var (
	forenames = []string{"Ann", "Bob", "Chloë", "Dev", "Eilidh", "Femi", "Grace", "Hamid"}
	surnames  = []string{"Smith", "Jones", "O'Brien", "Nguyen", "Ødegård", "Patel", "MacLeod"}
	comments  = []string{"Said 'fine'\nthen left", "weighed in shoes", `scale C:\ward 3`, "re-measured"}
)

// patientsFor is how many patients a tablet with n tasks has: one per five.
func patientsFor(n int) int { return max(1, (n+4)/5) }

// addTasks adds n bmi or phq9 tasks (at least one), each for a patient
// chosen at random, first creating patients so that there is one per five
// tasks.
func (t *Tablet) addTasks(rng *rand.Rand, n int) {
	n = max(n, 1)
	for len(t.tables[TablePatient]) < patientsFor(t.taskCount()+n) {
		t.addPatient(rng)
	}
	patients := t.tables[TablePatient]
	for range n {
		t.addTask(rng, patients[rng.IntN(len(patients))].ID())
	}
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
		"patient_id":  testclient.IntValue(id),
		"which_idnum": testclient.IntValue(t.cfg.IDNumType),
		"idnum_value": testclient.IntValue(NHSNumber(rng)),
	})
	return id
}

// addTask adds a bmi (with a photo BLOB half the time) or a phq9 task for
// the patient.
func (t *Tablet) addTask(rng *rand.Rand, patient int64) {
	created := t.clock.before(time.Duration(1+rng.IntN(600)) * time.Second)
	wlm := t.clock.next()
	r := Row{
		FieldWLM:              testclient.TextValue(wlm),
		"when_created":        testclient.TextValue(created),
		"firstexit_is_finish": testclient.IntValue(1),
		"firstexit_is_abort":  testclient.IntValue(0),
		"when_firstexit":      testclient.TextValue(wlm),
		"editing_time_s":      testclient.RealValue(round(5+rng.Float64()*300, 1)),
		"patient_id":          testclient.IntValue(patient),
	}
	if rng.IntN(2) == 0 {
		for q := 1; q <= 10; q++ {
			r[fmt.Sprintf("q%d", q)] = testclient.IntValue(rng.Int64N(4))
		}
		t.insert(TablePHQ9, r)
		return
	}
	setBMIValues(rng, r)
	id := t.insert(TableBMI, r)
	if rng.IntN(2) == 0 {
		t.insert(TableBlobs, Row{
			FieldWLM:                testclient.TextValue(t.clock.next()),
			"tablename":             testclient.TextValue(TableBMI),
			"tablepk":               testclient.IntValue(id),
			"fieldname":             testclient.TextValue("photo_blobid"),
			"mimetype":              testclient.TextValue("image/png"),
			"theblob":               testclient.BytesValue(tinyPNG(rng)),
			"image_rotation_deg_cw": testclient.IntValue(int64(90 * rng.IntN(4))),
		})
	}
}

// setBMIValues sets a bmi's measurements: reals with up to 7 significant
// digits (sent with 6, PROTOCOL 7.4), whole numbers now and then (sent
// without a decimal point), and an optional comment.
func setBMIValues(rng *rand.Rand, r Row) {
	r["mass_kg"] = testclient.RealValue(round(40+rng.Float64()*80, 1+rng.IntN(5)))
	r["height_m"] = testclient.RealValue(round(1.4+rng.Float64()*0.6, 2))
	if rng.IntN(4) == 0 {
		r["mass_kg"] = testclient.RealValue(float64(50 + rng.IntN(50)))
	}
	r["waist_cm"] = testclient.NullValue()
	if rng.IntN(2) == 0 {
		r["waist_cm"] = testclient.RealValue(round(60+rng.Float64()*60, 1))
	}
	r["comment"] = testclient.NullValue()
	if rng.IntN(3) == 0 {
		r["comment"] = testclient.TextValue(comments[rng.IntN(len(comments))])
	}
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
	return len(t.tables[TableBMI]) + len(t.tables[TablePHQ9])
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
