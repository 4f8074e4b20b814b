package main_test

import (
	"context"
	"testing"
	"time"

	"github.com/tabletapi/tabletapi/testclient"
)

// End-to-end tests of the takeover mark (PROTOCOL 8.3.2 step 3, 8.3.3
// step 2, D10a).

const msgTakenOver = "Upload interrupted: another user took over this device's upload. Please upload again."

// takeoverSetup starts a server whose stale-batch timeout is one minute, with
// alice's device (f) and bob, who may upload to it.
func takeoverSetup(t *testing.T) (*uploadFixture, *testclient.Client) {
	t.Helper()
	f := newUploadFixture(t, "--stale-batch-timeout", "1m")
	f.s.addUser(t, "research", "bob", "pw2-secret", "--may-upload")
	return f, testclient.New(testclient.Config{URL: f.s.API, Device: f.c.Device(), User: "bob", Password: "pw2-secret"})
}

// makeBatchStale steps the server's clock past the one-minute timeout of the
// open batch.
func makeBatchStale(s *testServer) { s.Clock.Advance(time.Minute + time.Second) }

// marked reports whether user is marked as taken over on f's device.
func (f *uploadFixture) marked(t *testing.T, user int64) bool {
	t.Helper()
	return f.s.count(t, "batch_takeovers", "device_id = ? AND user_id = ?", f.dev, user) == 1
}

// batchOps are the batch operations a taken-over user is refused, each
// with parameters that pass its validation.
var batchOps = []struct {
	op     string
	params map[string]string
}{
	{"upload_table", uploadTableOf("bmi", bmiFields, bmiRecord(1, 0, wlm2, "80"))},
	{"end_upload", nil},
	{"start_preservation", nil},
	{"upload_empty_tables", map[string]string{"tables": "phq9"}},
	{"upload_record", map[string]string{
		"table": "blobs", "pkname": "id", "fields": blobFields,
		"values": "1,0,'2024-05-01T09:31:00.000+01:00','bmi',1,'photo_blobid',NULL,'image/png',64'iVBORw0KGgo=',0",
	}},
	{"delete_where_key_not", map[string]string{"table": "blobs", "pkname": "id", "pkvalues": "1"}},
	{"which_keys_to_send", map[string]string{
		"table": "blobs", "pkname": "id", "pkvalues": "1",
		"datevalues": "2024-05-01T09:31:00.000+01:00", "move_off_tablet_values": "0",
	}},
}

// TestBatchTakenOver: alice's Move goes stale and bob takes the device
// over and commits. Every later batch operation of alice's on the device
// except start_upload fails with the takeover error and changes nothing;
// above all her end_upload does not commit an empty batch, after which
// her tablet would delete what the server never stored. The mark is
// alice's on that device only, and her next start_upload clears it.
func TestBatchTakenOver(t *testing.T) {
	t.Parallel()
	f, bob := takeoverSetup(t)
	bobID, _ := userAndGroup(t, f.s, "bob")
	f.batchBMI(t, bmiRecord(1, 0, wlm1, "70"), bmiRecord(2, 0, wlm1, "71"))
	stored := f.snapshot(t, "bmi")["bmi"]

	// Alice's Move: bmi 1 modified, 2 deleted, 3 new, all to be preserved.
	f.s.step(t, f.c, "start_upload", nil, "start_upload")
	f.s.step(t, f.c, "start_preservation", nil, "STARTPRESERVATION")
	f.uploadBMI(t, bmiRecord(1, 0, wlm2, "80"), bmiRecord(3, 0, wlm1, "73"))
	makeBatchStale(f.s)
	f.s.step(t, bob, "start_upload", nil, "start_upload")
	if !f.marked(t, f.alice) || f.marked(t, bobID) {
		t.Fatal("after bob's takeover: want alice marked and bob not")
	}
	f.s.step(t, bob, "end_upload", nil, "end_upload")
	wantSameSnapshot(t, "the takeover", stored, f.snapshot(t, "bmi")["bmi"])

	before := f.snapshot(t, "bmi", "blobs", "phq9")
	for _, o := range batchOps {
		f.fail(t, o.op, o.params, msgTakenOver)
		wantSameSnapshot(t, "alice's refused "+o.op, before, f.snapshot(t, "bmi", "blobs", "phq9"))
		if !f.marked(t, f.alice) {
			t.Fatalf("alice's refused %s cleared her mark", o.op)
		}
	}
	if a := f.audits(t); len(a) != 2 || a[1] != f.auditPrefix("bob")+"No changes" {
		t.Fatalf("audits = %q, want alice's first upload and bob's, nothing after", a)
	}

	// Per user: carol, never taken over, starts a batch implicitly.
	f.s.addUser(t, "research", "carol", "pw3-secret", "--may-upload")
	carol := testclient.New(testclient.Config{URL: f.s.API, Device: f.c.Device(), User: "carol", Password: "pw3-secret"})
	f.s.step(t, carol, "upload_empty_tables", map[string]string{"tables": "phq9"}, "UPLOAD-EMPTY-TABLES")
	f.s.step(t, carol, "end_upload", nil, "end_upload")
	f.fail(t, "upload_table", uploadTableOf("bmi", bmiFields, bmiRecord(1, 0, wlm2, "80")), msgTakenOver)

	// Per device: alice's other tablet is not affected.
	other := f.s.client("alice", "pw!-secret")
	if _, err := other.RegisterSequence(context.Background(), "tablet 2"); err != nil {
		t.Fatal(err)
	}
	f.s.step(t, other, "upload_table", uploadTableOf("bmi", bmiFields, bmiRecord(1, 0, wlm1, "70")), "Table bmi upload successful")
	f.s.step(t, other, "end_upload", nil, "end_upload")

	// Alice starts again: the mark goes and her Move commits.
	f.s.step(t, f.c, "start_upload", nil, "start_upload")
	if f.marked(t, f.alice) {
		t.Fatal("alice's start_upload left her mark")
	}
	f.s.step(t, f.c, "start_preservation", nil, "STARTPRESERVATION")
	f.uploadBMI(t, bmiRecord(1, 0, wlm2, "80"), bmiRecord(3, 0, wlm1, "73"))
	f.s.step(t, f.c, "end_upload", nil, "end_upload")
	if n := f.s.count(t, "bmi", "_device_id = ? AND _era = ? AND _preserving_user_id = ?", f.dev, f.era(t), f.alice); n != 4 {
		t.Fatalf("alice's Move preserved %d rows, want 4 (1 in two versions, 2 and 3)", n)
	}
}

