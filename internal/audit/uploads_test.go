package audit_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tabletapi/tabletapi/internal/audit"
	"github.com/tabletapi/tabletapi/internal/dbtest"
)

// TestUploadsPerDay: uploads are counted per UTC day from since's day to
// today, days without uploads included, other entries not counted.
func TestUploadsPerDay(t *testing.T) {
	db := dbtest.New(t)
	ctx := t.Context()
	today := time.Now().UTC().Truncate(24 * time.Hour)
	for _, when := range []time.Time{
		today.Add(-5 * 24 * time.Hour), // before since
		today.Add(-2*24*time.Hour + time.Minute),
		today.Add(-2*24*time.Hour + 23*time.Hour),
		today.Add(time.Second),
	} {
		if err := audit.WriteUpload(ctx, db, audit.Entry{When: when, Details: "u"},
			audit.UploadDetail{BatchUTC: when, Method: audit.MethodOneStep,
				Tables: []audit.TableCounts{{Table: "a", Added: 1}, {Table: "b", Deleted: 2}}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := audit.Write(ctx, db, audit.Entry{When: today, Operation: audit.OpLogin, Details: "login"}); err != nil {
		t.Fatal(err)
	}
	got, err := audit.UploadsPerDay(ctx, db, today.Add(-3*24*time.Hour+time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	day := func(n int) time.Time { return today.AddDate(0, 0, n) }
	want := []audit.DayCount{{Day: day(-3), Count: 0}, {Day: day(-2), Count: 2}, {Day: day(-1), Count: 0}, {Day: day(0), Count: 1}}
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("per day (-want +got):\n%s", d)
	}
}
