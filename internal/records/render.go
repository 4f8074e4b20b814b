package records

import (
	"fmt"
	"strconv"
	"time"

	"github.com/tabletapi/tabletapi/internal/registry"
)

// kind is how a column's value is shown. The drivers return different Go
// types for the same column (a PostgreSQL DATE is a time.Time, an SQLite
// one text; a BOOLEAN may come back as an integer), so the column's
// declared type decides.
type kind int

const (
	kindPlain   kind = iota // integers, text, date-times as stored
	kindReal                // Python-like shortest form
	kindBool                // true / false
	kindDate                // YYYY-MM-DD
	kindTime                // HH:MM:SS[.ffffff]
	kindInstant             // a server time, RFC 3339 in UTC
	kindBlob                // the blob's length, shown as a size
)

func fieldKind(ft registry.FieldType) kind {
	switch ft {
	case registry.Real:
		return kindReal
	case registry.Boolean:
		return kindBool
	case registry.Date:
		return kindDate
	case registry.Time:
		return kindTime
	case registry.Blob:
		return kindBlob
	}
	return kindPlain
}

// render returns v, as scanned, as text; nil for NULL.
func render(v any, k kind) *string {
	if v == nil {
		return nil
	}
	if b, ok := v.([]byte); ok {
		v = string(b)
	}
	var s string
	switch k {
	case kindReal:
		if f, ok := v.(float64); ok {
			s = strconv.FormatFloat(f, 'g', -1, 64)
		} else {
			s = fmt.Sprint(v)
		}
	case kindBool:
		switch b := v.(type) {
		case bool:
			s = strconv.FormatBool(b)
		case int64:
			s = strconv.FormatBool(b != 0)
		default:
			s = fmt.Sprint(v)
		}
	case kindBlob:
		s = fmt.Sprintf("(%v bytes)", v)
	default:
		if t, ok := v.(time.Time); ok {
			s = renderTime(t, k)
		} else {
			s = fmt.Sprint(v)
		}
	}
	return &s
}

func renderTime(t time.Time, k kind) string {
	switch k {
	case kindDate:
		return t.Format(time.DateOnly)
	case kindTime:
		return t.Format("15:04:05.999999")
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// asInt is v as an integer, for _pk.
func asInt(v any) int64 {
	switch n := v.(type) {
	case int64:
		return n
	case int32:
		return int64(n)
	case int:
		return int64(n)
	}
	return 0
}
