package upload

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"

	"github.com/tabletapi/tabletapi/internal/codec"
	"github.com/tabletapi/tabletapi/internal/registry"
)

// oneStep is a parsed upload_entire_database request: steps 1–6 of
// PROTOCOL 8.8 passed, and each known table's rows still raw JSON (views of
// the request body), so that only one table's records are ever converted
// and held at a time.
type oneStep struct {
	finalizing bool
	rows       map[string][][]byte // raw rows of each table that has rows
	pkNames    map[string]string
}

// parseOneStep validates the parameters of upload_entire_database
// (PROTOCOL 8.8 steps 1–6) without touching the database. Step 7 is
// oneStep.records, table by table.
func (e *Engine) parseOneStep(c *Call) (*oneStep, error) {
	finalizing, err := intParam(c, "finalizing")
	if err != nil {
		return nil, err
	}
	pkRaw, err := mandatory(c, "pknameinfo")
	if err != nil {
		return nil, err
	}
	dbRaw, err := mandatory(c, "dbdata")
	if err != nil {
		return nil, err
	}
	pkBytes, dbBytes := readOnlyBytes(pkRaw), readOnlyBytes(dbRaw)
	if !json.Valid(pkBytes) {
		return nil, userErrorf("Bad JSON for key 'pknameinfo'")
	}
	pkInfo := map[string][]byte{}
	if !objectMembers(pkBytes, func(k string, v []byte) { pkInfo[k] = v }) {
		return nil, userErrorf("PK name info JSON is not a dict")
	}
	if !json.Valid(dbBytes) {
		return nil, userErrorf("Bad JSON for key 'dbdata'")
	}
	dbData := map[string][]byte{}
	if !objectMembers(dbBytes, func(k string, v []byte) { dbData[k] = v }) {
		return nil, userErrorf("Database data JSON is not a dict")
	}
	names := make([]string, 0, len(dbData))
	for name := range dbData {
		if _, ok := pkInfo[name]; !ok {
			return nil, userErrorf("Table names don't match from (1) DB data (2) PK info")
		}
		names = append(names, name)
	}
	if len(pkInfo) != len(dbData) {
		return nil, userErrorf("Table names don't match from (1) DB data (2) PK info")
	}
	slices.Sort(names)

	// Step 5: shape.
	p := &oneStep{finalizing: finalizing != 0, rows: map[string][][]byte{}, pkNames: map[string]string{}}
	for _, name := range names {
		r, ok := tableRows(dbData[name])
		pk, pkOK := pkName(pkInfo[name])
		if !ok || !pkOK {
			return nil, userErrorf("Bad database data for table '%s'", name)
		}
		if len(r) > 0 {
			p.rows[name] = r
		}
		p.pkNames[name] = pk
	}
	// Step 6: unknown tables are ignored when empty (C9).
	var unknown []string
	for _, name := range names {
		if _, ok := e.reg.Table(name); !ok && len(p.rows[name]) > 0 {
			unknown = append(unknown, codec.Repr(name))
		}
	}
	if len(unknown) > 0 {
		return nil, userErrorf("Attempt to upload nonexistent tables: [%s]", strings.Join(unknown, ", "))
	}
	return p, nil
}

// records applies step 7 of PROTOCOL 8.8 to table t: the checks of the
// table, then its rows converted to records (none if it has no rows).
func (p *oneStep) records(e *Engine, c *Call, t *registry.Table) ([]*Record, error) {
	tr := p.rows[t.Name]
	if len(tr) == 0 {
		return nil, nil
	}
	if _, err := e.table(c, t.Name); err != nil {
		return nil, err
	}
	if p.pkNames[t.Name] == "" {
		return nil, userErrorf("Client-side PK name not specified by client for non-empty table '%s'", t.Name)
	}
	if err := pkname(t, p.pkNames[t.Name]); err != nil {
		return nil, err
	}
	conv := &rowConverter{t: t}
	recs := make([]*Record, 0, len(tr))
	for i, raw := range tr {
		rec, err := conv.record(raw, i)
		if err != nil {
			return nil, err
		}
		recs = append(recs, rec)
	}
	return dedupe(recs), nil
}

