package upload

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"

	"github.com/tabletapi/tabletapi/internal/codec"
	"github.com/tabletapi/tabletapi/internal/registry"
)

// parseOneStep validates the parameters of upload_entire_database
// (PROTOCOL 8.8 steps 1–7) without touching the database, and returns the
// finalizing flag and the records of each known table that has rows.
func (e *Engine) parseOneStep(c *Call) (bool, map[string][]*Record, error) {
	finalizing, err := intParam(c, "finalizing")
	if err != nil {
		return false, nil, err
	}
	pkRaw, err := mandatory(c, "pknameinfo")
	if err != nil {
		return false, nil, err
	}
	dbRaw, err := mandatory(c, "dbdata")
	if err != nil {
		return false, nil, err
	}
	pkBytes, dbBytes := readOnlyBytes(pkRaw), readOnlyBytes(dbRaw)
	if !json.Valid(pkBytes) {
		return false, nil, userErrorf("Bad JSON for key 'pknameinfo'")
	}
	pkInfo := map[string][]byte{}
	if !objectMembers(pkBytes, func(k string, v []byte) { pkInfo[k] = v }) {
		return false, nil, userErrorf("PK name info JSON is not a dict")
	}
	if !json.Valid(dbBytes) {
		return false, nil, userErrorf("Bad JSON for key 'dbdata'")
	}
	dbData := map[string][]byte{}
	if !objectMembers(dbBytes, func(k string, v []byte) { dbData[k] = v }) {
		return false, nil, userErrorf("Database data JSON is not a dict")
	}
	names := make([]string, 0, len(dbData))
	for name := range dbData {
		if _, ok := pkInfo[name]; !ok {
			return false, nil, userErrorf("Table names don't match from (1) DB data (2) PK info")
		}
		names = append(names, name)
	}
	if len(pkInfo) != len(dbData) {
		return false, nil, userErrorf("Table names don't match from (1) DB data (2) PK info")
	}
	slices.Sort(names)

	// Step 5: shape. Rows stay as raw objects (views of the request) until
	// step 7.
	rows := map[string][][]byte{}
	pkNames := map[string]string{}
	for _, name := range names {
		r, ok := tableRows(dbData[name])
		pk, pkOK := pkName(pkInfo[name])
		if !ok || !pkOK {
			return false, nil, userErrorf("Bad database data for table '%s'", name)
		}
		rows[name], pkNames[name] = r, pk
	}
	// Step 6: unknown tables are ignored when empty (C9).
	var unknown []string
	for _, name := range names {
		if _, ok := e.reg.Table(name); !ok && len(rows[name]) > 0 {
			unknown = append(unknown, codec.Repr(name))
		}
	}
	if len(unknown) > 0 {
		return false, nil, userErrorf("Attempt to upload nonexistent tables: [%s]", strings.Join(unknown, ", "))
	}
	// Step 7: known tables with rows, in commit order.
	out := map[string][]*Record{}
	for _, t := range e.reg.Tables() {
		tr := rows[t.Name]
		if len(tr) == 0 {
			continue
		}
		if _, err := e.table(c, t.Name); err != nil {
			return false, nil, err
		}
		if pkNames[t.Name] == "" {
			return false, nil, userErrorf("Client-side PK name not specified by client for non-empty table '%s'", t.Name)
		}
		if err := pkname(t, pkNames[t.Name]); err != nil {
			return false, nil, err
		}
		recs := make([]*Record, 0, len(tr))
		for i, raw := range tr {
			rec, err := oneStepRecord(t, raw, i)
			if err != nil {
				return false, nil, err
			}
			recs = append(recs, rec)
		}
		out[t.Name] = dedupe(recs)
		delete(rows, t.Name) // let the raw JSON go as soon as it is converted
	}
	return finalizing != 0, out, nil
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

// oneStepRecord converts one dbdata row: every key is a checked field
// name, and every cell a JSON string holding one SQL literal, null, or a
// number. It walks the row's JSON in place (no map, no decoder): one-step
// bodies hold tens of thousands of rows.
func oneStepRecord(t *registry.Table, raw []byte, index int) (*Record, error) {
	type cell struct {
		key string
		val []byte
	}
	var cells []cell
	if !objectMembers(raw, func(k string, v []byte) { cells = append(cells, cell{k, v}) }) {
		return nil, userErrorf("Bad database data for table '%s'", t.Name)
	}
	// Checked in key order; a repeated key keeps its last value, as a JSON
	// decoder would.
	slices.SortStableFunc(cells, func(a, b cell) int { return strings.Compare(a.key, b.key) })
	fields := make([]registry.Field, 0, len(cells))
	values := make([]codec.Value, 0, len(cells))
	for i, c := range cells {
		if i+1 < len(cells) && cells[i+1].key == c.key {
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
		fields = append(fields, f)
		values = append(values, v)
	}
	return newRecord(t, fields, values, index)
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
			s = string(v[1 : len(v)-1])
		} else if json.Unmarshal(v, &s) != nil {
			return codec.Value{}, false
		}
		return codec.Classify(strings.TrimSpace(s)), true
	case v[0] == '-' || (v[0] >= '0' && v[0] <= '9'):
		return codec.Classify(string(v)), true
	}
	return codec.Value{}, false
}
