package main_test

import (
	"maps"
	"testing"
	"time"
)

// End-to-end tests of idempotent retries (PROTOCOL 8.4.2 "Already received"
// and "pure retry", 8.8 "Retries are idempotent", D18): when the reply to
// an upload that preserved records is lost, the tablet keeps its data and
// sends the same upload again; nothing may be stored twice.

// wantNoChangesRepeat checks that a repeat left the client tables exactly as
// before and was audited as "No changes".
func (e *tabletEnv) wantNoChangesRepeat(t *testing.T, before string, audits int) {
	t.Helper()
	wantSame(t, "the repeated upload", before, tableSnapshot(t, e.s, e.dev))
	e.wantSettled(t)
	if _, n := e.lastAudit(t); n != audits+1 {
		t.Fatalf("%d upload audit entries after the repeat, want %d", n, audits+1)
	}
	e.wantAudit(t, "No changes")
}

// TestRetryRepeatStoresNothing: an upload that preserved records (Move,
// Move keeping patients, Copy with patient 2 flagged), repeated with the
// same data because its reply was lost, stores nothing: every table is
// unchanged (so row counts are identical), the BLOBs are declined by
// which_keys_to_send, and the audit says "No changes".
func TestRetryRepeatStoresNothing(t *testing.T) {
	eachMethodAndMode(t, func(t *testing.T, e *tabletEnv, m uploadMethod, oneStep bool) {
		tab := e.tab.standardTablet(m == methodCopy)
		tab.upload(m, oneStep)
		wantState(t, e.s, e.dev, firstState(m))
		before, counts := tableSnapshot(t, e.s, e.dev), rowCounts(t, e.s, e.dev)
		_, audits := e.lastAudit(t)

		res := tab.upload(m, oneStep) // the reply was lost: no afterUpload
		if !oneStep && (res.whichKeys != "" || len(res.uploadRecords) != 0) {
			t.Fatalf("repeat: which_keys_to_send asked for %q, want nothing (already received)", res.whichKeys)
		}
		if got := rowCounts(t, e.s, e.dev); !maps.Equal(got, counts) {
			t.Fatalf("row counts after the repeat %v, before %v", got, counts)
		}
		e.wantNoChangesRepeat(t, before, audits)

		if m == methodMove {
			// Any number of retries behave the same.
			tab.upload(m, oneStep)
			e.wantNoChangesRepeat(t, before, audits+1)
		}
	})
}

// TestRetryCopyWithoutMoveOffHarmless: repeating a Copy that preserved
// nothing finds every record unchanged (PROTOCOL 8.8, 12.4).
func TestRetryCopyWithoutMoveOffHarmless(t *testing.T) {
	eachMode(t, func(t *testing.T, e *tabletEnv, oneStep bool) {
		tab := e.tab.standardTablet(false)
		tab.upload(methodCopy, oneStep)
		wantState(t, e.s, e.dev, map[string][]string{
			"patient": allIn("NOW"), "patient_idnum": allIn("NOW"), "blobs": allIn("NOW"), "bmi": allIn("NOW"), "phq9": allIn("NOW"),
		})
		before := tableSnapshot(t, e.s, e.dev)
		_, audits := e.lastAudit(t)
		res := tab.upload(methodCopy, oneStep)
		if !oneStep && res.whichKeys != "" {
			t.Fatalf("repeat: which_keys_to_send asked for %q, want nothing", res.whichKeys)
		}
		e.wantNoChangesRepeat(t, before, audits)
	})
}

// TestRetryRepeatedEndUpload: a second end_upload after a committed
// multi-step upload opens and commits an empty batch: nothing new is
// stored and the audit says "No changes" (PROTOCOL 6.18 step 1).
func TestRetryRepeatedEndUpload(t *testing.T) {
	t.Parallel()
	s := sharedServer(t)
	for _, m := range []uploadMethod{methodCopy, methodMove} {
		t.Run(m.String(), func(t *testing.T) {
			parallelOnPostgres(t)
			e := newTabletEnv(t, s)
			e.tab.standardTablet(m == methodCopy).multiStep(m)
			before := tableSnapshot(t, e.s, e.dev)
			_, audits := e.lastAudit(t)
			e.s.step(t, e.c, "end_upload", nil, "end_upload")
			e.wantNoChangesRepeat(t, before, audits)
		})
	}
}