// check applies step 7 to tables, in order, and returns the first error.
// A failure after the device was locked defers to it: validation comes
// before any write (PROTOCOL 8.8), so its errors win.
func (p *oneStep) check(e *Engine, c *Call, tables []*registry.Table) error {
	for _, t := range tables {
		if _, err := p.records(e, c, t); err != nil {
			return err
		}
	}
	return nil
}

// tableRows checks that a dbdata value is an array of objects, "" or
// null (the last two: no rows).
func tableRows(raw []byte) ([][]byte, bool) {
	raw = bytes.TrimSpace(raw)
	if bytes.Equal(raw, []byte("null")) || bytes.Equal(raw, []byte(`""`)) {
		return nil, true
	}
	rows, ok := arrayElements(raw)
	if !ok {
		return nil, false
	}
	for _, r := range rows {
		if len(r) == 0 || r[0] != '{' {
			return nil, false
		}
	}
	return rows, true
}

// pkName reads a pknameinfo value: a string, or null for "".
func pkName(raw []byte) (string, bool) {
	if bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return "", true
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return "", false
	}
	return s, true
}

// rowConverter converts the dbdata rows of one table. It walks each row's
// JSON in place (no map, no decoder), reuses its scratch space from row to
// row, and lets records that send the same fields share one field list:
// one-step bodies hold tens of thousands of rows (BENCHMARKS.md, F4).
type rowConverter struct {
	t      *registry.Table
	cells  []cell
	fields []registry.Field // scratch
	values []codec.Value    // scratch
	shared []registry.Field // the field list of the previous record
}

type cell struct {
	key string
	val []byte
}

// record converts one row: every key is a checked field name, and every
// cell a JSON string holding one SQL literal, null, or a number.
func (rc *rowConverter) record(raw []byte, index int) (*Record, error) {
	t := rc.t
	rc.cells = rc.cells[:0]
	if !objectMembers(raw, func(k string, v []byte) { rc.cells = append(rc.cells, cell{k, v}) }) {
		return nil, userErrorf("Bad database data for table '%s'", t.Name)
	}
	// Checked in key order; a repeated key keeps its last value, as a JSON
	// decoder would. The client sends its keys sorted.
	byKey := func(a, b cell) int { return strings.Compare(a.key, b.key) }
	if !slices.IsSortedFunc(rc.cells, byKey) {
		slices.SortStableFunc(rc.cells, byKey)
	}
	rc.fields, rc.values = rc.fields[:0], rc.values[:0]
	for i, c := range rc.cells {
		if i+1 < len(rc.cells) && rc.cells[i+1].key == c.key {
			continue
		}
		f, err := field(t, c.key)
		if err != nil {
			return nil, err
		}
		v, ok := cellValue(c.val)
		if !ok {
			return nil, codec.InvalidValueError(t.Name, f.Name, index, string(c.val))
		}
		rc.fields = append(rc.fields, f)
		rc.values = append(rc.values, v)
	}
	if !slices.Equal(rc.fields, rc.shared) {
		rc.shared = slices.Clone(rc.fields)
	}
	return newRecord(t, rc.shared, rc.values, index)
}

// cellValue decodes one dbdata cell: a JSON string is one SQL literal, null
// is NULL, a number is an integer or a real; anything else is refused.
func cellValue(v []byte) (codec.Value, bool) {
	switch {
	case len(v) == 0:
		return codec.Value{}, false
	case v[0] == 'n':
		return codec.Value{Kind: codec.KindNull, Raw: "null"}, true
	case v[0] == '"':
		var s string
		if bytes.IndexByte(v, '\\') < 0 {
			s = view(v[1 : len(v)-1]) // the body outlives the records
		} else if json.Unmarshal(v, &s) != nil {
			return codec.Value{}, false
		}
		return codec.Classify(strings.TrimSpace(s)), true
	case v[0] == '-' || (v[0] >= '0' && v[0] <= '9'):
		return codec.Classify(view(v)), true
	}
	return codec.Value{}, false
}
