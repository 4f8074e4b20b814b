package schedule

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/tabletapi/tabletapi/internal/sqldb"
)

// Create stores a schedule of the group groupID named name, with items in
// the given order, all or nothing (a savepoint on a bun.Tx), and returns
// it. The items must have been checked with CheckItem against the
// registry. The error wraps ErrInvalid for a blank or over-long name or no
// items, and ErrExists if the group has a schedule of that name.
func (s *Store) Create(ctx context.Context, groupID int64, name string, items []Item) (*Schedule, error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return nil, invalidf("a schedule needs at least one item")
	}
	sc := &Schedule{GroupID: groupID, Name: name, Items: append([]Item(nil), items...)}
	err := s.db.RunInTx(ctx, nil, func(_ context.Context, tx bun.Tx) error {
		err := tx.NewRaw("INSERT INTO task_schedules (group_id, name) VALUES (?, ?) RETURNING id", groupID, name).Scan(ctx, &sc.ID)
		if sqldb.IsUniqueViolation(err) {
			return fmt.Errorf("schedule %q: %w", name, ErrExists)
		}
		if err != nil {
			return fmt.Errorf("schedule %q: create: %w", name, err)
		}
		for _, it := range items {
			if _, err := tx.ExecContext(ctx, `INSERT INTO task_schedule_items (schedule_id, table_name, due_from_days, due_within_days)
VALUES (?, ?, ?, ?)`, sc.ID, it.Table, it.DueFromDays, it.DueWithinDays); err != nil {
				return fmt.Errorf("schedule %q: create item %s: %w", name, it.Table, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return sc, nil
}

// ByName returns the group's schedule named name, with its items. The
// error wraps ErrNotFound if there is none.
func (s *Store) ByName(ctx context.Context, groupID int64, name string) (*Schedule, error) {
	sc := &Schedule{GroupID: groupID, Name: name}
	err := s.db.NewRaw("SELECT id FROM task_schedules WHERE group_id = ? AND name = ?", groupID, name).Scan(ctx, &sc.ID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("schedule %q: %w", name, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("schedule %q: %w", name, err)
	}
	if sc.Items, err = s.items(ctx, sc.ID); err != nil {
		return nil, err
	}
	return sc, nil
}

// items returns a schedule's items in the order they were created.
func (s *Store) items(ctx context.Context, scheduleID int64) ([]Item, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT table_name, due_from_days, due_within_days FROM task_schedule_items
WHERE schedule_id = ? ORDER BY id`, scheduleID)
	if err != nil {
		return nil, fmt.Errorf("schedule %d: items: %w", scheduleID, err)
	}
	defer rows.Close()
	items := []Item{}
	for rows.Next() {
		var it Item
		if err := rows.Scan(&it.Table, &it.DueFromDays, &it.DueWithinDays); err != nil {
			return nil, fmt.Errorf("schedule %d: items: %w", scheduleID, err)
		}
		items = append(items, it)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("schedule %d: items: %w", scheduleID, err)
	}
	return items, nil
}

// Assign assigns sc to the server patient whose patient row has _pk
// patientPK, starting at start (stored in UTC, to the microsecond) or, if
// start is nil, at the patient's first get_task_schedules, with settings
// ("" means "{}"), which must have passed CheckSettings. The error wraps
// ErrExists if the patient already has that schedule.
func (s *Store) Assign(ctx context.Context, patientPK int64, sc *Schedule, start *time.Time, settings string) (*Assignment, error) {
	if settings == "" {
		settings = "{}"
	}
	a := &Assignment{PatientPK: patientPK, Schedule: *sc, Settings: settings}
	if start != nil {
		t := start.UTC().Truncate(time.Microsecond)
		a.Start = &t
	}
	err := s.db.NewRaw(`INSERT INTO patient_task_schedules (patient_pk, schedule_id, start_utc, settings)
VALUES (?, ?, ?, ?) RETURNING id`, patientPK, sc.ID, a.Start, settings).Scan(ctx, &a.ID)
	if sqldb.IsUniqueViolation(err) {
		return nil, fmt.Errorf("schedule %q for patient %d: %w", sc.Name, patientPK, ErrExists)
	}
	if err != nil {
		return nil, fmt.Errorf("schedule %q: assign: %w", sc.Name, err)
	}
	return a, nil
}

// Assignments returns the schedules assigned to the patient whose patient
// row has _pk patientPK, in the order they were assigned, each with its
// items; an empty slice when there are none. One query reads them all,
// since get_task_schedules reads them on every fetch. Its errors come from
// the database only.
func (s *Store) Assignments(ctx context.Context, patientPK int64) ([]Assignment, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT a.id, a.start_utc, a.settings, t.id, t.group_id, t.name,
  i.table_name, i.due_from_days, i.due_within_days
FROM patient_task_schedules AS a JOIN task_schedules AS t ON t.id = a.schedule_id
  LEFT JOIN task_schedule_items AS i ON i.schedule_id = t.id
WHERE a.patient_pk = ? ORDER BY a.id, i.id`, patientPK)
	if err != nil {
		return nil, fmt.Errorf("schedule: assignments of patient %d: %w", patientPK, err)
	}
	defer rows.Close()
	out := []Assignment{}
	for rows.Next() {
		a := Assignment{PatientPK: patientPK}
		var start sql.NullTime
		var table *string
		var from, within *int
		if err := rows.Scan(&a.ID, &start, &a.Settings, &a.Schedule.ID, &a.Schedule.GroupID, &a.Schedule.Name,
			&table, &from, &within); err != nil {
			return nil, fmt.Errorf("schedule: assignments of patient %d: %w", patientPK, err)
		}
		if len(out) == 0 || out[len(out)-1].ID != a.ID {
			if start.Valid {
				t := start.Time.UTC()
				a.Start = &t
			}
			a.Schedule.Items = []Item{}
			out = append(out, a)
		}
		if table != nil && from != nil && within != nil {
			last := &out[len(out)-1]
			last.Schedule.Items = append(last.Schedule.Items, Item{Table: *table, DueFromDays: *from, DueWithinDays: *within})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("schedule: assignments of patient %d: %w", patientPK, err)
	}
	return out, nil
}

// StartMissing sets the start of each of the patient's assignments that has
// none to the Store's now, truncated to the minute (PROTOCOL 6.7), and
// returns that start and how many it set. Its errors come from the
// database only.
func (s *Store) StartMissing(ctx context.Context, patientPK int64) (time.Time, int64, error) {
	start := s.now().UTC().Truncate(time.Minute)
	res, err := s.db.ExecContext(ctx, `UPDATE patient_task_schedules SET start_utc = ?
WHERE patient_pk = ? AND start_utc IS NULL`, start, patientPK)
	if err != nil {
		return start, 0, fmt.Errorf("schedule: start schedules of patient %d: %w", patientPK, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return start, 0, fmt.Errorf("schedule: start schedules of patient %d: %w", patientPK, err)
	}
	return start, n, nil
}
