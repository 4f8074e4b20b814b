package upload_test

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// step is one request of a test sequence.
type step struct {
	o    op
	user string
	at   time.Duration // after t0
	form map[string]string
	// err is a part of the error's text the request must fail with, or ""
	// for success.
	err string
}

// runSteps runs steps in order and checks each outcome.
func (f *fixture) runSteps(tb testing.TB, steps []step) {
	tb.Helper()
	for i, s := range steps {
		_, err := f.run(tb, s.o, s.user, at(s.at), s.form)
		switch {
		case s.err == "" && err != nil:
			tb.Fatalf("step %d (%s at +%s): %v", i, s.user, s.at, err)
		case s.err != "" && (err == nil || !strings.Contains(err.Error(), s.err)):
			tb.Fatalf("step %d (%s at +%s): err %v, want one saying %q", i, s.user, s.at, err, s.err)
		}
	}
}

// multiStep is a whole multi-step upload of recs by alice: start_upload
// at start, upload_table a minute later, end_upload a minute after that.
func multiStep(start time.Duration, recs ...bmiRecord) []step {
	return []step{
		{o: startUpload, user: "alice", at: start},
		{o: uploadTable, user: "alice", at: start + time.Minute, form: tableForm(recs...)},
		{o: endUpload, user: "alice", at: start + 2*time.Minute},
	}
}

// TestRemoval: the removal values of PROTOCOL 8.6, applied by a commit to
// pending removals and by one-step at once (8.4.2 Modified, 8.5 delete
// now): the row stops being current, removed by U, at the request's time
// and in its batch's time, with the successor link of a modification or
// none for a deletion; and the audit counts it as such.
func TestRemoval(t *testing.T) {
	const (
		added   = "pk1 id1 current=1 addpend=0 rempend=0 pred=- succ=- era=NOW added=alice@+1m0s/+1m0s removed=- preserved=- moveoff=0 forced=0"
		removed = "pk1 id1 current=0 addpend=0 rempend=0 pred=- succ=%s era=NOW added=alice@+1m0s/+1m0s removed=alice@%s preserved=- moveoff=0 forced=0"
	)
	for _, tc := range []struct {
		name  string
		steps []step
		want  []string
		audit string
	}{{
		name:  "MultiStepModifiedOut",
		steps: multiStep(2*time.Minute, bmiRecord{id: 1, wlm: 1}),
		want: []string{fmt.Sprintf(removed, "pk2", "+4m0s/+2m0s"),
			"pk2 id1 current=1 addpend=0 rempend=0 pred=pk1 succ=- era=NOW added=alice@+4m0s/+2m0s removed=- preserved=- moveoff=0 forced=0"},
		audit: "bmi (1 added, PKs [2]; 1 modified out, PKs [1]; 0 deleted, PKs []; 0 preserved, PKs []; current PKs [2])",
	}, {
		name:  "MultiStepDeleted",
		steps: multiStep(2 * time.Minute),
		want:  []string{fmt.Sprintf(removed, "-", "+4m0s/+2m0s")},
		audit: "bmi (0 added, PKs []; 0 modified out, PKs []; 1 deleted, PKs [1]; 0 preserved, PKs []; current PKs [])",
	}, {
		name:  "OneStepModifiedOut",
		steps: []step{{o: uploadEntireDB, user: "alice", at: 2 * time.Minute, form: oneStepForm(false, bmiRecord{id: 1, wlm: 1})}},
		want: []string{fmt.Sprintf(removed, "pk2", "+2m0s/+2m0s"),
			"pk2 id1 current=1 addpend=0 rempend=0 pred=pk1 succ=- era=NOW added=alice@+2m0s/+2m0s removed=- preserved=- moveoff=0 forced=0"},
		audit: "bmi (1 added, PKs [2]; 1 modified out, PKs [1]; 0 deleted, PKs []; 0 preserved, PKs []; current PKs [2])",
	}, {
		name:  "OneStepDeleted",
		steps: []step{{o: uploadEntireDB, user: "alice", at: 2 * time.Minute, form: oneStepForm(false)}},
		want:  []string{fmt.Sprintf(removed, "-", "+2m0s/+2m0s")},
		audit: "bmi (0 added, PKs []; 0 modified out, PKs []; 1 deleted, PKs [1]; 0 preserved, PKs []; current PKs [])",
	}, {
		name:  "Unchanged",
		steps: multiStep(2*time.Minute, bmiRecord{id: 1}),
		want:  []string{added},
		audit: "No changes",
	}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := mustFixture(t)
			f.mustRun(t, uploadEntireDB, "alice", at(time.Minute), oneStepForm(false, bmiRecord{id: 1}))
			wantLines(t, "after the first upload", f.bmiRows(t), []string{added})
			f.runSteps(t, tc.steps)
			wantLines(t, "rows", f.bmiRows(t), tc.want)
			audits := f.audits(t)
			wantLines(t, "audit", audits[len(audits)-1:],
				[]string{fmt.Sprintf("Upload from device %d, username 'alice': %s", f.deviceID, tc.audit)})
		})
	}
}

