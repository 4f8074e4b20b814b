package sim

import (
	"context"
	"slices"
	"strconv"
	"strings"
)

// multiStep sends steps 6–11 of PROTOCOL 12.3: start_upload,
// start_preservation for the Move methods, upload_empty_tables once if
// there are empty tables, upload_table for each whole table, the recordwise
// blobs, and end_upload.
func (t *Tablet) multiStep(ctx context.Context, method Method, cat *catalogue, res *UploadResult) error {
	if err := t.expect(ctx, "start_upload", nil, "start_upload"); err != nil {
		return err
	}
	if method.Moves() {
		if err := t.expect(ctx, "start_preservation", nil, "STARTPRESERVATION"); err != nil {
			return err
		}
	}
	if len(cat.empty) > 0 {
		p := map[string]string{"tables": strings.Join(cat.empty, ",")}
		if err := t.expect(ctx, "upload_empty_tables", p, "UPLOAD-EMPTY-TABLES"); err != nil {
			return err
		}
	}
	for _, table := range cat.whole {
		if err := t.uploadTable(ctx, table, res); err != nil {
			return err
		}
	}
	for _, table := range cat.recordwise {
		if err := t.uploadRecordwise(ctx, table, res); err != nil {
			return err
		}
	}
	return t.expect(ctx, "end_upload", nil, "end_upload")
}

// uploadTable sends a whole table: all its columns and all its rows.
func (t *Tablet) uploadTable(ctx context.Context, table string, res *UploadResult) error {
	rows, cols := t.tables[table], t.schema.Columns(table)
	p := map[string]string{
		"table": table, "pkname": FieldID, "fields": strings.Join(t.schema.FieldNames(table), ","),
		"nrecords": strconv.Itoa(len(rows)),
	}
	for i, r := range rows {
		p["record"+strconv.Itoa(i)] = r.Record(cols)
	}
	res.RecordsSent += len(rows)
	res.Tables = append(res.Tables, table)
	return t.expect(ctx, "upload_table", p, "Table "+table+" upload successful")
}

// uploadRecordwise sends a table record by record (PROTOCOL 12.3 step 10):
// delete_where_key_not with every local PK, which_keys_to_send with the
// PKs, dates and move-off flags as plain unquoted lists, then upload_record
// for each PK the server asks for, in its order.
func (t *Tablet) uploadRecordwise(ctx context.Context, table string, res *UploadResult) error {
	rows := t.tables[table]
	pks := make([]string, len(rows))
	dates := make([]string, len(rows))
	flags := make([]string, len(rows))
	for i, r := range rows {
		pks[i] = plainText(r[FieldID])
		dates[i] = plainText(r[FieldWLM])
		flags[i] = plainText(r[FieldMoveOff])
	}
	pkvalues := strings.Join(pks, ",")
	p := map[string]string{"table": table, "pkname": FieldID, "pkvalues": pkvalues}
	if err := t.expect(ctx, "delete_where_key_not", p, "Trimmed"); err != nil {
		return err
	}
	r, err := t.do(ctx, "which_keys_to_send", map[string]string{
		"table": table, "pkname": FieldID, "pkvalues": pkvalues,
		"datevalues": strings.Join(dates, ","), "move_off_tablet_values": strings.Join(flags, ","),
	})
	if err != nil {
		return err
	}
	res.WhichKeys = []string{}
	if s := r.Values["result"]; s != "" {
		res.WhichKeys = strings.Split(s, ",")
	}
	want := t.changedKeys(table)
	if !t.unsettled && !slices.Equal(res.WhichKeys, want) {
		return protocolError("which_keys_to_send", "the server asks for %s PKs [%s], want the new and changed ones [%s]",
			table, strings.Join(res.WhichKeys, ","), strings.Join(want, ","))
	}
	fields, cols := strings.Join(t.schema.FieldNames(table), ","), t.schema.Columns(table)
	for _, pk := range res.WhichKeys {
		id, err := strconv.ParseInt(pk, 10, 64)
		i := t.find(table, id)
		if err != nil || i < 0 {
			return protocolError("which_keys_to_send", "the server asks for %s PK %q, which the tablet did not offer", table, pk)
		}
		r, err := t.do(ctx, "upload_record", map[string]string{
			"table": table, "pkname": FieldID, "fields": fields, "values": t.tables[table][i].Record(cols),
		})
		if err != nil {
			return err
		}
		res.RecordsSent++
		got := r.Values["result"]
		res.UploadRecords = append(res.UploadRecords, got)
		want := "UPLOAD-INSERT"
		if _, live := t.model.live[table][id]; live {
			want = "UPLOAD-UPDATE"
		}
		// After an upload of unknown outcome the tablet cannot tell which.
		ok := got == want || t.unsettled && (got == "UPLOAD-INSERT" || got == "UPLOAD-UPDATE")
		if !ok {
			return protocolError("upload_record", "%s PK %d: result:%q, want %s", table, id, got, want)
		}
	}
	if len(res.WhichKeys) > 0 {
		res.Tables = append(res.Tables, table)
	}
	return nil
}

// changedKeys returns, in local order, the PKs of the rows of table that
// the server should ask for when the tablet's record of it is accurate: the
// rows with no live copy, and those whose when_last_modified differs from
// the live copy's (PROTOCOL 6.17 step 6).
func (t *Tablet) changedKeys(table string) []string {
	out := []string{}
	for _, r := range t.tables[table] {
		if live, ok := t.model.live[table][r.ID()]; !ok || live.WLM() != r.WLM() {
			out = append(out, plainText(r[FieldID]))
		}
	}
	return out
}
