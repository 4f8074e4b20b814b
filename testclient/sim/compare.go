package sim

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// eraRE matches a preserved era: a batch time (PROTOCOL 8.7).
var eraRE = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`)

// expectedRow is an expected record in canonical form.
type expectedRow struct {
	id     int64
	values []string
}

// compareTable compares a device's stored rows of one table, which has
// the columns cols, with what the tablet expects, and adds what differs to
// rep.
func compareTable(e Expectation, table string, cols []Column, rows []storedRow, rep *Report) {
	live := map[int64][]string{}
	for _, r := range e.Live {
		if r.Table == table {
			live[r.Row.ID()] = expectedValues(r, cols)
		}
	}
	var preserved []expectedRow
	for _, r := range e.Preserved {
		if r.Table == table {
			preserved = append(preserved, expectedRow{r.Row.ID(), expectedValues(r, cols)})
		}
	}
	seenLive := map[int64]int{}
	var stored []storedRow // preserved current rows
	for _, s := range rows {
		p := Problem{Device: e.Device, Table: table, ID: s.id, Era: s.era}
		switch {
		case s.addPending || s.remPending:
			p.Kind = "pending"
			p.Detail = fmt.Sprintf("addition pending %v, removal pending %v after the last upload ended", s.addPending, s.remPending)
			rep.add(p)
		case s.era != "NOW" && !eraRE.MatchString(s.era):
			p.Kind, p.Detail = "bad era", fmt.Sprintf("era %q is neither NOW nor a batch time YYYY-MM-DDTHH:MM:SSZ", s.era)
			rep.add(p)
		case s.era != "NOW":
			rep.PreservedRows++
			stored = append(stored, s)
		default:
			rep.LiveRows++
			seenLive[s.id]++
			want, ok := live[s.id]
			switch {
			case !ok:
				p.Kind, p.Detail = "unexpected", "a current row the tablet does not have, or no longer has"
				rep.add(p)
			case seenLive[s.id] > 1:
				p.Kind, p.Detail = "duplicate", fmt.Sprintf("%d current era-NOW rows with this client PK", seenLive[s.id])
				rep.add(p)
			case !slices.Equal(want, s.values):
				p.Kind, p.Detail = "wrong values", diffValues(want, s.values)
				rep.add(p)
			}
		}
	}
	for _, id := range sortedKeys(live) {
		if seenLive[id] == 0 {
			rep.add(Problem{
				Device: e.Device, Table: table, ID: id, Era: "NOW", Kind: "missing",
				Detail: "an uploaded record is not stored as current",
			})
		}
	}
	comparePreserved(e.Device, table, preserved, stored, rep)
}

// comparePreserved matches preserved current rows with the records moved
// off, as multisets. A stored row left over is a duplicate if it equals an
// expected record, a difference in values if a record with its PK is
// missing, and unexpected otherwise; an expected record left over is
// missing.
func comparePreserved(device, table string, want []expectedRow, stored []storedRow, rep *Report) {
	count := map[string]int{}
	for _, w := range want {
		count[key(w.values)]++
	}
	expected := make(map[string]bool, len(count))
	for k := range count {
		expected[k] = true
	}
	var extra []storedRow
	for _, s := range stored {
		if k := key(s.values); count[k] > 0 {
			count[k]--
		} else {
			extra = append(extra, s)
		}
	}
	var missing []expectedRow
	for _, w := range want {
		if k := key(w.values); count[k] > 0 {
			count[k]--
			missing = append(missing, w)
		}
	}
	for _, s := range extra {
		p := Problem{Device: device, Table: table, ID: s.id, Era: s.era}
		i := slices.IndexFunc(missing, func(w expectedRow) bool { return w.id == s.id })
		switch {
		case expected[key(s.values)]:
			p.Kind, p.Detail = "duplicate", "a record stored in a preserved era more often than it was moved off"
		case i >= 0:
			p.Kind, p.Detail = "wrong values", diffValues(missing[i].values, s.values)
			missing = slices.Delete(missing, i, i+1)
		default:
			p.Kind, p.Detail = "unexpected", "a preserved current row that no upload moved off"
		}
		rep.add(p)
	}
	for _, w := range missing {
		rep.add(Problem{
			Device: device, Table: table, ID: w.id, Kind: "missing",
			Detail: "a record moved off the tablet is not stored as current in a preserved era",
		})
	}
}

// expectedValues is the canonical form of what the server must store for
// a record of a table with the columns cols.
func expectedValues(r Record, cols []Column) []string {
	return canonicalRow(cols, func(c Column) string { return sentValue(c.Type, r.Row[c.Name]) })
}

// diffValues lists the fields whose values differ, as "field: want X, got Y".
func diffValues(want, got []string) string {
	var out []string
	for i := range min(len(want), len(got)) {
		if want[i] != got[i] {
			name, w, _ := strings.Cut(want[i], "=")
			_, g, _ := strings.Cut(got[i], "=")
			out = append(out, fmt.Sprintf("%s: want %s, got %s", name, shorten(w), shorten(g)))
		}
	}
	return strings.Join(out, "; ")
}

// shorten cuts a long value (a BLOB) for a message.
func shorten(s string) string {
	if len(s) > 40 {
		return s[:37] + "…"
	}
	return s
}

// key joins canonical values into a map key.
func key(values []string) string { return strings.Join(values, "\x00") }

// sortedKeys returns a map's keys in ascending order.
func sortedKeys[V any](m map[int64]V) []int64 {
	keys := make([]int64, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
