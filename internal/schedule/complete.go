package schedule

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/tabletapi/tabletapi/internal/codec"
	"github.com/tabletapi/tabletapi/internal/registry"
)

// completed sets complete, created and done on each item that an
// uploaded row completes (PROTOCOL 6.7): a current row of the item's
// table, of any device and era, whose patient (the current patient row of
// the same device and era whose id is the row's patient_id) shares an ID
// number, type and value, with idnums, whose when_created lies within
// [from, by], and whose firstexit_is_finish is true. done is the when_last_modified of the
// latest such row: the one created last (as the reference picks the most
// recently created task), then the one modified last. Anonymous items are
// never complete, nor are items of a table that lacks one of those fields.
//
// It reads every table in one statement. Table names come from reg and
// are quoted as identifiers; the windows are compared by instant in Go,
// since the stored date-times carry each tablet's own offset.
func (s *Store) completed(ctx context.Context, reg *registry.Registry, idnums map[int64]int64, items []*dueItem) error {
	byTable := map[string][]*dueItem{}
	for _, d := range items {
		if t, ok := reg.Table(d.Table); ok && !d.anonymous && len(idnums) > 0 {
			if _, ok := finishedCond(t); ok && hasFields(t, "when_created", "when_last_modified") {
				byTable[t.Name] = append(byTable[t.Name], d)
			}
		}
	}
	if len(byTable) == 0 {
		return nil
	}
	tables := slices.Sorted(maps.Keys(byTable))
	var q strings.Builder
	var args []any
	q.WriteString(`WITH pt AS (
  SELECT DISTINCT p._device_id AS d, p._era AS e, p.id AS id
  FROM patient_idnum AS i JOIN patient AS p
    ON p._device_id = i._device_id AND p._era = i._era AND p.id = i.patient_id AND p._current
  WHERE i._current AND (`)
	for n, which := range slices.Sorted(maps.Keys(idnums)) {
		if n > 0 {
			q.WriteString(" OR ")
		}
		q.WriteString("(i.which_idnum = ? AND i.idnum_value = ?)")
		args = append(args, which, idnums[which])
	}
	q.WriteString("))\n")
	for n, name := range tables {
		if n > 0 {
			q.WriteString("UNION ALL\n")
		}
		t, _ := reg.Table(name)
		cond, _ := finishedCond(t)
		fmt.Fprintf(&q, `SELECT %d AS t, r.when_created, r.when_last_modified FROM ? AS r
  JOIN pt ON pt.d = r._device_id AND pt.e = r._era AND pt.id = r.patient_id
  WHERE r._current AND %s AND r.when_created IS NOT NULL
`, n, cond)
		args = append(args, bun.Ident(name))
	}
	rows, err := s.db.QueryContext(ctx, q.String(), args...)
	if err != nil {
		return fmt.Errorf("schedule: completed tasks: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var n int
		var created string
		var modified *string
		if err := rows.Scan(&n, &created, &modified); err != nil {
			return fmt.Errorf("schedule: completed tasks: %w", err)
		}
		c, err := codec.ParseDateTime(created)
		if err != nil || n < 0 || n >= len(tables) {
			continue // not a date-time the upload would have stored
		}
		at := c.Time()
		for _, d := range byTable[tables[n]] {
			if !at.Before(d.from) && !at.After(d.by) {
				d.offer(at, modified)
			}
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("schedule: completed tasks: %w", err)
	}
	return nil
}

// offer makes the row created at c and last modified at modified (nil if
// NULL) the item's latest completing row if it is later than the one it
// has (see completed). Modification times are parsed only to break a tie.
func (d *dueItem) offer(c time.Time, modified *string) {
	if d.complete {
		switch c.Compare(d.created) {
		case -1:
			return
		case 0:
			if !later(modified, d.done) {
				return
			}
		}
	}
	d.complete, d.created, d.done = true, c, modified
}

// later reports whether the date-time text a is later than b; NULL or
// text that is no date-time is earliest.
func later(a, b *string) bool {
	instant := func(s *string) (time.Time, bool) {
		if s == nil {
			return time.Time{}, false
		}
		v, err := codec.ParseDateTime(*s)
		return v.Time(), err == nil
	}
	ta, okA := instant(a)
	tb, okB := instant(b)
	return okA && (!okB || ta.After(tb))
}

// finishedCond is the SQL condition "firstexit_is_finish is 1" on a row
// r of t, by the field's type; false if t has no such field of a type
// that can hold 1.
func finishedCond(t *registry.Table) (string, bool) {
	f, ok := t.Field("firstexit_is_finish")
	switch {
	case ok && f.Type == registry.Boolean:
		return "r.firstexit_is_finish", true
	case ok && f.Type == registry.Integer:
		return "r.firstexit_is_finish = 1", true
	}
	return "", false
}

// hasFields reports whether t has every one of names.
func hasFields(t *registry.Table, names ...string) bool {
	for _, n := range names {
		if _, ok := t.Field(n); !ok {
			return false
		}
	}
	return true
}
