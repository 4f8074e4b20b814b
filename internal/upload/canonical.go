package upload

import (
	"strconv"
	"time"

	"github.com/tabletapi/tabletapi/internal/codec"
	"github.com/tabletapi/tabletapi/internal/registry"
)

// nullMark is the canonical form of NULL; no real value produces it.
const nullMark = "\x00NULL"

// canonical writes a value, as converted from a record or as read from
// either database, in one form per field type, so that a stored row and an
// incoming record can be compared (PROTOCOL 8.4.2, already received).
// Date-times compare by instant (7.6). Times of day compare by their
// normalised form (codec.Time.String): a record sent with '10:00:00' and
// again with '10:00:00.000000' is unchanged, and PostgreSQL, which returns
// a TIME as "10:00:00.5", agrees with SQLite, which keeps the normalised
// text itself.
func canonical(v any, ft registry.FieldType) string {
	if v == nil {
		return nullMark
	}
	switch ft {
	case registry.Integer:
		return strconv.FormatInt(asInt(v), 10)
	case registry.Real:
		switch x := v.(type) {
		case float64:
			return strconv.FormatFloat(x, 'g', -1, 64)
		case float32:
			return strconv.FormatFloat(float64(x), 'g', -1, 32)
		case int64:
			return strconv.FormatFloat(float64(x), 'g', -1, 64)
		}
	case registry.Boolean:
		switch x := v.(type) {
		case bool:
			if x {
				return "1"
			}
			return "0"
		default:
			if asInt(v) != 0 {
				return "1"
			}
			return "0"
		}
	case registry.Date:
		switch x := v.(type) {
		case time.Time:
			return x.Format("2006-01-02")
		case codec.Date:
			return x.String()
		}
	case registry.DateTime:
		switch x := v.(type) {
		case codec.DateTime:
			return strconv.FormatInt(x.Time().UnixMicro(), 10)
		case string:
			if dt, err := codec.ParseDateTime(x); err == nil {
				return strconv.FormatInt(dt.Time().UnixMicro(), 10)
			}
		case []byte:
			if dt, err := codec.ParseDateTime(string(x)); err == nil {
				return strconv.FormatInt(dt.Time().UnixMicro(), 10)
			}
		}
	case registry.Time:
		switch x := v.(type) {
		case codec.Time:
			return x.String()
		case string:
			if t, err := codec.ParseTime(x); err == nil {
				return t.String()
			}
		case []byte:
			if t, err := codec.ParseTime(string(x)); err == nil {
				return t.String()
			}
		}
	}
	switch x := v.(type) {
	case string:
		return x
	case []byte:
		return string(x)
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	}
	return "?"
}

// dbValue turns a converted record value into a value bun can write.
func dbValue(v any) any {
	switch x := v.(type) {
	case codec.DateTime:
		return x.String()
	case codec.Date:
		return x.String()
	case codec.Time:
		return x.String()
	}
	return v
}
