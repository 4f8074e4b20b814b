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
func (e *tmEnv) wantNoChangesRepeat(t *testing.T, before string, audits int) {
	t.Helper()
	tmWantSame(t, "the repeated upload", before, tmTableSnapshot(t, e.s, e.dev))
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
	t.Parallel()
	s := tmShared(t)
	for _, m := range tmMethods {
		for _, mode := range tmModes {
			t.Run(m.String()+"/"+mode.name, func(t *testing.T) {
				tmPar(t)
				e := tmNewEnv(t, s)
				tab := e.tab.standardTablet(m == tmCopy)
				tab.upload(m, mode.oneStep)
				tmWantState(t, e.s, e.dev, tmFirstState(m))
				before, counts := tmTableSnapshot(t, e.s, e.dev), tmCounts(t, e.s, e.dev)
				_, audits := e.lastAudit(t)

				res := tab.upload(m, mode.oneStep) // the reply was lost: no afterUpload
				if !mode.oneStep && (res.whichKeys != "" || len(res.uploadRecords) != 0) {
					t.Fatalf("repeat: which_keys_to_send asked for %q, want nothing (already received)", res.whichKeys)
				}
				if got := tmCounts(t, e.s, e.dev); !maps.Equal(got, counts) {
					t.Fatalf("row counts after the repeat %v, before %v", got, counts)
				}
				e.wantNoChangesRepeat(t, before, audits)

				if m == tmMove {
					// Any number of retries behave the same.
					tab.upload(m, mode.oneStep)
					e.wantNoChangesRepeat(t, before, audits+1)
				}
			})
		}
	}
}

// TestRetryCopyWithoutMoveOffHarmless: repeating a Copy that preserved
// nothing finds every record unchanged (PROTOCOL 8.8, 12.4).
func TestRetryCopyWithoutMoveOffHarmless(t *testing.T) {
	tmEachMode(t, func(t *testing.T, e *tmEnv, oneStep bool) {
		tab := e.tab.standardTablet(false)
		tab.upload(tmCopy, oneStep)
		tmWantState(t, e.s, e.dev, map[string][]string{
			"patient": tmAll("NOW"), "patient_idnum": tmAll("NOW"), "blobs": tmAll("NOW"), "bmi": tmAll("NOW"), "phq9": tmAll("NOW"),
		})
		before := tmTableSnapshot(t, e.s, e.dev)
		_, audits := e.lastAudit(t)
		res := tab.upload(tmCopy, oneStep)
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
	s := tmShared(t)
	for _, m := range []tmMethod{tmCopy, tmMove} {
		t.Run(m.String(), func(t *testing.T) {
			tmPar(t)
			e := tmNewEnv(t, s)
			e.tab.standardTablet(m == tmCopy).multiStep(m)
			before := tmTableSnapshot(t, e.s, e.dev)
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
	e := tmNewEnv(t, nil)
	tab := e.tab.standardTablet(false)
	tab.oldKeys = true
	tab.multiStep(tmMove)
	before := tmTableSnapshot(t, e.s, e.dev)
	_, audits := e.lastAudit(t)
	res := tab.multiStep(tmMove)
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
	e := tmNewEnv(t, nil)
	tab := e.tab.standardTablet(true)
	tab.multiStep(tmCopy)
	tmNextSecond(e.s)
	tab.row("blobs", 1)["when_last_modified"] = "'2024-05-09T12:00:00.000+01:00'"
	tab.row("blobs", 1)["image_rotation_deg_cw"] = "90"
	res := tab.multiStep(tmCopy)
	if res.whichKeys != "1" || len(res.uploadRecords) != 1 || res.uploadRecords[0] != "UPLOAD-UPDATE" {
		t.Fatalf("which_keys_to_send %q, upload_record %q; want 1 and UPLOAD-UPDATE", res.whichKeys, res.uploadRecords)
	}
	tmWantState(t, e.s, e.dev, map[string][]string{
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
	s := tmShared(t)
	for _, m := range []tmMethod{tmCopy, tmMoveKeep} {
		for _, mode := range tmModes {
			t.Run(m.String()+"/"+mode.name, func(t *testing.T) {
				tmPar(t)
				e := tmNewEnv(t, s)
				tab := e.tab.standardTablet(false)
				tab.upload(tmMoveKeep, mode.oneStep)
				tab.afterUpload(tmMoveKeep)
				tab.add("bmi", tmBMI(3, 2, "90", "2024-06-01T08:00:00.000+01:00"))
				if m == tmMoveKeep {
					tmNextSecond(e.s) // a new era for the new batch
				}
				tab.upload(m, mode.oneStep)
				newEra := "NOW"
				if m == tmMoveKeep {
					newEra = "E2"
				}
				tmWantState(t, e.s, e.dev, map[string][]string{
					"patient":       {"1 E1 cur", "2 E1 cur", "1 " + newEra + " cur", "2 " + newEra + " cur"},
					"patient_idnum": {"1 E1 cur", "2 E1 cur", "1 " + newEra + " cur", "2 " + newEra + " cur"},
					"blobs":         tmAll("E1"),
					"bmi":           {"1 E1 cur", "2 E1 cur", "3 " + newEra + " cur"},
					"phq9":          tmAll("E1"),
				})
				e.wantSettled(t)
				if m == tmMoveKeep {
					e.wantAuditCounts(t, "patient 2/0/0/2, patient_idnum 2/0/0/2, bmi 1/0/0/1")
				} else {
					e.wantAuditCounts(t, "patient 2/0/0/0, patient_idnum 2/0/0/0, bmi 1/0/0/0")
				}
				if m != tmMoveKeep {
					return
				}
				before := tmTableSnapshot(t, e.s, e.dev)
				_, audits := e.lastAudit(t)
				tab.upload(m, mode.oneStep) // lost reply
				e.wantNoChangesRepeat(t, before, audits)
			})
		}
	}
}

// tmNextSecond steps s's clock to its next whole second, so that the next
// batch has a new era string (PROTOCOL 8.7: eras have whole seconds).
func tmNextSecond(s *testServer) {
	s.Clock.Set(s.Clock.Now().Truncate(time.Second).Add(time.Second))
}
