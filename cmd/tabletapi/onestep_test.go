package main_test

import (
	"context"
	"testing"
	"time"

	"github.com/tabletapi/tabletapi/testclient"
)

// End-to-end tests of upload_entire_database (PROTOCOL 6.19, 8.8): its
// validation messages, each of which changes nothing, deletion, finalizing,
// the busy device, and the audit.

// TestOneStepValidation sends upload_entire_database with one fault at a
// time to a tablet that already uploaded: each gets its exact message
// (PROTOCOL 8.8 steps 1–7, 8.4, section 11) and leaves the database as it
// was (1.6), even
// when the fault is in the last row of the last table (D12) and the upload
// would have preserved everything.
func TestOneStepValidation(t *testing.T) {
	t.Parallel()
	e := newTabletEnv(t, nil)
	tab := e.tab.standardTablet(false)
	tab.oneStep(methodCopy)
	tab.preamble(methodCopy)

	type spoil func(p map[string]string, pk, data map[string]any)
	set := func(key, value string) spoil {
		return func(p map[string]string, _, _ map[string]any) { p[key] = value }
	}
	cases := []struct {
		name string
		f    spoil
		msg  string
	}{
		{"FinalizingMissing", func(p map[string]string, _, _ map[string]any) { delete(p, "finalizing") }, "Must provide the variable: finalizing"},
		{"FinalizingBlank", set("finalizing", ""), "Must provide the variable: finalizing"},
		{"FinalizingNotInteger", set("finalizing", "x"), "Variable finalizing is not a valid integer; was 'x'"},
		{"PKInfoBadJSON", set("pknameinfo", `{"bmi":"id",}`), "Bad JSON for key 'pknameinfo'"},
		{"PKInfoNotDict", set("pknameinfo", `["id"]`), "PK name info JSON is not a dict"},
		{"DBDataBadJSON", set("dbdata", `{"bmi":[`), "Bad JSON for key 'dbdata'"},
		{"DBDataNotDict", set("dbdata", `"bmi"`), "Database data JSON is not a dict"},
		{"NamesMissingFromPKInfo", func(_ map[string]string, pk, _ map[string]any) { delete(pk, "phq9") },
			"Table names don't match from (1) DB data (2) PK info"},
		{"NamesMissingFromDBData", func(_ map[string]string, _, data map[string]any) { delete(data, "phq9") },
			"Table names don't match from (1) DB data (2) PK info"},
		{"TableDataNumber", func(_ map[string]string, _, data map[string]any) { data["bmi"] = 5 },
			"Bad database data for table 'bmi'"},
		{"RowNotObject", func(_ map[string]string, _, data map[string]any) { data["bmi"] = []any{data["bmi"].([]any)[0], 5} },
			"Bad database data for table 'bmi'"},
		{"PKNameNumber", func(_ map[string]string, pk, _ map[string]any) { pk["bmi"] = 5 },
			"Bad database data for table 'bmi'"},
		{"NonexistentTables", func(_ map[string]string, pk, data map[string]any) {
			row := map[string]any{"id": "1", "when_last_modified": "'2024-05-01T09:00:00.000+01:00'", "_move_off_tablet": "0"}
			for _, n := range []string{"nosuch2", "nosuch0", "nosuch1"} {
				pk[n] = "id"
				data[n] = []any{row}
			}
			data["nosuch0"] = []any{} // empty unknown tables are ignored (C9)
		}, "Attempt to upload nonexistent tables: ['nosuch1', 'nosuch2']"},
		{"PKNameEmpty", func(_ map[string]string, pk, _ map[string]any) { pk["bmi"] = "" },
			"Client-side PK name not specified by client for non-empty table 'bmi'"},
		{"PKNameNull", func(_ map[string]string, pk, _ map[string]any) { pk["bmi"] = nil },
			"Client-side PK name not specified by client for non-empty table 'bmi'"},
		{"ReservedFieldLastRowLastTable", func(p map[string]string, _, data map[string]any) {
			p["finalizing"] = "1" // everything would have been preserved
			rows := data["phq9"].([]any)
			rows[len(rows)-1].(map[string]any)["_era"] = "'NOW'"
		}, "Reserved field name for table 'phq9': '_era'"},
		{"PKNameNotThePK", func(_ map[string]string, pk, _ map[string]any) { pk["bmi"] = "patient_id" },
			"Invalid field name for table 'bmi': 'patient_id'"},
		{"UnknownField", func(_ map[string]string, _, data map[string]any) {
			data["phq9"].([]any)[0].(map[string]any)["q11"] = "1"
		}, "Invalid field name for table 'phq9': 'q11'"},
		{"FieldMissing", func(_ map[string]string, _, data map[string]any) {
			delete(data["bmi"].([]any)[1].(map[string]any), "when_last_modified")
		}, "Field 'when_last_modified' missing in client input"},
		{"PKNotInteger", func(_ map[string]string, _, data map[string]any) {
			data["bmi"].([]any)[1].(map[string]any)["id"] = "'two'"
		}, "Bad (non-integer) client PK: 'two'"},
		{"BadValue", func(_ map[string]string, _, data map[string]any) {
			data["phq9"].([]any)[1].(map[string]any)["when_created"] = "'yesterday'"
		}, "Invalid value for field 'when_created' in table 'phq9', record 1: \"'yesterday'\""},
		// Patient 1 and bmi 1 are modified, and everything would be
		// preserved, but the new ID number is invalid: a failure found
		// after writes still changes nothing (D3, PROTOCOL 1.6).
		{"InvalidNHSNumberAfterWrites", func(p map[string]string, _, data map[string]any) {
			p["finalizing"] = "1"
			pat := data["patient"].([]any)[0].(map[string]any)
			pat["when_last_modified"], pat["forename"] = "'2024-06-01T10:00:00.000+01:00'", "'Anne'"
			data["bmi"].([]any)[0].(map[string]any)["when_last_modified"] = "'2024-06-01T10:00:00.000+01:00'"
			data["patient_idnum"] = append(data["patient_idnum"].([]any), map[string]any{"id": "3", "_move_off_tablet": "0",
				"when_last_modified": "'2024-06-01T10:00:00.000+01:00'", "patient_id": "1", "which_idnum": "1", "idnum_value": "9434765918"})
		}, "For ID type 1, ID number 9434765918 is invalid: Invalid UK NHS number"},
		// Step 7 runs table by table, after the device is locked; a
		// failure in an earlier table must still lose to a validation
		// error in a later one, as if all validation came first.
		{"ValidationBeatsLaterFailure", func(p map[string]string, _, data map[string]any) {
			data["patient_idnum"] = append(data["patient_idnum"].([]any), map[string]any{"id": "3", "_move_off_tablet": "0",
				"when_last_modified": "'2024-06-01T10:00:00.000+01:00'", "patient_id": "1", "which_idnum": "1", "idnum_value": "9434765918"})
			rows := data["phq9"].([]any)
			rows[len(rows)-1].(map[string]any)["when_created"] = "'yesterday'"
		}, "Invalid value for field 'when_created' in table 'phq9', record 1: \"'yesterday'\""},
		{"BooleanCell", func(_ map[string]string, _, data map[string]any) {
			data["bmi"].([]any)[1].(map[string]any)["firstexit_is_finish"] = true
		}, "Invalid value for field 'firstexit_is_finish' in table 'bmi', record 1: 'true'"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := snapshotOf(t, e.s, e.dev)
			_, audits := e.lastAudit(t)
			// The client's request, with the fault: a spoiled
			// parameter is sent as set, the others as JSON of pk and data.
			p := map[string]string{"finalizing": "0"}
			pk, data := tab.oneStepJSON()
			tc.f(p, pk, data)
			if _, ok := p["pknameinfo"]; !ok {
				p["pknameinfo"] = mustJSON(t, pk)
			}
			if _, ok := p["dbdata"]; !ok {
				p["dbdata"] = mustJSON(t, data)
			}
			wantOpFails(t, e.s, e.c, "upload_entire_database", p, tc.msg)
			wantSame(t, tc.name, before, snapshotOf(t, e.s, e.dev))
			if _, n := e.lastAudit(t); n != audits {
				t.Fatalf("a failed upload was audited")
			}
		})
	}
}

