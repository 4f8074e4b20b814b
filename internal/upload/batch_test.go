package upload_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uptrace/bun"
)

const (
	busyText      = "Device is busy: an upload by another user is in progress"
	takenOverText = "Upload interrupted: another user took over this device's upload. Please upload again."
	// noBatch is the device row with no open batch and no upload yet.
	noBatch = "last=- ongoing=- owner=- preserving=0 activity=- received=0 started=0"
)

// TestBatchState: what each batch step writes into the device row
// (PROTOCOL 8.2): StartBatch (8.3.3 step 4), the touch of every batch
// operation (8.3.2), start_preservation, and the batch reset after
// end_upload and before a one-step upload (6.18, 8.8 step 8), which keeps
// the last upload's time; a one-step upload then records its own.
func TestBatchState(t *testing.T) {
	for _, tc := range []struct {
		name  string
		steps []step
		want  string
	}{{
		name:  "StartBatch",
		steps: []step{{o: startUpload, user: "alice", at: time.Minute}},
		want:  "last=+1m0s ongoing=+1m0s owner=alice preserving=0 activity=+1m0s received=0 started=1",
	}, {
		name: "Touch",
		steps: []step{
			{o: startUpload, user: "alice", at: time.Minute},
			{o: uploadTable, user: "alice", at: 2 * time.Minute, form: tableForm(bmiRecord{id: 1})},
		},
		want: "last=+1m0s ongoing=+1m0s owner=alice preserving=0 activity=+2m0s received=0 started=1",
	}, {
		name: "StartPreservation",
		steps: []step{
			{o: startUpload, user: "alice", at: time.Minute},
			{o: startPreservation, user: "alice", at: 2 * time.Minute},
		},
		want: "last=+1m0s ongoing=+1m0s owner=alice preserving=1 activity=+2m0s received=0 started=1",
	}, {
		name: "NewBatchIsNotPreserving",
		steps: []step{
			{o: startUpload, user: "alice", at: time.Minute},
			{o: startPreservation, user: "alice", at: 2 * time.Minute},
			{o: startUpload, user: "alice", at: 3 * time.Minute},
		},
		want: "last=+3m0s ongoing=+3m0s owner=alice preserving=0 activity=+3m0s received=0 started=1",
	}, {
		name:  "EndUpload",
		steps: multiStep(time.Minute, bmiRecord{id: 1}),
		want:  "last=+1m0s ongoing=- owner=- preserving=0 activity=- received=0 started=0",
	}, {
		name: "OneStepResetsOwnBatch",
		steps: []step{
			{o: startUpload, user: "alice", at: time.Minute},
			{o: startPreservation, user: "alice", at: 2 * time.Minute},
			{o: uploadEntireDB, user: "alice", at: 3 * time.Minute, form: oneStepForm(false)},
		},
		want: "last=+3m0s ongoing=- owner=- preserving=0 activity=- received=0 started=0",
	}, {
		name:  "OneStepFailureKeepsLast",
		steps: append(multiStep(time.Minute), step{o: uploadEntireDB, user: "alice", at: 5 * time.Minute, form: map[string]string{"finalizing": "0", "pknameinfo": "{}", "dbdata": "[]"}, err: "Database data JSON is not a dict"}),
		want:  "last=+1m0s ongoing=- owner=- preserving=0 activity=- received=0 started=0",
	}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := mustFixture(t)
			if got := f.deviceBatch(t); got != noBatch {
				t.Fatalf("a new device: %s", got)
			}
			f.runSteps(t, tc.steps)
			if got := f.deviceBatch(t); got != tc.want {
				t.Fatalf("device row:\ngot  %s\nwant %s", got, tc.want)
			}
		})
	}
}

