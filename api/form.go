package api

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/url"
	"strings"
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
		// A view, not a copy: bodies can be tens of MiB, and body is never
		// written after it was read.
		return parseURLEncoded(unsafe.String(unsafe.SliceData(body), len(body)))
	case "multipart/form-data":
		return decodeMultipart(body, params["boundary"])
	default:
		return nil, fmt.Errorf("unsupported content type %q", mt)
	}
}

// parseURLEncoded decodes an application/x-www-form-urlencoded body. It is
// url.ParseQuery without its cap of 10,000 parameters: upload_table sends
// one parameter per record, and tables of more than 10,000 records are real.
// The body's size limit bounds the work instead.
func parseURLEncoded(body string) (map[string][]string, error) {
	values := map[string][]string{}
	for body != "" {
		var pair string
		pair, body, _ = strings.Cut(body, "&")
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		key, err := url.QueryUnescape(k)
		if err != nil {
			return nil, err
		}
		value, err := url.QueryUnescape(v)
		if err != nil {
			return nil, err
		}
		values[key] = append(values[key], value)
	}
	return values, nil
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
