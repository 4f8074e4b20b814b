package upload

import (
	"encoding/hex"
	"math"
	"strconv"
	"strings"
	"time"
)

// pgArrayLiteral writes values as the text of a PostgreSQL array literal
// ({…}), to be cast to the column's array type: NULL unquoted, every other
// element double-quoted with " and \ escaped by a backslash. The result is
// then written as an ordinary SQL string literal.
func pgArrayLiteral(values []any) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, v := range values {
		if i > 0 {
			b.WriteByte(',')
		}
		text, null := pgElementText(v)
		if null {
			b.WriteString("NULL")
			continue
		}
		b.WriteByte('"')
		for j := 0; j < len(text); j++ {
			if text[j] == '"' || text[j] == '\\' {
				b.WriteByte('\\')
			}
			b.WriteByte(text[j])
		}
		b.WriteByte('"')
	}
	b.WriteByte('}')
	return b.String()
}

// pgElementText is an element's input text for its PostgreSQL type.
func pgElementText(v any) (string, bool) {
	switch x := v.(type) {
	case nil:
		return "", true
	case int64:
		return strconv.FormatInt(x, 10), false
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return "", true
		}
		return strconv.FormatFloat(x, 'g', -1, 64), false
	case bool:
		if x {
			return "t", false
		}
		return "f", false
	case string:
		return x, false
	case []byte:
		return `\x` + hex.EncodeToString(x), false
	case time.Time:
		return x.UTC().Format("2006-01-02 15:04:05.999999-07:00"), false
	}
	panic("upload: no array element for value")
}