// TestDeviceBusy: another user's batch refuses U's batch operations while
// it is active (PROTOCOL 8.3.2 step 2: less than the stale timeout since
// its last activity), and changes nothing; once stale, U takes it over,
// rolling back its pending rows (8.3.3), and the owner's next batch
// operation is refused as taken over until it starts again (8.3.2 step 3).
func TestDeviceBusy(t *testing.T) {
	pending := "pk1 id1 current=0 addpend=1 rempend=0 pred=- succ=- era=NOW added=- removed=- preserved=- moveoff=0 forced=0"
	for _, tc := range []struct {
		name   string
		steps  []step
		rows   []string
		device string
	}{{
		name: "ActiveBatch",
		steps: []step{
			{o: startUpload, user: "alice", at: 0},
			{o: uploadTable, user: "alice", at: time.Minute, form: tableForm(bmiRecord{id: 1})},
			{o: startUpload, user: "bob", at: 10*time.Minute + time.Minute - time.Microsecond, err: busyText},
			{o: uploadTable, user: "bob", at: 2 * time.Minute, form: tableForm(bmiRecord{id: 2}), err: busyText},
			{o: uploadEntireDB, user: "bob", at: 3 * time.Minute, form: oneStepForm(false, bmiRecord{id: 2}), err: busyText},
		},
		rows:   []string{pending},
		device: "last=+0s ongoing=+0s owner=alice preserving=0 activity=+1m0s received=0 started=1",
	}, {
		name: "StaleTakeover",
		steps: []step{
			{o: startUpload, user: "alice", at: 0},
			{o: uploadTable, user: "alice", at: time.Minute, form: tableForm(bmiRecord{id: 1})},
			{o: uploadTable, user: "bob", at: 11 * time.Minute, form: tableForm(bmiRecord{id: 2})},
			{o: uploadTable, user: "alice", at: 12 * time.Minute, form: tableForm(bmiRecord{id: 1}), err: busyText},
			{o: endUpload, user: "bob", at: 13 * time.Minute},
			// bob's batch is over, so alice is told of the takeover ...
			{o: uploadTable, user: "alice", at: 14 * time.Minute, form: tableForm(bmiRecord{id: 1}), err: takenOverText},
			{o: endUpload, user: "alice", at: 15 * time.Minute, err: takenOverText},
			// ... until she starts again.
			{o: startUpload, user: "alice", at: 16 * time.Minute},
			{o: endUpload, user: "alice", at: 17 * time.Minute},
		},
		rows: []string{
			"pk2 id2 current=1 addpend=0 rempend=0 pred=- succ=- era=NOW added=bob@+13m0s/+11m0s removed=- preserved=- moveoff=0 forced=0",
		},
		device: "last=+16m0s ongoing=- owner=- preserving=0 activity=- received=0 started=0",
	}, {
		name: "OneStepTakesOver",
		steps: []step{
			{o: startUpload, user: "alice", at: 0},
			{o: uploadTable, user: "alice", at: time.Minute, form: tableForm(bmiRecord{id: 1})},
			{o: uploadEntireDB, user: "bob", at: 11 * time.Minute, form: oneStepForm(false, bmiRecord{id: 2})},
			{o: endUpload, user: "alice", at: 12 * time.Minute, err: takenOverText},
		},
		rows: []string{
			"pk2 id2 current=1 addpend=0 rempend=0 pred=- succ=- era=NOW added=bob@+11m0s/+11m0s removed=- preserved=- moveoff=0 forced=0",
		},
		device: "last=+11m0s ongoing=- owner=- preserving=0 activity=- received=0 started=0",
	}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := mustFixture(t)
			f.runSteps(t, tc.steps)
			wantLines(t, "rows", f.bmiRows(t), tc.rows)
			if got := f.deviceBatch(t); got != tc.device {
				t.Fatalf("device row:\ngot  %s\nwant %s", got, tc.device)
			}
		})
	}
}

// txLog is a query hook that records the transaction-control statements
// bun sends: BEGIN, COMMIT, ROLLBACK, SAVEPOINT and RELEASE. A nested
// RunInTx or BeginTx sends them through bun, so the hook sees it.
type txLog struct {
	mu    sync.Mutex
	stmts []string
}

func (l *txLog) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context { return ctx }