// TestOneStepUnknownEmptyTableIgnored: the client sends all its tables;
// unknown ones without rows (an empty list, "" or null) are ignored (C9).
func TestOneStepUnknownEmptyTableIgnored(t *testing.T) {
	t.Parallel()
	e := newTabletEnv(t, nil)
	tab := e.tab.standardTablet(false)
	tab.oneStep(methodCopy)
	before := tableSnapshot(t, e.s, e.dev)
	tab.preamble(methodCopy)
	p := tab.oneStepParams(methodCopy)
	pk, data := tab.oneStepJSON()
	for n, v := range map[string]any{"nosuch_empty": []any{}, "nosuch_blank": "", "nosuch_null": nil} {
		pk[n], data[n] = "id", v
	}
	p["pknameinfo"], p["dbdata"] = mustJSON(t, pk), mustJSON(t, data)
	e.s.step(t, e.c, "upload_entire_database", p, "Success")
	wantSame(t, "the upload with unknown empty tables", before, tableSnapshot(t, e.s, e.dev))
	e.wantAudit(t, "No changes")
}

// TestOneStepDeletesNow: rows the client no longer has are deleted at once
// (PROTOCOL 8.5, 8.8 step 9): not current, removal data set, no successor.
// The client dropped BLOB 2 as an orphan when it deleted bmi 2.
func TestOneStepDeletesNow(t *testing.T) {
	t.Parallel()
	e := newTabletEnv(t, nil)
	tab := e.tab.standardTablet(false)
	tab.oneStep(methodCopy)
	tab.del("bmi", 2)
	tab.oneStep(methodCopy)
	if len(tab.tables["blobs"]) != 1 {
		t.Fatalf("the tablet kept the orphan BLOB")
	}
	wantState(t, e.s, e.dev, map[string][]string{
		"patient": allIn("NOW"), "patient_idnum": allIn("NOW"), "phq9": allIn("NOW"),
		"blobs": {"1 NOW cur", "2 NOW old"}, "bmi": {"1 NOW cur", "2 NOW old"},
	})
	e.wantSettled(t)
	for _, table := range []string{"blobs", "bmi"} {
		if r := serverRows(t, e.s, table, e.dev)[1]; r.Succ != 0 || r.Pred != 0 || r.Removing != e.alice {
			t.Fatalf("deleted %s row: %+v", table, r)
		}
	}
	e.wantAuditCounts(t, "blobs 0/0/1/0, bmi 0/0/1/0")
}

