package upload

import (
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"math"
	"strconv"
	"time"

	"github.com/tabletapi/tabletapi/internal/registry"
	"github.com/tabletapi/tabletapi/internal/sqldb"
)

// copyInsert inserts rows into t with COPY … FROM STDIN (PostgreSQL), the
// cheapest way to load rows: about half the server time of an INSERT from
// unnest of arrays, itself a third of a multi-row VALUES (BENCHMARKS.md,
// F2 and F7). COPY returns nothing, so each row's _pk is taken from t's
// sequence first, as an INSERT would have taken it.
func (e *Engine) copyInsert(ctx context.Context, c *Call, b *batch, t *registry.Table,
	fields []registry.Field, rows []newRow, addUUID, oneStep bool,
) (map[int64]int64, error) {
	pks, err := reservePKs(ctx, c, t, len(rows))
	if err != nil {
		return nil, err
	}
	consts, constVals := constantColumns(c, b, oneStep)
	var tail []byte
	for _, v := range constVals {
		tail = appendCopyValue(append(tail, '\t'), v)
	}
	r := &copyReader{rows: rows, pks: pks, fields: fields, addUUID: addUUID, tail: append(tail, '\n')}
	q := "COPY " + ident(t.Name) + " (_pk, " + columnList(fields, consts) + ") FROM STDIN"
	if err := sqldb.CopyFrom(ctx, c.Tx.Conn, r, q); err != nil {
		return nil, fmt.Errorf("upload: copy into %s: %w", t.Name, err)
	}
	out := make(map[int64]int64, len(rows))
	for i, row := range rows {
		out[row.rec.PK] = pks[i]
	}
	return out, nil
}

// reservePKs takes n values from the sequence of t's _pk.
func reservePKs(ctx context.Context, c *Call, t *registry.Table, n int) ([]int64, error) {
	pks := make([]int64, 0, n)
	if err := c.Tx.NewRaw("SELECT nextval(pg_get_serial_sequence(?, '_pk')) FROM generate_series(1, ?)",
		ident(t.Name), n).Scan(ctx, &pks); err != nil {
		return nil, fmt.Errorf("upload: reserve _pk for %s: %w", t.Name, err)
	}
	if len(pks) != n {
		return nil, fmt.Errorf("upload: reserve _pk for %s: got %d of %d", t.Name, len(pks), n)
	}
	return pks, nil
}

// copyReader streams rows in COPY's text format, a few rows at a time, so
// that a table of any size is never encoded whole in memory.
type copyReader struct {
	rows    []newRow
	pks     []int64
	fields  []registry.Field
	addUUID bool
	tail    []byte // the constant columns, encoded once, with the newline
	next    int    // the next row to encode
	buf     []byte
	off     int
}

func (r *copyReader) Read(p []byte) (int, error) {
	for r.off == len(r.buf) {
		if r.next == len(r.rows) {
			return 0, io.EOF
		}
		r.buf, r.off = r.buf[:0], 0
		for r.next < len(r.rows) && len(r.buf) < 32<<10 {
			r.buf = strconv.AppendInt(r.buf, r.pks[r.next], 10)
			for _, v := range rowValues(r.rows[r.next], r.fields, r.addUUID) {
				r.buf = appendCopyValue(append(r.buf, '\t'), v)
			}
			r.buf = append(r.buf, r.tail...)
			r.next++
		}
	}
	n := copy(p, r.buf[r.off:])
	r.off += n
	return n, nil
}

// appendCopyValue appends v as one column of COPY's text format: \N for
// NULL, and text with backslash, tab, newline and carriage return escaped.
// Text never holds a NUL byte: records with one are refused before here.
func appendCopyValue(b []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, `\N`...)
	case int64:
		return strconv.AppendInt(b, x, 10)
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return append(b, `\N`...)
		}
		return strconv.AppendFloat(b, x, 'g', -1, 64)
	case bool:
		if x {
			return append(b, 't')
		}
		return append(b, 'f')
	case string:
		return appendCopyText(b, x)
	case []byte:
		// bytea's hex input \x…, its backslash escaped for COPY.
		return hex.AppendEncode(append(b, `\\x`...), x)
	case time.Time:
		return x.UTC().AppendFormat(b, "2006-01-02 15:04:05.999999-07:00")
	}
	panic(fmt.Sprintf("upload: no COPY text for %T", v))
}

func appendCopyText(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			b = append(b, `\\`...)
		case '\t':
			b = append(b, `\t`...)
		case '\n':
			b = append(b, `\n`...)
		case '\r':
			b = append(b, `\r`...)
		default:
			b = append(b, c)
		}
	}
	return b
}
