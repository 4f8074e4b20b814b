package api

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/url"
	"unicode/utf8"
	"unsafe"

	"github.com/tabletapi/tabletapi/tabletsession"
)

// decodeForm decodes a request body into its parameters (PROTOCOL 1.2). An
// undecodable body yields an empty form and the reason, so the request
// fails 2.2 with the plain 400.
func decodeForm(contentType string, body []byte) (tabletsession.Form, error) {
	values, err := decodeValues(contentType, body)
	if err != nil {
		return tabletsession.NewForm(nil), err
	}
	for k, vs := range values {
		if !utf8.ValidString(k) {
			return tabletsession.NewForm(nil), errors.New("key is not UTF-8")
		}
		for _, v := range vs {
			if !utf8.ValidString(v) {
				return tabletsession.NewForm(nil), fmt.Errorf("value of %q is not UTF-8", k)
			}
		}
	}
	return tabletsession.NewForm(values), nil
}

func decodeValues(contentType string, body []byte) (map[string][]string, error) {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return nil, fmt.Errorf("content type %q: %w", contentType, err)
	}
	switch mt {
	case "application/x-www-form-urlencoded":
		return parseURLEncoded(body)
	case "multipart/form-data":
		return decodeMultipart(body, params["boundary"])
	default:
		return nil, fmt.Errorf("unsupported content type %q", mt)
	}
}

// parseURLEncoded decodes an application/x-www-form-urlencoded body in
// place: each decoded value is written back into body and returned as a
// view of it, so a one-step upload of tens of MiB is held once, not twice
// (BENCHMARKS.md, F6b). Decoding never makes text longer, so what is
// written never overtakes what is still to be read. body must not be used
// for anything else afterwards.
//
// It is url.ParseQuery without its cap of 10,000 parameters: upload_table
// sends one parameter per record, and tables of more than 10,000 records
// are real. The body's size limit bounds the work instead.
func parseURLEncoded(body []byte) (map[string][]string, error) {
	values := map[string][]string{}
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
		n, err := unescapeInPlace(body[w:], k)
		if err != nil {
			return nil, err
		}
		key := string(body[w : w+n]) // keys are short, and map keys
		n, err = unescapeInPlace(body[w:], v)
		if err != nil {
			return nil, err
		}
		value := ""
		if n > 0 {
			value = unsafe.String(&body[w], n)
		}
		w += n
		values[key] = append(values[key], value)
	}
	return values, nil
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

// decodeMultipart reads every part into memory: the body is already
// size-limited, and file parts must not spill to temporary files.
func decodeMultipart(body []byte, boundary string) (map[string][]string, error) {
	if boundary == "" {
		return nil, errors.New("multipart body without boundary")
	}
	mr := multipart.NewReader(bytes.NewReader(body), boundary)
	values := map[string][]string{}
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return values, nil
		}
		if err != nil {
			return nil, err
		}
		name := p.FormName()
		b, err := io.ReadAll(p)
		if err != nil {
			return nil, err
		}
		if name != "" {
			values[name] = append(values[name], string(b))
		}
	}
}