// TestOneStepTableWithoutRows: a table absent from both objects, or sent
// as "" or null, has no rows, so all its live rows are deleted (PROTOCOL
// 8.5, 8.8 step 5).
func TestOneStepTableWithoutRows(t *testing.T) {
	t.Parallel()
	s := sharedServer(t)
	for _, tc := range []struct {
		name string
		f    func(pk, data map[string]any)
	}{
		{"Absent", func(pk, data map[string]any) { delete(pk, "phq9"); delete(data, "phq9") }},
		{"Blank", func(_, data map[string]any) { data["phq9"] = "" }},
		{"Null", func(_, data map[string]any) { data["phq9"] = nil }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			parallelOnPostgres(t)
			e := newTabletEnv(t, s)
			tab := e.tab.standardTablet(false)
			tab.oneStep(methodCopy)
			tab.preamble(methodCopy)
			p := tab.oneStepParams(methodCopy)
			pk, data := tab.oneStepJSON()
			tc.f(pk, data)
			p["pknameinfo"], p["dbdata"] = mustJSON(t, pk), mustJSON(t, data)
			e.s.step(t, e.c, "upload_entire_database", p, "Success")
			wantState(t, e.s, e.dev, map[string][]string{
				"patient": allIn("NOW"), "bmi": allIn("NOW"), "phq9": {"1 NOW old", "2 NOW old"},
			})
			e.wantSettled(t)
			e.wantAuditCounts(t, "phq9 0/0/2/0")
		})
	}
}

