package sim

import (
	"encoding/hex"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/tabletapi/tabletapi/internal/registry"
	"github.com/tabletapi/tabletapi/testclient"
)

// sentValue is what the server must store for a local value: the value
// encoded as the client sends it (so a real keeps 6 significant digits),
// decoded as the server decodes it (PROTOCOL 7.2) and converted to the
// field's type (7.5), written as canonical text.
func sentValue(ft registry.FieldType, v testclient.Value) string {
	d := testclient.DecodeLiteral(testclient.EncodeLiteral(v))
	switch {
	case d.Kind == testclient.KindNull:
		return "NULL"
	case ft == registry.Integer && d.Kind == testclient.KindReal && d.Real == math.Trunc(d.Real):
		return canonical(ft, int64(d.Real))
	case ft == registry.Real && d.Kind == testclient.KindInt:
		return canonical(ft, float64(d.Int))
	case ft == registry.Real && (math.IsNaN(d.Real) || math.IsInf(d.Real, 0)):
		return "NULL"
	case ft == registry.Boolean && d.Kind == testclient.KindInt:
		return canonical(ft, d.Int != 0)
	case d.Kind == testclient.KindInt:
		return canonical(ft, d.Int)
	case d.Kind == testclient.KindReal:
		return canonical(ft, d.Real)
	case d.Kind == testclient.KindText:
		return canonical(ft, d.Text)
	}
	return canonical(ft, d.Bytes)
}

// timeOfDay is the canonical form of a time field.
const timeOfDay = "15:04:05.000000"

// canonical writes a value read from the database, or converted from a
// sent one, as text that is equal for equal values of a field of type ft:
// date-times as their UTC instant in microseconds, dates as YYYY-MM-DD,
// times of day as HH:MM:SS.ffffff (PostgreSQL returns TIME as the text
// HH:MM:SS[.ffffff], SQLite holds text), booleans as true/false, integers
// and reals in Go's shortest form, BLOBs in hex.
func canonical(ft registry.FieldType, v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case []byte:
		if ft == registry.Blob {
			return "x" + hex.EncodeToString(x)
		}
		return canonical(ft, string(x))
	case bool:
		return strconv.FormatBool(x)
	case int64:
		switch ft {
		case registry.Boolean:
			return strconv.FormatBool(x != 0)
		case registry.Real:
			return canonical(ft, float64(x))
		}
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case time.Time:
		switch ft {
		case registry.Date:
			return x.Format(time.DateOnly)
		case registry.Time:
			return x.Format(timeOfDay)
		}
		return x.UTC().Format("2006-01-02T15:04:05.000000Z")
	case string:
		switch ft {
		case registry.DateTime:
			if t, err := time.Parse(time.RFC3339Nano, x); err == nil {
				return canonical(ft, t)
			}
		case registry.Time:
			if t, err := time.Parse("15:04:05.999999999", x); err == nil {
				return canonical(ft, t)
			}
		}
		return strconv.Quote(x)
	}
	return fmt.Sprintf("%T %v", v, v)
}

// canonicalRow writes the compared fields of a row (all columns but
// _move_off_tablet, which the server clears on preservation and which the
// client changes without a new when_last_modified) from values by name.
func canonicalRow(cols []Column, value func(Column) string) []string {
	var out []string
	for _, c := range cols {
		if c.Name != FieldMoveOff {
			out = append(out, c.Name+"="+value(c))
		}
	}
	return out
}