// TestRetryOldClientKeys: without move_off_tablet_values (clients before
// 2.3.0) which_keys_to_send asks for every BLOB; re-sent by upload_record,
// the already received ones answer UPLOAD-UPDATE and are not stored again
// (PROTOCOL 6.15, 6.17 step 6, 8.4.2).
func TestRetryOldClientKeys(t *testing.T) {
	t.Parallel()
	e := newTabletEnv(t, nil)
	tab := e.tab.standardTablet(false)
	tab.oldKeys = true
	tab.multiStep(methodMove)
	before := tableSnapshot(t, e.s, e.dev)
	_, audits := e.lastAudit(t)
	res := tab.multiStep(methodMove)
	if res.whichKeys != "1,2" || len(res.uploadRecords) != 2 || res.uploadRecords[0] != "UPLOAD-UPDATE" || res.uploadRecords[1] != "UPLOAD-UPDATE" {
		t.Fatalf("repeat: which_keys_to_send %q, upload_record %q; want 1,2 and UPLOAD-UPDATE twice", res.whichKeys, res.uploadRecords)
	}
	e.wantNoChangesRepeat(t, before, audits)
}

// TestRetryWhichKeysDeclinesReceivedBlob: a Copy with patient 2 flagged
// lost its reply; before the retry the user edits BLOB 1. The retry's
// which_keys_to_send asks only for BLOB 1: BLOB 2, already received, is
// declined (PROTOCOL 6.17 step 6) and neither it nor patient 2's tasks are
// stored again. Because the retry changes something, it is not a pure retry,
// so patient 2 and its ID number come back as new rows and are preserved
// again (8.4.2, "Patient tables after preservation").
func TestRetryWhichKeysDeclinesReceivedBlob(t *testing.T) {
	t.Parallel()
	e := newTabletEnv(t, nil)
	tab := e.tab.standardTablet(true)
	tab.multiStep(methodCopy)
	nextSecond(e.s)
	tab.row("blobs", 1)["when_last_modified"] = "'2024-05-09T12:00:00.000+01:00'"
	tab.row("blobs", 1)["image_rotation_deg_cw"] = "90"
	res := tab.multiStep(methodCopy)
	if res.whichKeys != "1" || len(res.uploadRecords) != 1 || res.uploadRecords[0] != "UPLOAD-UPDATE" {
		t.Fatalf("which_keys_to_send %q, upload_record %q; want 1 and UPLOAD-UPDATE", res.whichKeys, res.uploadRecords)
	}
	wantState(t, e.s, e.dev, map[string][]string{
		"patient":       {"1 NOW cur", "2 E1 cur", "2 E2 cur"},
		"patient_idnum": {"1 NOW cur", "2 E1 cur", "2 E2 cur"},
		"blobs":         {"1 NOW old", "2 E1 cur", "1 NOW cur"},
		"bmi":           {"1 NOW cur", "2 E1 cur"},
		"phq9":          {"1 NOW cur", "2 E1 cur"},
	})
	e.wantSettled(t)
	e.wantAuditCounts(t, "patient 1/0/0/1, patient_idnum 1/0/0/1, blobs 1/1/0/0")
}

// TestRetryAfterMoveKeepingPatientsNotRetry: after Move keeping patients
// succeeded (the client deleted its tasks and kept its patients), a new
// upload with a new task is not a retry: the kept patients are stored again
// in era NOW (PROTOCOL 8.4.2). With Copy they stay there; with Move keeping
// patients they are preserved again with the new task, and a lost-reply
// repeat of that upload stores nothing.
func TestRetryAfterMoveKeepingPatientsNotRetry(t *testing.T) {
	t.Parallel()
	s := sharedServer(t)
	for _, m := range []uploadMethod{methodCopy, methodMoveKeep} {
		for _, mode := range uploadModes {
			t.Run(m.String()+"/"+mode.name, func(t *testing.T) {
				parallelOnPostgres(t)
				e := newTabletEnv(t, s)
				tab := e.tab.standardTablet(false)
				tab.upload(methodMoveKeep, mode.oneStep)
				tab.afterUpload(methodMoveKeep)
				tab.add("bmi", bmiRow(3, 2, "90", "2024-06-01T08:00:00.000+01:00"))
				if m == methodMoveKeep {
					nextSecond(e.s) // a new era for the new batch
				}
				tab.upload(m, mode.oneStep)
				newEra := "NOW"
				if m == methodMoveKeep {
					newEra = "E2"
				}
				wantState(t, e.s, e.dev, map[string][]string{
					"patient":       {"1 E1 cur", "2 E1 cur", "1 " + newEra + " cur", "2 " + newEra + " cur"},
					"patient_idnum": {"1 E1 cur", "2 E1 cur", "1 " + newEra + " cur", "2 " + newEra + " cur"},
					"blobs":         allIn("E1"),
					"bmi":           {"1 E1 cur", "2 E1 cur", "3 " + newEra + " cur"},
					"phq9":          allIn("E1"),
				})
				e.wantSettled(t)
				if m == methodMoveKeep {
					e.wantAuditCounts(t, "patient 2/0/0/2, patient_idnum 2/0/0/2, bmi 1/0/0/1")
				} else {
					e.wantAuditCounts(t, "patient 2/0/0/0, patient_idnum 2/0/0/0, bmi 1/0/0/0")
				}
				if m != methodMoveKeep {
					return
				}
				before := tableSnapshot(t, e.s, e.dev)
				_, audits := e.lastAudit(t)
				tab.upload(m, mode.oneStep) // lost reply
				e.wantNoChangesRepeat(t, before, audits)
			})
		}
	}
}

