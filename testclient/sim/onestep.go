package sim

import (
	"context"
	"strconv"
)

// oneStep sends upload_entire_database (PROTOCOL 12.3 step 6, 8.8): every
// local table, the empty ones and the ones the server lacks included, in
// both pknameinfo and dbdata, every cell as its literal.
func (t *Tablet) oneStep(ctx context.Context, method Method, res *UploadResult) error {
	pk := map[string]string{}
	data := map[string][]map[string]string{}
	for _, table := range t.schema.TableNames() {
		pk[table] = FieldID
		rows := []map[string]string{}
		for _, r := range t.tables[table] {
			rows = append(rows, r.Object(t.schema.Columns(table)))
		}
		data[table] = rows
		res.RecordsSent += len(rows)
		if len(rows) > 0 {
			res.Tables = append(res.Tables, table)
		}
	}
	pkJSON, err := compactJSON(pk)
	if err != nil {
		return localError("upload_entire_database", "%v", err)
	}
	dataJSON, err := compactJSON(data)
	if err != nil {
		return localError("upload_entire_database", "%v", err)
	}
	finalizing := 0
	if method.Moves() {
		finalizing = 1
	}
	return t.expect(ctx, "upload_entire_database", map[string]string{
		"finalizing": strconv.Itoa(finalizing), "pknameinfo": pkJSON, "dbdata": dataJSON,
	}, "Success")
}
