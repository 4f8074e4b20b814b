package schedule_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/uptrace/bun"

	"github.com/tabletapi/tabletapi/internal/dbtest"
	"github.com/tabletapi/tabletapi/internal/registry"
	"github.com/tabletapi/tabletapi/internal/schedule"
)

// mustGroup inserts a group and returns its id.
func mustGroup(tb testing.TB, db bun.IDB, name string) int64 {
	tb.Helper()
	var id int64
	if err := db.NewRaw("INSERT INTO groups (name) VALUES (?) RETURNING id", name).Scan(tb.Context(), &id); err != nil {
		tb.Fatalf("group %q: %v", name, err)
	}
	return id
}

func phqItems() []schedule.Item {
	return []schedule.Item{{Table: "phq9", DueFromDays: 0, DueWithinDays: 7}, {Table: "bmi", DueFromDays: 14, DueWithinDays: 7}}
}

func TestStore_Schedules(t *testing.T) {
	db := dbtest.New(t)
	clock := time.Date(2026, 12, 7, 10, 41, 59, 999, time.UTC)
	s := schedule.NewStore(db, func() time.Time { return clock })
	g1, g2 := mustGroup(t, db, "g1"), mustGroup(t, db, "g2")

	sc, err := s.Create(t.Context(), g1, "weekly", phqItems())
	if err != nil {
		t.Fatal(err)
	}
	t.Run("ByName", func(t *testing.T) {
		got, err := s.ByName(t.Context(), g1, "weekly")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(sc, got); diff != "" {
			t.Errorf("ByName mismatch (-created +read):\n%s", diff)
		}
		if _, err := s.ByName(t.Context(), g2, "weekly"); !errors.Is(err, schedule.ErrNotFound) {
			t.Errorf("another group's schedule: %v, want ErrNotFound", err)
		}
	})
	t.Run("ErrExists", func(t *testing.T) {
		if _, err := s.Create(t.Context(), g1, "weekly", phqItems()); !errors.Is(err, schedule.ErrExists) {
			t.Errorf("same name in the group: %v, want ErrExists", err)
		}
		if _, err := s.Create(t.Context(), g2, "weekly", phqItems()); err != nil {
			t.Errorf("same name in another group: %v", err)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		for name, items := range map[string][]schedule.Item{"": phqItems(), "  ": phqItems(), "empty": nil} {
			if _, err := s.Create(t.Context(), g1, name, items); !errors.Is(err, schedule.ErrInvalid) {
				t.Errorf("Create(%q, %d items): %v, want ErrInvalid", name, len(items), err)
			}
		}
	})
	t.Run("Assign", func(t *testing.T) {
		start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("", 3600))
		a, err := s.Assign(t.Context(), 11, sc, &start, `{"phq9": {"x": 1}}`)
		if err != nil {
			t.Fatal(err)
		}
		b, err := s.Assign(t.Context(), 11, mustByName(t, s, g2, "weekly"), nil, "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Assign(t.Context(), 11, sc, nil, ""); !errors.Is(err, schedule.ErrExists) {
			t.Errorf("second assignment of one schedule: %v, want ErrExists", err)
		}
		got, err := s.Assignments(t.Context(), 11)
		if err != nil {
			t.Fatal(err)
		}
		wantStart := start.UTC()
		if diff := cmp.Diff([]schedule.Assignment{*a, *b}, got); diff != "" || !a.Start.Equal(wantStart) || b.Settings != "{}" {
			t.Errorf("Assignments mismatch (-assigned +read):\n%s", diff)
		}
		when, n, err := s.StartMissing(t.Context(), 11)
		if want := time.Date(2026, 12, 7, 10, 41, 0, 0, time.UTC); err != nil || n != 1 || !when.Equal(want) {
			t.Fatalf("StartMissing = %v, %d, %v; want %v, 1", when, n, err, want)
		}
		got, err = s.Assignments(t.Context(), 11)
		if err != nil || !got[0].Start.Equal(wantStart) || !got[1].Start.Equal(when) {
			t.Fatalf("after StartMissing: %+v, %v", got, err)
		}
		if _, n, err := s.StartMissing(t.Context(), 11); n != 0 || err != nil {
			t.Errorf("StartMissing again: %d, %v; want 0", n, err)
		}
		if none, err := s.Assignments(t.Context(), 12); err != nil || none == nil || len(none) != 0 {
			t.Errorf("Assignments of an unassigned patient: %#v, %v", none, err)
		}
	})
}

func mustByName(tb testing.TB, s *schedule.Store, group int64, name string) *schedule.Schedule {
	tb.Helper()
	sc, err := s.ByName(tb.Context(), group, name)
	if err != nil {
		tb.Fatal(err)
	}
	return sc
}

func TestCheckItem(t *testing.T) {
	reg := registry.Default()
	for _, it := range []schedule.Item{{"phq9", 0, 1}, {"bmi", 30, 365}} {
		if err := schedule.CheckItem(reg, it); err != nil {
			t.Errorf("CheckItem(%+v): %v", it, err)
		}
	}
	for it, want := range map[schedule.Item]string{
		{"nosuch", 0, 7}:  `schedule: invalid: "nosuch" is not a task table of the registry`,
		{"patient", 0, 7}: `schedule: invalid: "patient" is not a task table of the registry`,
		{"PHQ9", 0, 7}:    `schedule: invalid: "PHQ9" is not a task table of the registry`,
		{"phq9", -1, 7}:   "schedule: invalid: the due-from days must be at least 0, not -1",
		{"phq9", 0, 0}:    "schedule: invalid: the due-within days must be at least 1, not 0",
	} {
		if err := schedule.CheckItem(reg, it); !errors.Is(err, schedule.ErrInvalid) || err.Error() != want {
			t.Errorf("CheckItem(%+v) = %v, want %s", it, err, want)
		}
	}
}

func TestCheckSettings(t *testing.T) {
	sc := &schedule.Schedule{Name: "weekly", Items: phqItems()}
	for _, ok := range []string{`{}`, `{"phq9": {}}`, `{"phq9": {"a": [1]}, "bmi": {"b": null}}`} {
		if err := schedule.CheckSettings(ok, sc); err != nil {
			t.Errorf("CheckSettings(%s): %v", ok, err)
		}
	}
	for settings, want := range map[string]string{
		``:                           "schedule: invalid: settings must be a JSON object keyed by table name",
		`null`:                       "schedule: invalid: settings must be a JSON object keyed by table name",
		`[]`:                         "schedule: invalid: settings must be a JSON object keyed by table name",
		`{"phq9": {}`:                "schedule: invalid: settings must be a JSON object keyed by table name",
		`{"gad7": {}}`:               `schedule: invalid: settings name table "gad7", which schedule "weekly" does not have`,
		`{"phq9": 1}`:                `schedule: invalid: the settings of table "phq9" must be a JSON object`,
		`{"phq9": null}`:             `schedule: invalid: the settings of table "phq9" must be a JSON object`,
		`{"phq9": {"a": 1, "a": 2}}`: "schedule: invalid: settings must not repeat a key within an object",
	} {
		if err := schedule.CheckSettings(settings, sc); !errors.Is(err, schedule.ErrInvalid) || err.Error() != want {
			t.Errorf("CheckSettings(%q) = %v, want %s", settings, err, want)
		}
	}
}