// TestBatchTakenOverStartUploadRefusedStaysMarked: a taken-over user's
// start_upload refused as busy (the taker's batch is active) keeps the
// mark, since it changed nothing.
func TestBatchTakenOverStartUploadRefusedStaysMarked(t *testing.T) {
	t.Parallel()
	f, bob := takeoverSetup(t)
	f.s.step(t, f.c, "start_upload", nil, "start_upload")
	makeBatchStale(f.s)
	f.s.step(t, bob, "start_upload", nil, "start_upload")
	f.fail(t, "start_upload", nil, "Device is busy: an upload by another user is in progress")
	if !f.marked(t, f.alice) {
		t.Fatal("a refused start_upload cleared alice's mark")
	}
	f.s.step(t, bob, "end_upload", nil, "end_upload")
	f.fail(t, "end_upload", nil, msgTakenOver)
}

// TestBatchTakenOverOneStepClears: a one-step upload clears the user's
// mark too (PROTOCOL 8.3.2 step 3); the next multi-step batch then starts
// implicitly as usual.
func TestBatchTakenOverOneStepClears(t *testing.T) {
	t.Parallel()
	f, bob := takeoverSetup(t)
	f.s.step(t, f.c, "start_upload", nil, "start_upload")
	makeBatchStale(f.s)
	f.s.step(t, bob, "start_upload", nil, "start_upload")
	f.s.step(t, bob, "end_upload", nil, "end_upload")
	f.fail(t, "end_upload", nil, msgTakenOver)
	params, err := bmiOneStepParams(map[int64]bmiVersion{1: {wlm: wlm1, comment: "one-step"}}, false)
	if err != nil {
		t.Fatal(err)
	}
	f.s.step(t, f.c, "upload_entire_database", params, "Success")
	if f.marked(t, f.alice) {
		t.Fatal("alice's one-step upload left her mark")
	}
	f.uploadBMI(t, bmiRecord(1, 0, wlm2, "80"))
	f.s.step(t, f.c, "end_upload", nil, "end_upload")
}

// TestBatchTakenOverByOneStep: a one-step upload that rolls back another
// user's stale batch marks that user as a multi-step takeover does, so
// bob's end_upload cannot commit a batch begun after the rollback.
func TestBatchTakenOverByOneStep(t *testing.T) {
	t.Parallel()
	f, bob := takeoverSetup(t)
	bobID, _ := userAndGroup(t, f.s, "bob")
	f.s.step(t, bob, "start_upload", nil, "start_upload")
	f.s.step(t, bob, "upload_table", uploadTableOf("bmi", bmiFields, bmiRecord(9, 0, wlm1, "60")), "Table bmi upload successful")
	makeBatchStale(f.s)
	params, err := bmiOneStepParams(map[int64]bmiVersion{1: {wlm: wlm1, comment: "one-step"}}, false)
	if err != nil {
		t.Fatal(err)
	}
	f.s.step(t, f.c, "upload_entire_database", params, "Success")
	if !f.marked(t, bobID) || f.marked(t, f.alice) {
		t.Fatal("after alice's one-step takeover: want bob marked and alice not")
	}
	before := f.snapshot(t, "bmi")
	wantClientFailure(t, bob, "upload_table", uploadTableOf("bmi", bmiFields, bmiRecord(10, 0, wlm1, "61")), msgTakenOver)
	wantClientFailure(t, bob, "end_upload", nil, msgTakenOver)
	wantSameSnapshot(t, "bob's refused requests", before, f.snapshot(t, "bmi"))
}
