package schedule

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/tabletapi/tabletapi/internal/codec"
	"github.com/tabletapi/tabletapi/internal/fault"
	"github.com/tabletapi/tabletapi/internal/pyjson"
	"github.com/tabletapi/tabletapi/internal/registry"
)

// day is one day of a due window: the start is in UTC, where a day is
// always 24 hours.
const day = 24 * time.Hour

// TaskSchedulesJSON does the work of get_task_schedules (PROTOCOL 6.7) for
// the server patient whose patient row has _pk patientPK and whose ID
// numbers are idnums: it starts the assignments that have no start
// (StartMissing, with the Store's clock) and returns the task_schedules
// reply value, one object per assignment in the order assigned, each item
// with its window, settings and completion (completed), items sorted by
// due_from then due_by. Every item's table must be in reg: if one is not,
// the error is a server fault that names it, and nothing is written. Run
// it in the request's transaction, so that the start it sets is kept only
// with the reply. Other errors come from the database.
func (s *Store) TaskSchedulesJSON(ctx context.Context, reg *registry.Registry, patientPK int64, idnums map[int64]int64) ([]byte, error) {
	as, err := s.Assignments(ctx, patientPK)
	if err != nil {
		return nil, err
	}
	unstarted := false
	for _, a := range as {
		unstarted = unstarted || a.Start == nil
		for _, it := range a.Schedule.Items {
			if _, ok := reg.Table(it.Table); !ok {
				msg := fmt.Sprintf("task schedule %q names table %q, which is not in the table registry", a.Schedule.Name, it.Table)
				return nil, &fault.Error{Kind: fault.Internal, Message: msg, Log: msg}
			}
		}
	}
	if unstarted {
		if _, _, err := s.StartMissing(ctx, patientPK); err != nil {
			return nil, err
		}
		// Read the starts back: a concurrent first fetch may have set
		// some before us, and its start is the one kept.
		if as, err = s.Assignments(ctx, patientPK); err != nil {
			return nil, err
		}
	}
	out := make([]pyjson.Object, len(as))
	perAssignment := make([][]*dueItem, len(as))
	for i, a := range as {
		var byTable map[string]json.RawMessage // the settings, keyed by table (CheckSettings)
		if err := json.Unmarshal([]byte(a.Settings), &byTable); err != nil {
			return nil, fmt.Errorf("schedule %q of patient %d: settings: %w", a.Schedule.Name, patientPK, err)
		}
		for _, it := range a.Schedule.Items {
			from := a.Start.Add(time.Duration(it.DueFromDays) * day)
			d := &dueItem{Item: it, from: from, by: from.Add(time.Duration(it.DueWithinDays) * day), settings: pyjson.Raw("{}")}
			t, _ := reg.Table(it.Table)
			_, hasPatient := t.Field("patient_id")
			d.anonymous = !hasPatient
			if raw, ok := byTable[it.Table]; ok {
				d.settings = pyjson.Raw(raw)
			}
			perAssignment[i] = append(perAssignment[i], d)
		}
	}
	if err := s.completed(ctx, reg, idnums, slices.Concat(perAssignment...)); err != nil {
		return nil, err
	}
	for i, a := range as {
		ds := perAssignment[i]
		slices.SortStableFunc(ds, func(x, y *dueItem) int {
			return cmp.Or(x.from.Compare(y.from), x.by.Compare(y.by))
		})
		objs := make([]any, len(ds))
		for j, d := range ds {
			objs[j] = d.object()
		}
		out[i] = pyjson.Object{{Key: "task_schedule_name", Value: a.Schedule.Name}, {Key: "task_schedule_items", Value: objs}}
	}
	return pyjson.Marshal(out)
}

// dueItem is a schedule item of one assignment, with its window and what
// the reply says of it.
type dueItem struct {
	Item
	from, by  time.Time // the window, due_from and due_by, in UTC
	anonymous bool      // the table has no patient_id field
	settings  pyjson.Raw
	// complete: a row completes the item. created and done are the
	// when_created and when_last_modified (nil if NULL) of the latest
	// such row, done as stored.
	complete bool
	created  time.Time
	done     *string
}

// object is the item as the reply writes it (PROTOCOL 6.7).
func (d *dueItem) object() pyjson.Object {
	var when any
	if d.done != nil {
		if m, err := codec.ParseDateTime(*d.done); err == nil {
			when = m.ISOString()
		}
	}
	return pyjson.Object{
		{Key: "table", Value: d.Table}, {Key: "anonymous", Value: d.anonymous}, {Key: "settings", Value: d.settings},
		{Key: "due_from", Value: codec.NewDateTime(d.from).ISOString()},
		{Key: "due_by", Value: codec.NewDateTime(d.by).ISOString()},
		{Key: "complete", Value: d.complete}, {Key: "when_completed", Value: when},
	}
}
