package codec

import (
	"bytes"
	"encoding/base64"
	"math"
	"strconv"
)

// EncodeList returns the literals that the client reads back as vs, joined
// by "," without spaces (PROTOCOL.md, 7.3): NULL; an integer in decimal; a
// real in decimal notation that always has a '.' and never an exponent,
// with the shortest digits that give back the same float64 (67.0, 1.83,
// 100000000000000000000.0); text newline-escaped and quoted; bytes as
// 64'base64'. It is the one encoder of server-to-client literals: the
// records of a SELECT block (PROTOCOL.md, 6.1) are written with it.
//
// The client cannot read NaN or ±Inf, so such a real is encoded as NULL,
// which is also how they are stored. A Value of an unknown Kind is NULL. Raw
// is ignored.
func EncodeList(vs []Value) string {
	n := len(vs)
	for _, v := range vs {
		n += sizeHint(v)
	}
	buf := make([]byte, 0, n)
	for i, v := range vs {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = appendValue(buf, v)
	}
	return string(buf)
}

// sizeHint returns about how long the literal of v is, so that one
// allocation is usually enough.
func sizeHint(v Value) int {
	switch v.Kind {
	case KindText:
		return len(v.Text) + 2
	case KindBytes:
		return base64.StdEncoding.EncodedLen(len(v.Bytes)) + 4
	}
	return 24
}

// appendValue appends the literal of v to dst.
func appendValue(dst []byte, v Value) []byte {
	switch v.Kind {
	case KindInt:
		return strconv.AppendInt(dst, v.Int, 10)
	case KindReal:
		if math.IsNaN(v.Real) || math.IsInf(v.Real, 0) {
			break
		}
		n := len(dst)
		dst = strconv.AppendFloat(dst, v.Real, 'f', -1, 64)
		if bytes.IndexByte(dst[n:], '.') < 0 {
			dst = append(dst, '.', '0')
		}
		return dst
	case KindText:
		return appendQuoted(dst, v.Text)
	case KindBytes:
		dst = append(dst, "64'"...)
		dst = base64.StdEncoding.AppendEncode(dst, v.Bytes)
		return append(dst, '\'')
	}
	return append(dst, "NULL"...)
}
