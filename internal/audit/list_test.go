package audit_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/uptrace/bun"

	"github.com/tabletapi/tabletapi/internal/audit"
	"github.com/tabletapi/tabletapi/internal/dbtest"
)

// t0 is the time of the first test entry; entry i is written at t0 + i
// minutes, so some times have a fraction of a second and some do not.
var t0 = time.Date(2026, 12, 8, 9, 0, 0, 500_000_000, time.UTC)

// seed writes n entries, cycling through users, devices and operations,
// and returns them with their ids, oldest first.
func seed(tb testing.TB, db bun.IDB, n int) []audit.Entry {
	tb.Helper()
	var dev int64
	if err := db.NewRaw("INSERT INTO devices (name) VALUES ('tab') RETURNING id").Scan(tb.Context(), &dev); err != nil {
		tb.Fatal(err)
	}
	users := []string{"alice", "bob", ""}
	ops := []string{audit.OpLogin, audit.OpUpload, ""}
	for i := range n {
		e := audit.Entry{
			When: t0.Add(time.Duration(i) * time.Minute), Source: audit.SourceTablet,
			Username: users[i%3], Operation: ops[i%3], Details: "entry",
		}
		if i%2 == 0 {
			e.DeviceID = &dev
			e.RemoteAddr = "192.0.2.1"
		}
		if i == 1 {
			e.When = t0.Truncate(time.Second).Add(time.Minute) // no fraction
		}
		if err := audit.Write(tb.Context(), db, e); err != nil {
			tb.Fatal(err)
		}
	}
	var all []audit.Entry
	if err := db.NewSelect().Model(&all).Order("id ASC").Scan(tb.Context()); err != nil {
		tb.Fatal(err)
	}
	for i := range all {
		all[i].When = all[i].When.UTC()
	}
	return all
}

// ids returns the ids of entries, in order.
func ids(entries []audit.Entry) []int64 {
	out := []int64{}
	for _, e := range entries {
		out = append(out, e.ID)
	}
	return out
}

// newestFirst returns the ids of the entries keep selects, newest first.
func newestFirst(all []audit.Entry, keep func(i int, e audit.Entry) bool) []int64 {
	out := []int64{}
	for i := len(all) - 1; i >= 0; i-- {
		if keep(i, all[i]) {
			out = append(out, all[i].ID)
		}
	}
	return out
}

func TestList(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	all := seed(t, db, 12)
	dev := *all[0].DeviceID
	for _, tc := range []struct {
		name string
		f    audit.Filter
		keep func(i int, e audit.Entry) bool
	}{
		{"All", audit.Filter{}, func(int, audit.Entry) bool { return true }},
		{"Username", audit.Filter{Username: "bob"}, func(i int, _ audit.Entry) bool { return i%3 == 1 }},
		{"Device", audit.Filter{DeviceID: dev}, func(i int, _ audit.Entry) bool { return i%2 == 0 }},
		{"Operation", audit.Filter{Operation: audit.OpUpload}, func(i int, _ audit.Entry) bool { return i%3 == 1 }},
		{"Combined", audit.Filter{Username: "alice", DeviceID: dev, Operation: audit.OpLogin},
			func(i int, _ audit.Entry) bool { return i%6 == 0 }},
		// Since is inclusive, Until exclusive, also across a time without
		// a fraction of a second (entry 1).
		{"Since", audit.Filter{Since: all[1].When}, func(i int, _ audit.Entry) bool { return i >= 1 }},
		{"Until", audit.Filter{Until: all[2].When}, func(i int, _ audit.Entry) bool { return i < 2 }},
		{"SinceUntil", audit.Filter{Since: all[3].When.In(time.FixedZone("CET", 3600)), Until: all[6].When},
			func(i int, _ audit.Entry) bool { return i >= 3 && i < 6 }},
		{"BeforeID", audit.Filter{BeforeID: all[5].ID}, func(i int, _ audit.Entry) bool { return i < 5 }},
		{"Limit", audit.Filter{Limit: 4}, func(i int, _ audit.Entry) bool { return i >= 8 }},
		{"NoMatch", audit.Filter{Username: "carol"}, func(int, audit.Entry) bool { return false }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := audit.List(t.Context(), db, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(newestFirst(all, tc.keep), ids(got)); diff != "" {
				t.Errorf("ids (-want +got):\n%s", diff)
			}
		})
	}
	t.Run("Fields", func(t *testing.T) {
		got, err := audit.List(t.Context(), db, audit.Filter{Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		want := make([]audit.Entry, len(all))
		for i := range all {
			want[len(all)-1-i] = all[i]
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("entries (-want +got):\n%s", diff)
		}
		if got[len(got)-1].When != t0 || got[len(got)-1].Operation != audit.OpLogin || got[len(got)-3].Operation != "" {
			t.Errorf("oldest entries: %+v", got[len(got)-3:])
		}
	})
	t.Run("Pages", func(t *testing.T) {
		var seen []int64
		f := audit.Filter{Limit: 5}
		for {
			page, err := audit.List(t.Context(), db, f)
			if err != nil {
				t.Fatal(err)
			}
			if len(page) == 0 {
				break
			}
			seen = append(seen, ids(page)...)
			f.BeforeID = page[len(page)-1].ID
		}
		if diff := cmp.Diff(newestFirst(all, func(int, audit.Entry) bool { return true }), seen); diff != "" {
			t.Errorf("paged ids (-want +got):\n%s", diff)
		}
	})
	t.Run("DefaultLimit", func(t *testing.T) {
		for range audit.DefaultLimit {
			if err := audit.Write(t.Context(), db, audit.Entry{Details: "more"}); err != nil {
				t.Fatal(err)
			}
		}
		got, err := audit.List(t.Context(), db, audit.Filter{})
		if err != nil || len(got) != audit.DefaultLimit {
			t.Fatalf("List = %d entries, %v; want %d", len(got), err, audit.DefaultLimit)
		}
	})
}

func TestList_ErrBadFilter(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	for name, f := range map[string]audit.Filter{
		"NegativeLimit":    {Limit: -1},
		"LimitTooLarge":    {Limit: audit.MaxLimit + 1},
		"NegativeBeforeID": {BeforeID: -1},
		"UnknownOperation": {Operation: "frobnicate"},
		"UntilBeforeSince": {Since: t0, Until: t0.Add(-time.Second)},
	} {
		if _, err := audit.List(t.Context(), db, f); !errors.Is(err, audit.ErrBadFilter) {
			t.Errorf("%s: err = %v, want ErrBadFilter", name, err)
		}
	}
}

func TestOperations(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for _, op := range audit.Operations() {
		if op == "" || len(op) > 40 || seen[op] {
			t.Errorf("operation %q is empty, too long for the column or repeated", op)
		}
		seen[op] = true
	}
	if !seen[audit.OpIDNumAdd] || !seen[audit.OpLogin] || !seen[audit.OpSessionEnd] {
		t.Errorf("Operations() = %v lacks a code", audit.Operations())
	}
}