// TestOneStepBusy: while another user's multi-step batch on the device is
// active, a one-step upload fails with the busy error and leaves that
// batch's pending work alone (PROTOCOL 8.8 step 8, D10); the other user
// can still finish.
func TestOneStepBusy(t *testing.T) {
	t.Parallel()
	e := newTabletEnv(t, nil)
	e.s.addUser(t, "research", "bob", "pw2-secret", "--may-upload", "--may-register-devices")
	bob := testclient.New(testclient.Config{URL: e.s.API, Device: e.c.Device(), User: "bob", Password: "pw2-secret"})
	tab := e.tab.standardTablet(false)
	tab.oneStep(methodCopy)

	bob.ResetSession()
	e.s.step(t, bob, "start_upload", nil, "start_upload")
	e.s.step(t, bob, "upload_table", map[string]string{"table": "bmi", "pkname": "id", "fields": bmiFields, "nrecords": "1",
		"record0": recordLiteral("bmi", bmiRow(9, 1, "60", "2024-07-01T10:00:00.000+01:00"))}, "Table bmi upload successful")
	pending := snapshotOf(t, e.s, e.dev)

	tab.del("bmi", 2)
	tab.preamble(methodMove)
	// Validation comes before the lock (PROTOCOL 8.8): bad data in the last
	// table gets its own message, not the busy error.
	pk, data := tab.oneStepJSON()
	rows := data["phq9"].([]any)
	rows[len(rows)-1].(map[string]any)["_era"] = "'NOW'"
	wantOpFails(t, e.s, e.c, "upload_entire_database", map[string]string{"finalizing": "1",
		"pknameinfo": mustJSON(t, pk), "dbdata": mustJSON(t, data)}, "Reserved field name for table 'phq9': '_era'")
	wantOpFails(t, e.s, e.c, "upload_entire_database", tab.oneStepParams(methodMove), "Device is busy: an upload by another user is in progress")
	wantSame(t, "the refused one-step upload", pending, snapshotOf(t, e.s, e.dev))

	// Bob's batch commits as he left it: his upload_table replaced the
	// table, so it adds bmi 9 and deletes bmi 1 and 2 (PROTOCOL 6.14).
	e.s.step(t, bob, "end_upload", nil, "end_upload")
	wantState(t, e.s, e.dev, map[string][]string{"bmi": {"1 NOW old", "2 NOW old", "9 NOW cur"}})
}

// TestOneStepFinalizingPreservesAll: finalizing=1 preserves every era-NOW
// row of the device in every table: current rows, older versions, rows it
// deletes and the rows of a table the client did not send; another
// device's rows stay live (PROTOCOL 8.7, 8.8 step 9).
func TestOneStepFinalizingPreservesAll(t *testing.T) {
	t.Parallel()
	s := startUploadServer(t) // both devices on one server
	e, other := newTabletEnv(t, s), newTabletEnv(t, s)
	other.tab.standardTablet(false)
	other.tab.oneStep(methodCopy)
	tab := e.tab.standardTablet(false)
	tab.oneStep(methodCopy)
	tab.row("bmi", 1)["when_last_modified"] = "'2024-05-10T08:00:00.000+01:00'"
	tab.del("phq9", 2)
	tab.oneStep(methodCopy)
	wantState(t, s, e.dev, map[string][]string{"bmi": {"1 NOW old", "2 NOW cur", "1 NOW cur"}, "phq9": {"1 NOW cur", "2 NOW old"}})
	otherBefore := snapshotOf(t, s, other.dev)

	tab.preamble(methodMove)
	p := tab.oneStepParams(methodMove)
	pk, data := tab.oneStepJSON()
	delete(pk, "blobs")
	delete(data, "blobs")
	p["pknameinfo"], p["dbdata"] = mustJSON(t, pk), mustJSON(t, data)
	e.s.step(t, e.c, "upload_entire_database", p, "Success")

	for _, table := range commitOrder {
		if n := s.count(t, table, "_device_id = ? AND _era = 'NOW'", e.dev); n != 0 {
			t.Errorf("%s: %d era-NOW rows after finalizing", table, n)
		}
	}
	wantState(t, s, e.dev, map[string][]string{
		"patient": allIn("E1"), "patient_idnum": allIn("E1"),
		"blobs": {"1 E1 old", "2 E1 old"},
		"bmi":   {"1 E1 old", "2 E1 cur", "1 E1 cur"},
		"phq9":  {"1 E1 cur", "2 E1 old"},
	})
	e.wantSettled(t)
	wantSame(t, "another device's finalizing upload", otherBefore, snapshotOf(t, s, other.dev))
}

