package sim

import (
	"encoding/hex"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/tabletapi/tabletapi/testclient"
)

// sentValue is what the server must store for a local value: the value
// encoded as the client sends it (so a real keeps 6 significant digits),
// decoded as the server decodes it (PROTOCOL 7.2) and converted to the
// field's type (7.5), written as canonical text.
func sentValue(ft FieldType, v testclient.Value) string {
	d := testclient.DecodeLiteral(testclient.EncodeLiteral(v))
	switch {
	case d.Kind == testclient.KindNull:
		return "NULL"
	case ft == Integer && d.Kind == testclient.KindReal && d.Real == math.Trunc(d.Real):
		return canonical(ft, int64(d.Real))
	case ft == Real && d.Kind == testclient.KindInt:
		return canonical(ft, float64(d.Int))
	case ft == Real && (math.IsNaN(d.Real) || math.IsInf(d.Real, 0)):
		return "NULL"
	case ft == Boolean && d.Kind == testclient.KindInt:
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

// canonical writes a value read from the database, or converted from a
// sent one, as text that is equal for equal values of a field of type ft:
// date-times as their UTC instant in microseconds, dates as YYYY-MM-DD,
// times of day as HH:MM:SS.ffffff (PostgreSQL returns a TIME with its
// fraction's trailing zeros cut, SQLite the text the server stored),
// booleans as true/false, integers and reals in Go's shortest form, BLOBs
// in hex.
func canonical(ft FieldType, v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case []byte:
		if ft == Blob {
			return "x" + hex.EncodeToString(x)
		}
		return canonical(ft, string(x))
	case bool:
		return strconv.FormatBool(x)
	case int64:
		switch ft {
		case Boolean:
			return strconv.FormatBool(x != 0)
		case Real:
			return canonical(ft, float64(x))
		}
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case time.Time:
		if ft == Date {
			return x.Format(time.DateOnly)
		}
		return x.UTC().Format("2006-01-02T15:04:05.000000Z")
	case string:
		if ft == Time {
			return strconv.Quote(timeOfDay(x))
		}
		if ft == DateTime {
			if t, err := time.Parse(time.RFC3339Nano, x); err == nil {
				return canonical(ft, t)
			}
		}
		return strconv.Quote(x)
	}
	return fmt.Sprintf("%T %v", v, v)
}

// timeOfDay writes a time HH:MM:SS[.f…] with exactly six fraction digits,
// so that equal times of day give equal text. Anything else is returned
// as it is, so that it compares unequal to every valid time.
func timeOfDay(s string) string {
	base, frac, _ := strings.Cut(s, ".")
	if len(base) != 8 || len(frac) > 6 {
		return s
	}
	return base + "." + frac + strings.Repeat("0", 6-len(frac))
}

// canonicalRow writes the compared fields of a row (all but
// _move_off_tablet, which the server clears on preservation and which the
// client changes without a new when_last_modified) from values by name.
func canonicalRow(table string, value func(Column) string) []string {
	var out []string
	for _, c := range Columns(table) {
		if c.Name != FieldMoveOff {
			out = append(out, c.Name+"="+value(c))
		}
	}
	return out
}
