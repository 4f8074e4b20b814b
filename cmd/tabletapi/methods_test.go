package main_test

import (
	"context"
	"encoding/base64"
	"regexp"
	"strings"
	"testing"
	"time"
)

// End-to-end tests of the client's three upload methods (PROTOCOL 12.3),
// each multi-step and one-step, through the tablet model of
// tabletmodel_test.go: what the server holds afterwards (8.1, 8.4–8.7) and
// what later uploads do.

// allIn lists ids 1 and 2 in one era, both current.
func allIn(era string) []string { return []string{"1 " + era + " cur", "2 " + era + " cur"} }

// firstState is the server state after the first upload of the standard
// tablet by m: Copy keeps patient 1's data in era NOW and preserves the
// flagged patient 2's; the Move methods preserve everything.
func firstState(m uploadMethod) map[string][]string {
	rows := allIn("E1")
	if m == methodCopy {
		rows = []string{"1 NOW cur", "2 E1 cur"}
	}
	return map[string][]string{"patient": rows, "patient_idnum": rows, "blobs": rows, "bmi": rows, "phq9": rows}
}

// TestMethodUpload uploads the standard tablet (two patients, NHS numbers,
// bmi and phq9 tasks, PNG BLOBs; patient 2 flagged for move-off in the Copy
// case) with each method and path, and checks the stored rows, their
// bookkeeping columns, the era, the stored values and the audit.
func TestMethodUpload(t *testing.T) {
	eachMethodAndMode(t, func(t *testing.T, e *tabletEnv, m uploadMethod, oneStep bool) {
		e.tab.standardTablet(m == methodCopy)
		from := time.Now()
		res := e.tab.upload(m, oneStep)
		to := time.Now()
		if !oneStep {
			if res.whichKeys != "1,2" || len(res.uploadRecords) != 2 ||
				res.uploadRecords[0] != "UPLOAD-INSERT" || res.uploadRecords[1] != "UPLOAD-INSERT" {
				t.Fatalf("BLOBs: which_keys_to_send %q, upload_record %q; want 1,2 and two UPLOAD-INSERT", res.whichKeys, res.uploadRecords)
			}
		}
		wantState(t, e.s, e.dev, firstState(m))
		e.wantSettled(t)
		eras := erasOf(t, e.s, e.dev)
		if len(eras) != 1 {
			t.Fatalf("eras %q, want one", eras)
		}
		wantEraIn(t, eras[0], from, to)
		// The era is the batch time: that of start_upload (8.3.3),
		// or of the one-step upload, which records it once stored.
		if got := e.lastBatchEra(t); got != eras[0] {
			t.Fatalf("era %s, but the device's last batch is at %s", eras[0], got)
		}
		// Every row was added in this batch (8.1, 8.6).
		for _, table := range commitOrder {
			if got := e.batchTimes(t, table, "_when_added_batch_utc"); len(got) != 1 || got[0] != eras[0] {
				t.Fatalf("%s: _when_added_batch_utc %q, want the batch time %s", table, got, eras[0])
			}
		}
		e.wantValues(t)
		e.wantFirstAudit(t)
	})
}

// wantFirstAudit checks the audit of the standard tablet's first upload
// (PROTOCOL 8.9): every table, with the server PKs (_pk) of the rows added
// and preserved, and as current the rows current after the upload, those it
// preserved included (the 8.9 example: "2 preserved, PKs [7, 12]; current
// PKs [12]").
func (e *tabletEnv) wantFirstAudit(t *testing.T) {
	t.Helper()
	var parts []string
	for _, table := range commitOrder {
		all := e.pks(t, table, "1 NOW cur", "2 NOW cur", "1 E1 cur", "2 E1 cur")
		parts = append(parts, changeLine(table, all, nil, nil, e.pks(t, table, "1 E1 cur", "2 E1 cur"), all))
	}
	e.wantAudit(t, strings.Join(parts, ", "))
}