// TestOneStepAudit: the audit entries of one-step uploads (PROTOCOL 8.9):
// a first Copy, a finalizing upload of the same data (which preserves every
// row, current and historical, and deletes what the client no longer has),
// and a repeat of an unchanged Copy ("No changes").
func TestOneStepAudit(t *testing.T) {
	t.Parallel()
	s := sharedServer(t)
	t.Run("CopyThenRepeat", func(t *testing.T) {
		parallelOnPostgres(t)
		e := newTabletEnv(t, s)
		e.tab.standardTablet(false).oneStep(methodCopy)
		e.wantAuditCounts(t, eachTable("2/0/0/0"))
		e.tab.oneStep(methodCopy)
		e.wantAudit(t, "No changes")
	})
	t.Run("CopyThenFinalizing", func(t *testing.T) {
		parallelOnPostgres(t)
		e := newTabletEnv(t, s)
		tab := e.tab.standardTablet(false)
		tab.oneStep(methodCopy)
		tab.row("bmi", 1)["when_last_modified"] = "'2024-05-10T08:00:00.000+01:00'"
		tab.oneStep(methodCopy)
		tab.del("phq9", 2)
		tab.oneStep(methodMoveKeep)
		// bmi: the two versions of 1 and bmi 2; phq9: 1, and 2 deleted.
		e.wantAuditCounts(t, "patient 0/0/0/2, patient_idnum 0/0/0/2, blobs 0/0/0/2, bmi 0/0/0/3, phq9 0/0/1/2")
	})
}

// TestOneStepMoveOffAudit: rows that a one-step Copy preserves because of
// their move-off flags are audited as preserved, like those of a
// multi-step upload (PROTOCOL 8.6, 8.9): both new rows and rows stored
// before whose flag alone changed (a change, so not "No changes").
func TestOneStepMoveOffAudit(t *testing.T) {
	t.Parallel()
	s := sharedServer(t)
	t.Run("NewRows", func(t *testing.T) {
		parallelOnPostgres(t)
		e := newTabletEnv(t, s)
		e.tab.standardTablet(true).oneStep(methodCopy)
		e.wantAuditCounts(t, eachTable("2/0/0/1"))
	})
	t.Run("StoredRows", func(t *testing.T) {
		parallelOnPostgres(t)
		e := newTabletEnv(t, s)
		e.scenarioCopyFlagLater(t, true)
		e.wantAuditCounts(t, eachTable("0/0/0/1"))
	})
}