func (l *txLog) AfterQuery(_ context.Context, e *bun.QueryEvent) {
	q := strings.ToUpper(strings.TrimSpace(e.Query))
	for _, p := range []string{"BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "START TRANSACTION"} {
		if strings.HasPrefix(q, p) {
			l.mu.Lock()
			l.stmts = append(l.stmts, strings.Fields(q)[0])
			l.mu.Unlock()
		}
	}
}

func (l *txLog) take() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := strings.Join(l.stmts, " ")
	l.stmts = nil
	return s
}

// TestEngine_NoNestedTransaction: every request of a real multi-step and
// one-step upload, including a preserving one and one that fails, runs in
// exactly the one transaction InTransaction begins. A nested RunInTx or
// BeginTx on the request's connection would commit the request's work
// before its end (PROTOCOL 8.9: phase B is one transaction).
func TestEngine_NoNestedTransaction(t *testing.T) {
	f := mustFixture(t)
	log := &txLog{}
	f.db = f.db.WithQueryHook(log)
	for _, s := range []struct {
		step
		want string
	}{
		{step{o: startUpload, user: "alice", at: 0}, "BEGIN COMMIT"},
		{step{o: startPreservation, user: "alice", at: time.Minute}, "BEGIN COMMIT"},
		{step{o: uploadTable, user: "alice", at: 2 * time.Minute, form: tableForm(bmiRecord{id: 1, moveOff: true})}, "BEGIN COMMIT"},
		{step{o: uploadTable, user: "bob", at: 3 * time.Minute, form: tableForm(bmiRecord{id: 2}), err: busyText}, "BEGIN ROLLBACK"},
		{step{o: endUpload, user: "alice", at: 4 * time.Minute}, "BEGIN COMMIT"},
		{step{o: uploadEntireDB, user: "alice", at: 5 * time.Minute, form: oneStepForm(true, bmiRecord{id: 1, wlm: 1}, bmiRecord{id: 3})}, "BEGIN COMMIT"},
		{step{o: uploadEntireDB, user: "alice", at: 6 * time.Minute, form: oneStepForm(false, bmiRecord{id: 4, moveOff: true})}, "BEGIN COMMIT"},
	} {
		f.runSteps(t, []step{s.step})
		if got := log.take(); got != s.want {
			t.Fatalf("%s at +%s: transaction statements %q, want %q", s.user, s.at, got, s.want)
		}
	}
	if n := len(f.audits(t)); n != 3 {
		t.Fatalf("%d uploads audited, want 3", n)
	}
}

// TestDirtySet: the tables an open batch touched are its dirty set
// (PROTOCOL 8.2), and both a commit (8.6) and a full Rollback (8.3.4 step
// 4, at a batch start and before a one-step upload) empty it.
func TestDirtySet(t *testing.T) {
	for _, tc := range []struct {
		name  string
		steps []step
		want  string
	}{{
		name:  "Touched",
		steps: multiStep(0, bmiRecord{id: 1})[:2],
		want:  "[bmi]",
	}, {
		name:  "Commit",
		steps: multiStep(0, bmiRecord{id: 1}),
		want:  "[]",
	}, {
		name:  "StartBatch",
		steps: append(multiStep(0, bmiRecord{id: 1})[:2], step{o: startUpload, user: "alice", at: 5 * time.Minute}),
		want:  "[]",
	}, {
		name:  "OneStep",
		steps: append(multiStep(0, bmiRecord{id: 1})[:2], step{o: uploadEntireDB, user: "alice", at: 5 * time.Minute, form: oneStepForm(false)}),
		want:  "[]",
	}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := mustFixture(t)
			f.runSteps(t, tc.steps)
			var got []string
			if err := f.db.NewSelect().Table("dirty_tables").Column("tablename").Where("device_id = ?", f.deviceID).
				Order("tablename").Scan(t.Context(), &got); err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(got) != tc.want {
				t.Fatalf("dirty set %v, want %s", got, tc.want)
			}
		})
	}
}
