package sim

import "slices"

// model is what the tablet was told the server holds: the live rows (era
// NOW, current) of each table, by client PK, and every record preserved by
// a successful upload, in upload order. A patient kept by "Move keeping
// patients" and preserved again later appears once per preservation, as
// the server stores it once per era.
type model struct {
	live      map[string]map[int64]Row
	preserved []Record
}

func newModel() model {
	return model{live: map[string]map[int64]Row{}}
}

// uploaded records a successful upload by method m of the local tables
// named (after prepare): the Move methods preserve everything they send;
// Copy preserves the rows flagged to move off and leaves the rest live.
// Rows the tablet no longer has are no longer live.
func (m *model) uploaded(method Method, names []string, tables map[string][]Row) {
	m.live = map[string]map[int64]Row{}
	for _, table := range names {
		for _, r := range tables[table] {
			if method.Moves() || r.MoveOff() {
				m.preserved = append(m.preserved, Record{Table: table, Row: r.Clone()})
				continue
			}
			if m.live[table] == nil {
				m.live[table] = map[int64]Row{}
			}
			m.live[table][r.ID()] = r.Clone()
		}
	}
}

// Expectation is what a tablet expects the server to hold for its device:
// exactly these current rows and no others.
type Expectation struct {
	Device    string
	Live      []Record // era NOW
	Preserved []Record // any other era; a record may appear more than once
	Unsettled bool     // the last upload's outcome is unknown: nothing can be expected
	Uploads   int      // successful uploads
}

// Expected returns copies of what the tablet expects the server to hold.
func (t *Tablet) Expected() Expectation {
	e := Expectation{Device: t.Device(), Unsettled: t.unsettled, Uploads: t.uploads}
	for _, table := range t.schema.TableNames() {
		ids := make([]int64, 0, len(t.model.live[table]))
		for id := range t.model.live[table] {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		for _, id := range ids {
			e.Live = append(e.Live, Record{Table: table, Row: t.model.live[table][id].Clone()})
		}
	}
	for _, r := range t.model.preserved {
		e.Preserved = append(e.Preserved, Record{Table: r.Table, Row: r.Row.Clone()})
	}
	return e
}