// nextSecond steps s's clock to its next whole second, so that the next
// batch has a new era string (PROTOCOL 8.7: eras have whole seconds).
func nextSecond(s *testServer) {
	s.Clock.Set(s.Clock.Now().Truncate(time.Second).Add(time.Second))
}

// TestRetryPreservesStoredPatient: after a Move of patient 1 (flagged,
// with its ID number) and its bmi 1, a Copy stores patient 3; then a Move
// sends patient 1 again, flagged, with patient 3 and bmi 1. bmi 1 is
// already received and patient 1 has its preserved twin, but the Move also
// preserves patient 3, stored before it, so it is no pure retry (PROTOCOL
// 8.4.2, 8.8): multi-step and one-step alike store patient 1 again,
// preserve it with patient 3 and audit both (8.9). One-step used to drop
// patient 1 and audit "No changes" while it kept patient 3 preserved,
// because its flagged patient 1 was preserved at once and so hid patient 3
// from a count of the rows preserved at the end of the table.
func TestRetryPreservesStoredPatient(t *testing.T) {
	eachMode(t, func(t *testing.T, e *tabletEnv, oneStep bool) {
		tab := e.tab
		const wlm1 = "2024-05-01T09:29:00.000+01:00"
		tab.add("patient", patientRow(1, "Ann", "Smith", "F", "1980-02-29", wlm1, "1"))
		tab.add("patient_idnum", idNumRow(1, 1, nhs1, wlm1, "1"))
		tab.add("bmi", bmiRow(1, 1, "70.2", "2024-05-01T09:31:12.345+01:00"))
		moved := map[string]tabletRow{"patient": tab.row("patient", 1), "patient_idnum": tab.row("patient_idnum", 1), "bmi": tab.row("bmi", 1)}
		tab.upload(methodMove, oneStep)
		p1, n1, b1 := e.pks(t, "patient", "1 E1 cur"), e.pks(t, "patient_idnum", "1 E1 cur"), e.pks(t, "bmi", "1 E1 cur")
		e.wantAudit(t, changeLine("patient", p1, nil, nil, p1, p1)+", "+changeLine("patient_idnum", n1, nil, nil, n1, n1)+", "+
			changeLine("bmi", b1, nil, nil, b1, b1))

		tab.afterUpload(methodMove)
		const wlm3 = "2024-05-02T11:00:00.000+01:00"
		tab.add("patient", patientRow(3, "Cy", "Brown", "M", "1990-07-14", wlm3, "0"))
		tab.add("patient_idnum", idNumRow(3, 3, nhs3, wlm3, "0"))
		nextSecond(e.s)
		tab.upload(methodCopy, oneStep)
		wantState(t, e.s, e.dev, map[string][]string{
			"patient": {"1 E1 cur", "3 NOW cur"}, "patient_idnum": {"1 E1 cur", "3 NOW cur"}, "bmi": {"1 E1 cur"},
		})
		p3, n3 := e.pks(t, "patient", "3 NOW cur"), e.pks(t, "patient_idnum", "3 NOW cur")
		e.wantAudit(t, changeLine("patient", p3, nil, nil, nil, p3)+", "+changeLine("patient_idnum", n3, nil, nil, nil, n3))

		for table, r := range moved {
			tab.add(table, r) // the Move's records, as sent then
		}
		nextSecond(e.s)
		_, audits := e.lastAudit(t)
		tab.upload(methodMove, oneStep)
		wantState(t, e.s, e.dev, map[string][]string{
			"patient":       {"1 E1 cur", "3 E2 cur", "1 E2 cur"},
			"patient_idnum": {"1 E1 cur", "3 E2 cur", "1 E2 cur"},
			"blobs":         {},
			"bmi":           {"1 E1 cur"},
			"phq9":          {},
		})
		e.wantSettled(t)
		e.wantUnlinked(t, commitOrder...)
		if _, n := e.lastAudit(t); n != audits+1 {
			t.Fatalf("%d upload audit entries after the Move, want %d", n, audits+1)
		}
		p1again, n1again := e.pks(t, "patient", "1 E2 cur"), e.pks(t, "patient_idnum", "1 E2 cur")
		pp, np := append(p3, p1again...), append(n3, n1again...)
		e.wantAudit(t, changeLine("patient", p1again, nil, nil, pp, pp)+", "+changeLine("patient_idnum", n1again, nil, nil, np, np))
	})
}
