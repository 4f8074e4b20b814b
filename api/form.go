package api

import (
	"bytes"
	"fmt"
	"mime"
	"net/url"
	"unicode/utf8"

	"github.com/tabletapi/tabletapi/tabletsession"
)

// decodeForm decodes a request body into its parameters (PROTOCOL 1.2).
// Only the parameters some operation reads are kept (tabletsession.Form),
// so the work is linear in the body and the memory bounded by it, whatever
// the body holds. An undecodable body yields an empty form and the reason,
// so the request fails 2.2 with the plain 400.
//
// The form's record index is taken from l, as the body was; past the
// budget the error is errBodiesBusy.
func decodeForm(contentType string, body []byte, l *lease) (*tabletsession.Form, error) {
	f := tabletsession.NewForm(len(body), func(n int) bool { return l.take(int64(n)) })
	mt, params, err := mime.ParseMediaType(contentType)
	switch {
	case err != nil:
		err = fmt.Errorf("content type %q: %w", contentType[:min(len(contentType), 100)], err)
	case mt == "application/x-www-form-urlencoded":
		err = parseURLEncoded(f, body)
	case mt == "multipart/form-data":
		err = parseMultipart(f, body, params["boundary"])
	default:
		err = fmt.Errorf("unsupported content type %q", mt[:min(len(mt), 100)])
	}
	if err == nil && f.Refused() {
		err = errBodiesBusy
	}
	if err != nil {
		return tabletsession.NewForm(0, nil), err
	}
	return f, nil
}

// parseURLEncoded decodes an application/x-www-form-urlencoded body into f,
// in place: each kept value is written back into body and handed to f as a
// view of it, so a one-step upload of tens of MiB is held once, not twice
// (BENCHMARKS.md, F6b). A pair's key is decoded just before its value, and
// decoding never makes text longer, so what is written never overtakes
// what is still to be read. A pair f does not keep is decoded too (it must
// still be valid) but leaves nothing behind: its bytes are overwritten by
// the next pair. body must not be used for anything else afterwards.
//
// Unlike url.ParseQuery it has no cap on the number of parameters:
// upload_table sends one parameter per record, and tables of more than
// 10,000 records are real. The body's size limit bounds the work instead.
func parseURLEncoded(f *tabletsession.Form, body []byte) error {
	f.SetSource(body)
	w := 0 // where the next decoded text goes
	for r := 0; r < len(body); {
		end := r + bytes.IndexByte(body[r:], '&')
		if end < r {
			end = len(body)
		}
		pair := body[r:end]
		r = end + 1
		if len(pair) == 0 {
			continue
		}
		k, v, _ := bytes.Cut(pair, []byte("="))
		nk, err := unescapeInPlace(body[w:], k)
		if err != nil {
			return err
		}
		nv, err := unescapeInPlace(body[w+nk:], v)
		if err != nil {
			return err
		}
		key := body[w : w+nk]
		if !utf8.Valid(key) || !utf8.Valid(body[w+nk:w+nk+nv]) {
			return fmt.Errorf("parameter ending at byte %d is not UTF-8", end)
		}
		if f.Add(key, w+nk, nv) {
			w += nk + nv // keep the value; the key's bytes go unused
		}
	}
	return nil
}

// unescapeInPlace query-unescapes src ('+' is a space, %XX a byte) into
// dst, which may start at or before src in the same array, and returns the
// decoded length.
func unescapeInPlace(dst, src []byte) (int, error) {
	n := 0
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch c {
		case '+':
			c = ' '
		case '%':
			if i+2 >= len(src) || !isHex(src[i+1]) || !isHex(src[i+2]) {
				esc := src[i:min(i+3, len(src))]
				return 0, url.EscapeError(string(esc))
			}
			c = unhex(src[i+1])<<4 | unhex(src[i+2])
			i += 2
		}
		dst[n] = c
		n++
	}
	return n, nil
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}
