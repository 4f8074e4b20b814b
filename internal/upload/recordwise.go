package upload

import (
	"context"

	"github.com/tabletapi/tabletapi/internal/codec"
	"github.com/tabletapi/tabletapi/internal/registry"
)

// UploadRecord is upload_record (PROTOCOL 6.15).
func (e *Engine) UploadRecord(ctx context.Context, c *Call) (string, error) {
	t, err := e.tableParam(c)
	if err != nil {
		return "", err
	}
	if err := pknameParam(c, t); err != nil {
		return "", err
	}
	fields, err := fieldsParam(c, t)
	if err != nil {
		return "", err
	}
	raw, err := mandatory(c, "values")
	if err != nil {
		return "", err
	}
	values := codec.Decode(raw)
	if len(values) != len(fields) {
		return "", userErrorf("Number of fields (%d) doesn't match number of values (%d)", len(fields), len(values))
	}
	rec, err := newRecord(t, fields, values, 0)
	if err != nil {
		return "", err
	}
	b, err := e.begin(ctx, c)
	if err != nil {
		return "", err
	}
	if err := e.rollbackRows(ctx, c, t, []int64{rec.PK}); err != nil {
		return "", err
	}
	live, err := liveRows(ctx, c, t, []int64{rec.PK})
	if err != nil {
		return "", err
	}
	o, err := e.processRecords(ctx, c, b, t, []*Record{rec}, live, false)
	if err != nil {
		return "", err
	}
	if o.changed() {
		if err := e.markDirty(ctx, c, t); err != nil {
			return "", err
		}
	}
	if o.alreadyReceived > 0 {
		if err := e.setAlreadyReceived(ctx, c, b); err != nil {
			return "", err
		}
	}
	if live[rec.PK] == nil && o.alreadyReceived == 0 {
		return "UPLOAD-INSERT", nil
	}
	return "UPLOAD-UPDATE", nil
}

// clientPKs decodes a CSV of client PKs; each must be an integer.
func clientPKs(raw string) ([]int64, error) {
	values := codec.Decode(raw)
	pks := make([]int64, len(values))
	for i, v := range values {
		if v.Kind != codec.KindInt {
			return nil, badClientPK(v)
		}
		pks[i] = v.Int
	}
	return pks, nil
}

// DeleteWhereKeyNot is delete_where_key_not (PROTOCOL 6.16).
func (e *Engine) DeleteWhereKeyNot(ctx context.Context, c *Call) (string, error) {
	t, err := e.tableParam(c)
	if err != nil {
		return "", err
	}
	if err := pknameParam(c, t); err != nil {
		return "", err
	}
	raw, err := mandatory(c, "pkvalues")
	if err != nil {
		return "", err
	}
	pks, err := clientPKs(raw)
	if err != nil {
		return "", err
	}
	b, err := e.begin(ctx, c)
	if err != nil {
		return "", err
	}
	if _, err := e.trim(ctx, c, b, t, pks); err != nil {
		return "", err
	}
	return "Trimmed", nil
}

// trim flags delete-later D's live rows of t whose client PK is not in
// pks, and marks t dirty if any was flagged.
func (e *Engine) trim(ctx context.Context, c *Call, b *batch, t *registry.Table, pks []int64) (map[int64]*liveRow, error) {
	live, err := liveRows(ctx, c, t, nil)
	if err != nil {
		return nil, err
	}
	keep := make(map[int64]bool, len(pks))
	for _, pk := range pks {
		keep[pk] = true
	}
	flagged, err := e.flagMissing(ctx, c, b, t, live, keep, false)
	if err != nil {
		return nil, err
	}
	if len(flagged) > 0 {
		return live, e.markDirty(ctx, c, t)
	}
	return live, nil
}
