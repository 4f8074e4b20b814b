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
	got, err := audit.UploadsPerDay(ctx, db, today.Add(-3*24*time.Hour+time.Hour), time.Now(), nil)
	if err != nil {
		t.Fatal(err)
	}
	day := func(n int) time.Time { return today.AddDate(0, 0, n) }
	want := []audit.DayCount{{Day: day(-3), Count: 0}, {Day: day(-2), Count: 2}, {Day: day(-1), Count: 0}, {Day: day(0), Count: 1}}
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("per day (-want +got):\n%s", d)
	}
}

// TestUploadsGroups: a group filter keeps the uploads into those groups,
// in the list, the count per day and the devices' last uploads; an empty
// filter keeps none and nil keeps all.
func TestUploadsGroups(t *testing.T) {
	db := dbtest.New(t)
	ctx := t.Context()
	now := time.Now().UTC().Truncate(time.Second)
	dev := func(id int64) *int64 { return &id }
	for i, u := range []struct {
		device, group int64
	}{{1, 10}, {2, 20}, {1, 20}, {3, 0}} {
		when := now.Add(time.Duration(i-10) * time.Second)
		if err := audit.WriteUpload(ctx, db, audit.Entry{When: when, DeviceID: dev(u.device), Details: "u"},
			audit.UploadDetail{BatchUTC: when, Method: audit.MethodOneStep, GroupID: u.group}); err != nil {
			t.Fatal(err)
		}
	}
	type got struct {
		Groups  []int64
		PerDay  int
		Devices map[int64]time.Time
	}
	check := func(groups []int64) got {
		t.Helper()
		list, err := audit.Uploads(ctx, db, audit.UploadFilter{GroupIDs: groups})
		if err != nil {
			t.Fatal(err)
		}
		var g got
		for _, u := range list {
			g.Groups = append(g.Groups, u.GroupID)
		}
		days, err := audit.UploadsPerDay(ctx, db, now, now, groups)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range days {
			g.PerDay += d.Count
		}
		if g.Devices, err = audit.LastUploads(ctx, db, groups); err != nil {
			t.Fatal(err)
		}
		return g
	}
	at := func(i int) time.Time { return now.Add(time.Duration(i-10) * time.Second) }
	for _, c := range []struct {
		name   string
		groups []int64
		want   got
	}{
		{"All", nil, got{[]int64{0, 20, 20, 10}, 4, map[int64]time.Time{1: at(2), 2: at(1), 3: at(3)}}},
		{"One", []int64{20}, got{[]int64{20, 20}, 2, map[int64]time.Time{1: at(2), 2: at(1)}}},
		{"Two", []int64{10, 20}, got{[]int64{20, 20, 10}, 3, map[int64]time.Time{1: at(2), 2: at(1)}}},
		{"None", []int64{}, got{nil, 0, map[int64]time.Time{}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if d := cmp.Diff(c.want, check(c.groups)); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}
