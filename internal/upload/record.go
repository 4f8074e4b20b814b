package upload

import (
	"strings"

	"github.com/tabletapi/tabletapi/internal/codec"
	"github.com/tabletapi/tabletapi/internal/registry"
)

// Record is one client record, checked and converted to its field types.
type Record struct {
	Index   int // its position, for messages
	PK      int64
	WLM     *codec.DateTime // when_last_modified; nil for NULL
	MoveOff bool            // _move_off_tablet, NULL read as false
	Fields  []registry.Field
	Values  []any // converted values, aligned with Fields
}

// newRecord applies the record checks of PROTOCOL 8.4.1 to one record
// whose fields are already validated. index is the record's position in
// messages.
func newRecord(t *registry.Table, fields []registry.Field, values []codec.Value, index int) (*Record, error) {
	// A linear search: a record has a few dozen fields at most, and a map
	// per record cost 26 MB per 50,000 records (BENCHMARKS.md, F4).
	for _, name := range []string{t.PK, "when_last_modified", "_move_off_tablet"} {
		if fieldIndex(fields, name) < 0 {
			return nil, userErrorf("Field %s missing in client input", codec.Repr(name))
		}
	}
	pkv := values[fieldIndex(fields, t.PK)]
	pk, err := codec.Convert(pkv, registry.Integer)
	if err != nil || pk == nil {
		return nil, badClientPK(pkv)
	}
	r := &Record{Index: index, PK: pk.(int64), Fields: fields, Values: make([]any, len(fields))}
	for i, f := range fields {
		v, err := codec.Convert(values[i], f.Type)
		if s, ok := v.(string); err != nil || (ok && strings.IndexByte(s, 0) >= 0) {
			// Neither database stores a NUL byte in text.
			return nil, codec.InvalidValueError(t.Name, f.Name, index, values[i].Raw)
		}
		r.Values[i] = v
		switch f.Name {
		case "when_last_modified":
			if dt, ok := v.(codec.DateTime); ok {
				r.WLM = &dt
			}
		case "_move_off_tablet":
			r.MoveOff = v == true
		}
	}
	return r, nil
}

// fieldIndex returns the position of the field called name, or -1.
func fieldIndex(fields []registry.Field, name string) int {
	for i, f := range fields {
		if f.Name == name {
			return i
		}
	}
	return -1
}

// sameWLM compares when_last_modified values by instant (PROTOCOL 7.6):
// two NULLs are equal, a NULL never equals a value.
func sameWLM(a, b *codec.DateTime) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Equal(*b)
}

// dedupe keeps the last record of each client PK, in the order of those
// last occurrences (PROTOCOL 6.14: only the last one counts).
func dedupe(recs []*Record) []*Record {
	last := make(map[int64]int, len(recs))
	for i, r := range recs {
		last[r.PK] = i
	}
	if len(last) == len(recs) {
		return recs
	}
	out := make([]*Record, 0, len(last))
	for i, r := range recs {
		if last[r.PK] == i {
			out = append(out, r)
		}
	}
	return out
}
