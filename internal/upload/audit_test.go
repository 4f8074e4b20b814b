package upload_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tabletapi/tabletapi/internal/audit"
)

// TestUploadAudit: every committed upload leaves its structured audit in
// the upload's transaction: batch time, method, and per table the counts
// of added, modified, deleted and preserved records.
func TestUploadAudit(t *testing.T) {
	f := mustFixture(t)
	// Multi-step: three records, then one modified and one deleted.
	f.mustRun(t, startUpload, "alice", at(0), nil)
	f.mustRun(t, uploadTable, "alice", at(time.Second), tableForm(bmiRecord{1, 0, false}, bmiRecord{2, 0, false}, bmiRecord{3, 0, false}))
	f.mustRun(t, endUpload, "alice", at(2*time.Second), nil)
	f.mustRun(t, startUpload, "alice", at(time.Minute), nil)
	f.mustRun(t, uploadTable, "alice", at(time.Minute+time.Second), tableForm(bmiRecord{1, 0, false}, bmiRecord{2, 5, false}))
	f.mustRun(t, endUpload, "alice", at(time.Minute+2*time.Second), nil)
	// One-step, finalizing: one new record; every era-NOW row preserved,
	// the two old versions too.
	f.mustRun(t, uploadEntireDB, "bob", at(2*time.Minute), oneStepForm(true, bmiRecord{1, 0, false}, bmiRecord{2, 5, false}, bmiRecord{4, 0, false}))
	// A one-step repeat of nothing: no changes, no tables.
	f.mustRun(t, uploadEntireDB, "bob", at(3*time.Minute), oneStepForm(false))

	got, err := audit.Uploads(t.Context(), f.db, audit.UploadFilter{DeviceID: f.deviceID})
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		User, Method string
		Batch, End   time.Time
		Tables       []audit.TableCounts
	}
	var rows []row
	for _, u := range got {
		if u.DeviceName != "tablet1" || u.DeviceID != f.deviceID {
			t.Errorf("upload %d: device %d %q", u.AuditID, u.DeviceID, u.DeviceName)
		}
		rows = append(rows, row{u.Username, u.Method, u.BatchUTC, u.EndUTC, u.Tables})
	}
	bmi := func(a, m, d, p int) []audit.TableCounts {
		return []audit.TableCounts{{Table: "bmi", Added: a, Modified: m, Deleted: d, Preserved: p}}
	}
	want := []row{
		{"bob", audit.MethodOneStep, at(3 * time.Minute), at(3 * time.Minute), nil},
		{"bob", audit.MethodOneStepPreserving, at(2 * time.Minute), at(2 * time.Minute), bmi(1, 0, 0, 5)},
		{"alice", audit.MethodMultiStep, at(time.Minute), at(time.Minute + 2*time.Second), bmi(1, 1, 1, 0)},
		{"alice", audit.MethodMultiStep, at(0), at(2 * time.Second), bmi(3, 0, 0, 0)},
	}
	if d := cmp.Diff(want, rows); d != "" {
		t.Fatalf("uploads (-want +got):\n%s", d)
	}

	t.Run("Paged", func(t *testing.T) {
		page, err := audit.Uploads(t.Context(), f.db, audit.UploadFilter{BeforeID: got[1].AuditID, Limit: 1})
		if err != nil || len(page) != 1 || page[0].AuditID != got[2].AuditID {
			t.Fatalf("page before %d: %+v, %v; want upload %d", got[1].AuditID, page, err, got[2].AuditID)
		}
		other, err := audit.Uploads(t.Context(), f.db, audit.UploadFilter{DeviceID: f.deviceID + 100})
		if err != nil || len(other) != 0 {
			t.Fatalf("another device: %+v, %v; want none", other, err)
		}
	})
}