// TestOneStepJSONValues: besides SQL literals in JSON strings, a cell may
// be a JSON number or null; if a client PK is repeated the last row wins
// (PROTOCOL 8.8 step 7).
func TestOneStepJSONValues(t *testing.T) {
	t.Parallel()
	e := newTabletEnv(t, nil)
	tab := e.tab.standardTablet(false)
	tab.preamble(methodCopy)
	p := tab.oneStepParams(methodCopy)
	pk, data := tab.oneStepJSON()
	bmi := data["bmi"].([]any)
	first := bmi[0].(map[string]any)
	first["id"], first["mass_kg"], first["editing_time_s"], first["comment"] = 1, 66.6, 12, nil
	again := map[string]any{}
	for k, v := range bmi[1].(map[string]any) {
		again[k] = v
	}
	again["mass_kg"] = "99.5"
	data["bmi"] = append(bmi, again) // bmi 2 again: this row counts
	p["pknameinfo"], p["dbdata"] = mustJSON(t, pk), mustJSON(t, data)
	e.s.step(t, e.c, "upload_entire_database", p, "Success")
	wantState(t, e.s, e.dev, map[string][]string{"bmi": allIn("NOW")})
	var m1, e1, m2 float64
	var commentNull int64
	ctx := context.Background()
	if err := e.s.DB.QueryRowContext(ctx, "SELECT mass_kg, editing_time_s, CASE WHEN comment IS NULL THEN 1 ELSE 0 END FROM bmi WHERE _device_id = ? AND id = 1", e.dev).Scan(&m1, &e1, &commentNull); err != nil {
		t.Fatal(err)
	}
	if err := e.s.DB.QueryRowContext(ctx, "SELECT mass_kg FROM bmi WHERE _device_id = ? AND id = 2", e.dev).Scan(&m2); err != nil {
		t.Fatal(err)
	}
	if m1 != 66.6 || e1 != 12 || commentNull != 1 || m2 != 99.5 {
		t.Fatalf("stored mass %v, editing %v, comment-null %v, bmi 2 mass %v", m1, e1, commentNull, m2)
	}
}

// TestOneStepRollsBackOwnBatch: a one-step upload first rolls back the
// user's own unfinished multi-step batch on the device (PROTOCOL 8.8 step
// 8): its pending rows vanish and the batch is closed.
func TestOneStepRollsBackOwnBatch(t *testing.T) {
	t.Parallel()
	e := newTabletEnv(t, nil)
	tab := e.tab.standardTablet(false)
	tab.oneStep(methodCopy)
	e.s.step(t, e.c, "start_upload", nil, "start_upload")
	e.s.step(t, e.c, "start_preservation", nil, "STARTPRESERVATION")
	e.s.step(t, e.c, "upload_table", map[string]string{"table": "bmi", "pkname": "id", "fields": bmiFields, "nrecords": "1",
		"record0": recordLiteral("bmi", bmiRow(9, 1, "60", "2024-07-01T10:00:00.000+01:00"))}, "Table bmi upload successful")
	if n := e.s.count(t, "bmi", "_device_id = ? AND (_addition_pending OR _removal_pending)", e.dev); n != 3 {
		t.Fatalf("%d pending bmi rows, want 3", n)
	}
	tab.oneStep(methodCopy) // abandons the batch
	wantState(t, e.s, e.dev, map[string][]string{
		"patient": allIn("NOW"), "patient_idnum": allIn("NOW"), "blobs": allIn("NOW"), "bmi": allIn("NOW"), "phq9": allIn("NOW"),
	})
	e.wantSettled(t)
	e.wantAudit(t, "No changes")
}

// TestOneStepStaleBatch: another user's batch idle for longer than the
// stale-batch timeout no longer blocks the device; a one-step upload rolls
// it back and goes ahead (PROTOCOL 8.3.2, 8.8 step 8).
func TestOneStepStaleBatch(t *testing.T) {
	t.Parallel()
	e := newTabletEnv(t, startUploadServer(t, "--stale-batch-timeout", "1m"))
	e.s.addUser(t, "research", "bob", "pw2-secret", "--may-upload", "--may-register-devices")
	bob := testclient.New(testclient.Config{URL: e.s.API, Device: e.c.Device(), User: "bob", Password: "pw2-secret"})
	tab := e.tab.standardTablet(false)
	tab.oneStep(methodCopy)
	e.s.step(t, bob, "start_upload", nil, "start_upload")
	e.s.step(t, bob, "upload_table", map[string]string{"table": "bmi", "pkname": "id", "fields": bmiFields, "nrecords": "1",
		"record0": recordLiteral("bmi", bmiRow(9, 1, "60", "2024-07-01T10:00:00.000+01:00"))}, "Table bmi upload successful")
	e.s.Clock.Advance(time.Minute + time.Second)
	tab.oneStep(methodCopy)
	wantState(t, e.s, e.dev, map[string][]string{"bmi": allIn("NOW")})
	e.wantSettled(t)
	e.wantAudit(t, "No changes")
}