// batchTimes returns the distinct values of a time column of the device's
// rows of table, as era strings (whole seconds, UTC).
func (e *tabletEnv) batchTimes(t *testing.T, table, column string) []string {
	t.Helper()
	rows, err := e.s.DB.QueryContext(context.Background(), "SELECT "+column+" FROM \""+table+"\" WHERE _device_id = ?", e.dev)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	seen := map[string]bool{}
	var out []string
	for rows.Next() {
		var ts time.Time
		if err := rows.Scan(&ts); err != nil {
			t.Fatal(err)
		}
		if s := ts.UTC().Format("2006-01-02T15:04:05Z"); !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// wantValues checks the values stored from the standard tablet: typed as
// the registry says (PROTOCOL 7.5), date-times as ISO text keeping the
// client's offset (7.6), patient.uuid generated (8.1).
func (e *tabletEnv) wantValues(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	var mass, height, editing float64
	var comment, wlm string
	var finish, waistNull, patientID int64
	if err := e.s.DB.QueryRowContext(ctx, `SELECT mass_kg, height_m, editing_time_s, comment, when_last_modified,
		CASE WHEN firstexit_is_finish THEN 1 ELSE 0 END, CASE WHEN waist_cm IS NULL THEN 1 ELSE 0 END, patient_id
		FROM bmi WHERE _device_id = ? AND id = 1`, e.dev).Scan(&mass, &height, &editing, &comment, &wlm, &finish, &waistNull, &patientID); err != nil {
		t.Fatal(err)
	}
	if mass != 70.2 || height != 1.75 || editing != 72.5 || comment != "Said 'fine'\nthen left" ||
		wlm != "2024-05-01T09:31:12.345000+01:00" || finish != 1 || waistNull != 1 || patientID != 1 {
		t.Fatalf("bmi 1 stored as %v %v %v %q %q %v %v %v", mass, height, editing, comment, wlm, finish, waistNull, patientID)
	}
	if err := e.s.DB.QueryRowContext(ctx, "SELECT mass_kg FROM bmi WHERE _device_id = ? AND id = 2", e.dev).Scan(&mass); err != nil || mass != 81 {
		t.Fatalf("bmi 2 mass_kg = %v (%v), want 81", mass, err)
	}
	var forename, dob, uuid1, uuid2 string
	var emailNull int64
	if err := e.s.DB.QueryRowContext(ctx, `SELECT forename, CAST(dob AS TEXT), uuid, CASE WHEN email IS NULL THEN 1 ELSE 0 END
		FROM patient WHERE _device_id = ? AND id = 1`, e.dev).Scan(&forename, &dob, &uuid1, &emailNull); err != nil {
		t.Fatal(err)
	}
	if err := e.s.DB.QueryRowContext(ctx, "SELECT uuid FROM patient WHERE _device_id = ? AND id = 2", e.dev).Scan(&uuid2); err != nil {
		t.Fatal(err)
	}
	v4 := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	if forename != "Ann" || dob != "1980-02-29" || emailNull != 1 || !v4.MatchString(uuid1) || !v4.MatchString(uuid2) || uuid1 == uuid2 {
		t.Fatalf("patient stored as %q %q email-null=%v uuids %q %q", forename, dob, emailNull, uuid1, uuid2)
	}
	if n := queryInt(t, e.s, "SELECT idnum_value FROM patient_idnum WHERE _device_id = ? AND id = 1 AND which_idnum = 1 AND patient_id = 1", e.dev); n != 9434765919 {
		t.Fatalf("idnum_value = %d", n)
	}
	if n := queryInt(t, e.s, "SELECT q10 FROM phq9 WHERE _device_id = ? AND id = 2", e.dev); n != 0 {
		t.Fatalf("phq9 2 q10 = %d, want 0", n)
	}
	var blob []byte
	var mime string
	if err := e.s.DB.QueryRowContext(ctx, "SELECT theblob, mimetype FROM blobs WHERE _device_id = ? AND id = 2", e.dev).Scan(&blob, &mime); err != nil {
		t.Fatal(err)
	}
	png, _ := base64.StdEncoding.DecodeString(pngBase64)
	if string(blob) != string(png) || mime != "image/png" {
		t.Fatalf("blob 2 stored as %x %q", blob, mime)
	}
}

// Scenarios: sequences of uploads by one tablet, shared by the state tests
// and the audit tests.

// scenarioCopyThenChanges: a Copy with patient 2 flagged, after which the
// client deletes patient 2's rows; then a Copy of only what changed: bmi 1
// modified, phq9 3 added, phq9 1 deleted. It returns the second upload's
// result.
func (e *tabletEnv) scenarioCopyThenChanges(t *testing.T, oneStep bool) *uploadResult {
	t.Helper()
	tab := e.tab.standardTablet(true)
	tab.upload(methodCopy, oneStep)
	tab.afterUpload(methodCopy)
	for _, table := range tableNames {
		if len(tab.tables[table]) != 1 || tab.tables[table][0]["id"] != "1" {
			t.Fatalf("after Copy the tablet keeps %s %v, want only row 1", table, tab.tables[table])
		}
	}
	bmi := tab.row("bmi", 1)
	bmi["mass_kg"], bmi["when_last_modified"] = "71.4", "'2024-05-08T09:00:00.000+01:00'"
	tab.add("phq9", phq9Row(3, 1, "2024-05-08T10:00:00.000+01:00"))
	tab.del("phq9", 1)
	return tab.upload(methodCopy, oneStep)
}

// scenarioMoveKeepThenNewTask: Move keeping patients, then a Copy of the
// kept patients with a new bmi 3.
func (e *tabletEnv) scenarioMoveKeepThenNewTask(t *testing.T, oneStep bool) {
	t.Helper()
	tab := e.tab.standardTablet(false)
	tab.upload(methodMoveKeep, oneStep)
	tab.afterUpload(methodMoveKeep)
	if len(tab.tables["patient"]) != 2 || len(tab.tables["patient_idnum"]) != 2 || len(tab.tables["bmi"]) != 0 || len(tab.tables["blobs"]) != 0 {
		t.Fatalf("tablet after Move keeping patients: %v", tab.tables)
	}
	tab.add("bmi", bmiRow(3, 1, "69", "2024-06-01T08:00:00.000+01:00"))
	tab.upload(methodCopy, oneStep)
}

// scenarioMoveThenReusedPKs: a Move empties the tablet; a new patient, ID
// number and bmi reuse client PK 1 and are uploaded by Copy.
func (e *tabletEnv) scenarioMoveThenReusedPKs(t *testing.T, oneStep bool) {
	t.Helper()
	tab := e.tab.standardTablet(false)
	tab.upload(methodMove, oneStep)
	tab.afterUpload(methodMove)
	for _, table := range tableNames {
		if len(tab.tables[table]) != 0 {
			t.Fatalf("tablet keeps %s after Move", table)
		}
	}
	tab.add("patient", patientRow(1, "Cat", "Brown", "F", "1990-01-01", "2024-06-02T08:00:00.000+01:00", "0"))
	tab.add("patient_idnum", idNumRow(1, 1, nhs3, "2024-06-02T08:00:00.000+01:00", "NULL"))
	tab.add("bmi", bmiRow(1, 1, "55.5", "2024-06-02T08:05:00.000+01:00"))
	tab.upload(methodCopy, oneStep)
}

// scenarioCopyFlagLater: a Copy with no flags, then the user flags patient
// 2 and Copies again, with no record changed.
func (e *tabletEnv) scenarioCopyFlagLater(t *testing.T, oneStep bool) *uploadResult {
	t.Helper()
	tab := e.tab.standardTablet(false)
	tab.upload(methodCopy, oneStep)
	tab.afterUpload(methodCopy)
	tab.row("patient", 2)["_move_off_tablet"] = "1"
	return tab.upload(methodCopy, oneStep)
}

// scenarioModifyFlagDelete is the PROTOCOL 8.9 example as a Copy: after a
// first Copy with no flags, bmi 2 is modified and its patient flagged for
// move-off, and bmi 1 is deleted (the client drops its BLOB, now an
// orphan).
func (e *tabletEnv) scenarioModifyFlagDelete(t *testing.T, oneStep bool) {
	t.Helper()
	tab := e.tab.standardTablet(false)
	tab.upload(methodCopy, oneStep)
	tab.row("bmi", 2)["when_last_modified"] = "'2024-05-09T09:00:00.000+01:00'"
	tab.row("patient", 2)["_move_off_tablet"] = "1"
	tab.del("bmi", 1)
	tab.upload(methodCopy, oneStep)
	if len(tab.tables["blobs"]) != 1 {
		t.Fatal("the client kept the orphan BLOB")
	}
}

// scenarioMoveAfterChanges: a Copy with no flags; then bmi 1 is modified,
// bmi 2 deleted (its BLOB dropped) and every phq9 deleted, and the tablet
// is uploaded by Move.
func (e *tabletEnv) scenarioMoveAfterChanges(t *testing.T, oneStep bool) {
	t.Helper()
	tab := e.tab.standardTablet(false)
	tab.upload(methodCopy, oneStep)
	tab.row("bmi", 1)["when_last_modified"] = "'2024-05-09T09:00:00.000+01:00'"
	tab.del("bmi", 2)
	tab.del("phq9", 1)
	tab.del("phq9", 2)
	tab.upload(methodMove, oneStep)
}

// TestMethodCopyModifyFlagDelete: in scenarioModifyFlagDelete the modified
// bmi 2 is replaced and both its versions are preserved with patient 2's
// other rows; bmi 1 and BLOB 1 are deleted and stay in era NOW (PROTOCOL
// 8.4.2 "Preservation", 8.6, 8.7).
func TestMethodCopyModifyFlagDelete(t *testing.T) {
	eachMode(t, func(t *testing.T, e *tabletEnv, oneStep bool) {
		e.scenarioModifyFlagDelete(t, oneStep)
		wantState(t, e.s, e.dev, map[string][]string{
			"patient":       {"1 NOW cur", "2 E1 cur"},
			"patient_idnum": {"1 NOW cur", "2 E1 cur"},
			"blobs":         {"1 NOW old", "2 E1 cur"},
			"bmi":           {"1 NOW old", "2 E1 old", "2 E1 cur"},
			"phq9":          {"1 NOW cur", "2 E1 cur"},
		})
		e.wantSettled(t)
		b := serverRows(t, e.s, "bmi", e.dev)
		if b[1].Succ != b[2].PK || b[2].Pred != b[1].PK || b[0].Succ != 0 {
			t.Fatalf("bmi links wrong: %+v", b)
		}
		// The audit has the shape of the PROTOCOL 8.9 example: bmi 2's
		// old version modified out and replaced, both preserved, the new
		// one current; bmi 1 deleted.
		newBMI, oldBMI, delBMI := e.pks(t, "bmi", "2 E1 cur"), e.pks(t, "bmi", "2 E1 old"), e.pks(t, "bmi", "1 NOW old")
		p2 := func(table string) string {
			return changeLine(table, nil, nil, nil, e.pks(t, table, "2 E1 cur"), e.pks(t, table, "1 NOW cur", "2 E1 cur"))
		}
		e.wantAudit(t, p2("patient")+", "+p2("patient_idnum")+", "+
			changeLine("blobs", nil, nil, e.pks(t, "blobs", "1 NOW old"), e.pks(t, "blobs", "2 E1 cur"), e.pks(t, "blobs", "2 E1 cur"))+", "+
			changeLine("bmi", newBMI, oldBMI, delBMI, append(oldBMI, newBMI...), newBMI)+", "+p2("phq9"))
	})
}

// TestMethodMoveAfterChanges: a Move preserves every era-NOW row of the
// device in the tables it touches: the new and the modified-out version of
// bmi 1, and the rows it deletes (PROTOCOL 8.6, 8.7).
func TestMethodMoveAfterChanges(t *testing.T) {
	eachMode(t, func(t *testing.T, e *tabletEnv, oneStep bool) {
		e.scenarioMoveAfterChanges(t, oneStep)
		wantState(t, e.s, e.dev, map[string][]string{
			"patient":       allIn("E1"),
			"patient_idnum": allIn("E1"),
			"blobs":         {"1 E1 cur", "2 E1 old"},
			"bmi":           {"1 E1 old", "2 E1 old", "1 E1 cur"},
			"phq9":          {"1 E1 old", "2 E1 old"},
		})
		e.wantSettled(t)
		e.wantAuditCounts(t, "patient 0/0/0/2, patient_idnum 0/0/0/2, blobs 0/0/1/2, bmi 1/1/1/3, phq9 0/0/2/2")
	})
}

// TestMethodCopyEmptiedTable: when the client has deleted every phq9, the
// table goes to upload_empty_tables (multi-step) or as an empty list
// (one-step), and the server deletes its rows (PROTOCOL 6.13, 8.5).
func TestMethodCopyEmptiedTable(t *testing.T) {
	eachMode(t, func(t *testing.T, e *tabletEnv, oneStep bool) {
		tab := e.tab.standardTablet(false)
		tab.upload(methodCopy, oneStep)
		tab.del("phq9", 1)
		tab.del("phq9", 2)
		tab.upload(methodCopy, oneStep)
		wantState(t, e.s, e.dev, map[string][]string{"bmi": allIn("NOW"), "phq9": {"1 NOW old", "2 NOW old"}})
		e.wantSettled(t)
		e.wantAuditCounts(t, "phq9 0/0/2/0")
	})
}

// TestMethodMoveSingleBlob: a Move of a tablet with one BLOB whose flag was
// never set sends move_off_tablet_values blank, which counts as one NULL
// flag (C8); the BLOB is asked for, stored and preserved, and a repeat
// asks for nothing and stores nothing.
func TestMethodMoveSingleBlob(t *testing.T) {
	t.Parallel()
	e := newTabletEnv(t, nil)
	tab := e.tab.standardTablet(false)
	tab.del("blobs", 2)
	res := tab.multiStep(methodMove)
	if res.whichKeys != "1" || len(res.uploadRecords) != 1 || res.uploadRecords[0] != "UPLOAD-INSERT" {
		t.Fatalf("which_keys_to_send %q, upload_record %q", res.whichKeys, res.uploadRecords)
	}
	wantState(t, e.s, e.dev, map[string][]string{"blobs": {"1 E1 cur"}, "bmi": allIn("E1")})
	e.wantSettled(t)
	before := tableSnapshot(t, e.s, e.dev)
	if res := tab.multiStep(methodMove); res.whichKeys != "" {
		t.Fatalf("repeat: which_keys_to_send %q", res.whichKeys)
	}
	wantSame(t, "the repeat", before, tableSnapshot(t, e.s, e.dev))
	e.wantAudit(t, "No changes")
}

// TestMethodCopyThenChanges: the second Copy of scenarioCopyThenChanges
// replaces bmi 1 with linked versions, removes phq9 1 with no successor,
// adds phq9 3, and leaves patient 2's preserved rows alone (PROTOCOL 8.4.2,
// 8.5, 8.6).
func TestMethodCopyThenChanges(t *testing.T) {
	eachMode(t, func(t *testing.T, e *tabletEnv, oneStep bool) {
		res := e.scenarioCopyThenChanges(t, oneStep)
		if !oneStep && (res.whichKeys != "" || len(res.uploadRecords) != 0) {
			t.Fatalf("unchanged BLOB requested: which_keys_to_send %q", res.whichKeys)
		}
		wantState(t, e.s, e.dev, map[string][]string{
			"patient":       {"1 NOW cur", "2 E1 cur"},
			"patient_idnum": {"1 NOW cur", "2 E1 cur"},
			"blobs":         {"1 NOW cur", "2 E1 cur"},
			"bmi":           {"1 NOW old", "2 E1 cur", "1 NOW cur"},
			"phq9":          {"1 NOW old", "2 E1 cur", "3 NOW cur"},
		})
		e.wantSettled(t)
		b := serverRows(t, e.s, "bmi", e.dev)
		if b[0].Succ != b[2].PK || b[2].Pred != b[0].PK || b[0].Pred != 0 || b[2].Succ != 0 || b[1].Pred != 0 || b[1].Succ != 0 {
			t.Fatalf("bmi version links wrong: %+v", b)
		}
		p := serverRows(t, e.s, "phq9", e.dev)
		if p[0].Succ != 0 || p[0].Removing != e.alice || p[2].Pred != 0 {
			t.Fatalf("phq9 deletion wrong: %+v", p)
		}
		var mass float64
		if err := e.s.DB.QueryRowContext(context.Background(), "SELECT mass_kg FROM bmi WHERE _pk = ?", b[2].PK).Scan(&mass); err != nil || mass != 71.4 {
			t.Fatalf("new bmi 1 mass_kg = %v (%v)", mass, err)
		}
		// Server PKs; current: the table's live rows (PROTOCOL 8.9).
		added := e.pks(t, "bmi", "1 NOW cur")
		live := func(table string) []int { return e.pks(t, table, "1 NOW cur", "2 NOW cur", "3 NOW cur") }
		e.wantAudit(t, changeLine("bmi", added, e.pks(t, "bmi", "1 NOW old"), nil, nil, live("bmi"))+", "+
			changeLine("phq9", e.pks(t, "phq9", "3 NOW cur"), nil, e.pks(t, "phq9", "1 NOW old"), nil, live("phq9")))
	})
}

// TestMethodMoveKeepingPatientsThenNewTask: after Move keeping patients the
// tablet still holds both patients; its next upload (a Copy with a new
// task) stores them again in era NOW, unlinked to their preserved copies,
// so the new task has its patient in the same era (PROTOCOL 8.4.2,
// "Patient tables after preservation").
func TestMethodMoveKeepingPatientsThenNewTask(t *testing.T) {
	eachMode(t, func(t *testing.T, e *tabletEnv, oneStep bool) {
		e.scenarioMoveKeepThenNewTask(t, oneStep)
		wantState(t, e.s, e.dev, map[string][]string{
			"patient":       {"1 E1 cur", "2 E1 cur", "1 NOW cur", "2 NOW cur"},
			"patient_idnum": {"1 E1 cur", "2 E1 cur", "1 NOW cur", "2 NOW cur"},
			"blobs":         allIn("E1"),
			"bmi":           {"1 E1 cur", "2 E1 cur", "3 NOW cur"},
			"phq9":          allIn("E1"),
		})
		e.wantSettled(t)
		e.wantUnlinked(t, "patient", "patient_idnum")
		e.wantAuditCounts(t, "patient 2/0/0/0, patient_idnum 2/0/0/0, bmi 1/0/0/0")
	})
}

// TestMethodMoveThenReusedPKs: after a Move the tablet is empty and may
// reuse client PKs; a later upload with PK 1 creates new, unrelated rows
// and leaves the preserved ones alone (PROTOCOL 8.7).
func TestMethodMoveThenReusedPKs(t *testing.T) {
	eachMode(t, func(t *testing.T, e *tabletEnv, oneStep bool) {
		e.scenarioMoveThenReusedPKs(t, oneStep)
		wantState(t, e.s, e.dev, map[string][]string{
			"patient":       {"1 E1 cur", "2 E1 cur", "1 NOW cur"},
			"patient_idnum": {"1 E1 cur", "2 E1 cur", "1 NOW cur"},
			"blobs":         allIn("E1"),
			"bmi":           {"1 E1 cur", "2 E1 cur", "1 NOW cur"},
			"phq9":          allIn("E1"),
		})
		e.wantSettled(t)
		e.wantUnlinked(t, commitOrder...)
		var forename string
		if err := e.s.DB.QueryRowContext(context.Background(), "SELECT forename FROM patient WHERE _device_id = ? AND id = 1 AND _era = 'NOW'", e.dev).Scan(&forename); err != nil || forename != "Cat" {
			t.Fatalf("new patient 1: %q (%v)", forename, err)
		}
		e.wantAuditCounts(t, "patient 1/0/0/0, patient_idnum 1/0/0/0, bmi 1/0/0/0")
	})
}

// TestMethodCopyFlagLater: a patient uploaded by Copy and flagged for
// move-off later is preserved, with its ID number, tasks and BLOB, by the
// next Copy although none of its records changed; which_keys_to_send does
// not ask for the flagged BLOB but flags it itself (PROTOCOL 6.17 step 6,
// 8.4.3, C7). The client then deletes that patient's rows.
func TestMethodCopyFlagLater(t *testing.T) {
	eachMode(t, func(t *testing.T, e *tabletEnv, oneStep bool) {
		res := e.scenarioCopyFlagLater(t, oneStep)
		if !oneStep && res.whichKeys != "" {
			t.Fatalf("which_keys_to_send asked for %q, want nothing", res.whichKeys)
		}
		wantState(t, e.s, e.dev, firstState(methodCopy))
		e.wantSettled(t)
		// Preserving unchanged rows is a change (PROTOCOL 8.9).
		e.wantAuditCounts(t, eachTable("0/0/0/1"))
		e.tab.afterUpload(methodCopy)
		for _, table := range tableNames {
			if len(e.tab.tables[table]) != 1 {
				t.Fatalf("tablet keeps %d %s rows after the Copy, want 1", len(e.tab.tables[table]), table)
			}
		}
	})
}
