package upload

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/uptrace/bun/schema"
)

// literalSQL builds a statement whose values are written as SQL literals
// by the dialect, for multi-row statements that would be slow to format
// from thousands of placeholder arguments. It is sent to the driver as is.
type literalSQL struct {
	d schema.Dialect
	b []byte
}

func newLiteralSQL(d schema.Dialect, prefix string) *literalSQL {
	return &literalSQL{d: d, b: append(make([]byte, 0, 4096), prefix...)}
}

func (q *literalSQL) raw(s string) *literalSQL { q.b = append(q.b, s...); return q }

// value appends v as a literal. Strings with a NUL byte cannot be stored
// and are refused before they get here.
func (q *literalSQL) value(v any) *literalSQL {
	switch x := v.(type) {
	case nil:
		q.b = append(q.b, "NULL"...)
	case int64:
		q.b = strconv.AppendInt(q.b, x, 10)
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			q.b = append(q.b, "NULL"...)
		} else {
			q.b = strconv.AppendFloat(q.b, x, 'g', -1, 64)
		}
	case bool:
		q.b = q.d.AppendBool(q.b, x)
	case string:
		q.b = q.d.AppendString(q.b, x)
	case []byte:
		if x == nil {
			x = []byte{}
		}
		q.b = q.d.AppendBytes(q.b, x)
	case time.Time:
		q.b = q.d.AppendTime(q.b, x)
	default:
		panic(fmt.Sprintf("upload: no literal for %T", v))
	}
	return q
}

func (q *literalSQL) String() string { return string(q.b) }