// TestPreservation: the preservation values of PROTOCOL 8.7: the row takes
// the era of its batch's time (fractional seconds dropped), is preserved
// by U, loses its _move_off_tablet flag and keeps _current; per record
// with its predecessor chain, or the whole batch (start_preservation,
// finalizing one-step).
func TestPreservation(t *testing.T) {
	const (
		era   = "2020-03-01T10:02:00Z" // the batch starts at +2m0.5s
		start = 2*time.Minute + 500*time.Millisecond
		// row writes pk1 (id1) or pk2 (id2) as the first upload stored it.
		row = "pk%d id%d current=1 addpend=0 rempend=0 pred=- succ=- era=%s added=alice@+1m0s/+1m0s removed=- preserved=%s moveoff=0 forced=0"
	)
	kept := func(n int) string { return fmt.Sprintf(row, n, n, "NOW", "-") }
	preserved := func(n int) string { return fmt.Sprintf(row, n, n, era, "alice") }
	for _, tc := range []struct {
		name  string
		steps []step
		want  []string
		audit string
	}{{
		name:  "MultiStepPerRecord",
		steps: multiStep(start, bmiRecord{id: 1, moveOff: true}, bmiRecord{id: 2}),
		want:  []string{preserved(1), kept(2)},
		audit: "bmi (0 added, PKs []; 0 modified out, PKs []; 0 deleted, PKs []; 1 preserved, PKs [1]; current PKs [1, 2])",
	}, {
		name: "MultiStepWholeBatch",
		steps: []step{
			{o: startUpload, user: "alice", at: start},
			{o: startPreservation, user: "alice", at: 3 * time.Minute},
			{o: uploadTable, user: "alice", at: 4 * time.Minute, form: tableForm(bmiRecord{id: 1}, bmiRecord{id: 2})},
			{o: endUpload, user: "alice", at: 5 * time.Minute},
		},
		want:  []string{preserved(1), preserved(2)},
		audit: "bmi (0 added, PKs []; 0 modified out, PKs []; 0 deleted, PKs []; 2 preserved, PKs [1, 2]; current PKs [1, 2])",
	}, {
		name:  "MultiStepModifiedChain",
		steps: multiStep(start, bmiRecord{id: 1, wlm: 1, moveOff: true}, bmiRecord{id: 2}),
		want: []string{
			"pk1 id1 current=0 addpend=0 rempend=0 pred=- succ=pk3 era=" + era + " added=alice@+1m0s/+1m0s removed=alice@+4m0.5s/+2m0.5s preserved=alice moveoff=0 forced=0",
			kept(2),
			"pk3 id1 current=1 addpend=0 rempend=0 pred=pk1 succ=- era=" + era + " added=alice@+4m0.5s/+2m0.5s removed=- preserved=alice moveoff=0 forced=0",
		},
		audit: "bmi (1 added, PKs [3]; 1 modified out, PKs [1]; 0 deleted, PKs []; 2 preserved, PKs [1, 3]; current PKs [2, 3])",
	}, {
		name:  "OneStepFinalizing",
		steps: []step{{o: uploadEntireDB, user: "alice", at: start, form: oneStepForm(true, bmiRecord{id: 1}, bmiRecord{id: 2})}},
		want:  []string{preserved(1), preserved(2)},
		audit: "bmi (0 added, PKs []; 0 modified out, PKs []; 0 deleted, PKs []; 2 preserved, PKs [1, 2]; current PKs [1, 2])",
	}, {
		name:  "OneStepPerRecord",
		steps: []step{{o: uploadEntireDB, user: "alice", at: start, form: oneStepForm(false, bmiRecord{id: 1, moveOff: true}, bmiRecord{id: 2})}},
		want:  []string{preserved(1), kept(2)},
		audit: "bmi (0 added, PKs []; 0 modified out, PKs []; 0 deleted, PKs []; 1 preserved, PKs [1]; current PKs [1, 2])",
	}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := mustFixture(t)
			f.mustRun(t, uploadEntireDB, "alice", at(time.Minute), oneStepForm(false, bmiRecord{id: 1}, bmiRecord{id: 2}))
			f.runSteps(t, tc.steps)
			wantLines(t, "rows", f.bmiRows(t), tc.want)
			audits := f.audits(t)
			wantLines(t, "audit", audits[len(audits)-1:],
				[]string{fmt.Sprintf("Upload from device %d, username 'alice': %s", f.deviceID, tc.audit)})
		})
	}
}

// TestRollback: the values of Rollback (PROTOCOL 8.3.4), here run by the
// next start_upload: a pending addition is deleted; a pending removal is
// no longer pending and loses its successor link and removal values, but
// keeps its addition values; and a flag for preservation is cleared.
func TestRollback(t *testing.T) {
	const row = "pk%d id%d current=1 addpend=0 rempend=%d pred=- succ=%s era=NOW added=alice@+1m0s/+1m0s removed=- preserved=- moveoff=%d forced=0"
	f := mustFixture(t)
	f.mustRun(t, uploadEntireDB, "alice", at(time.Minute), oneStepForm(false, bmiRecord{id: 1}, bmiRecord{id: 2}))
	f.runSteps(t, multiStep(2*time.Minute, bmiRecord{id: 1, wlm: 1}, bmiRecord{id: 2, moveOff: true})[:2])
	wantLines(t, "pending", f.bmiRows(t), []string{
		fmt.Sprintf(row, 1, 1, 1, "pk3", 0),
		fmt.Sprintf(row, 2, 2, 0, "-", 1),
		"pk3 id1 current=0 addpend=1 rempend=0 pred=pk1 succ=- era=NOW added=- removed=- preserved=- moveoff=0 forced=0",
	})
	f.mustRun(t, startUpload, "alice", at(4*time.Minute), nil)
	wantLines(t, "rolled back", f.bmiRows(t), []string{fmt.Sprintf(row, 1, 1, 0, "-", 0), fmt.Sprintf(row, 2, 2, 0, "-", 0)})
}
