package api

import (
	"bytes"
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/tabletapi/tabletapi/tabletsession"
)

// parseMultipart decodes a multipart/form-data body (RFC 7578) into f
// without copying: a part's value is the range of body between its headers
// and the next delimiter, so, as with the form-encoded body, the memory is
// the body's own and the work linear in it, whatever the parts. The
// standard library's reader allocates a header map and more for every
// part, several times a body of millions of empty parts.
//
// It reads what mime/multipart reads, with lines ended by CRLF or, as that
// reader also allows, by LF alone. A part without a form-data
// Content-Disposition name is skipped, as FormName gives "" for it. One
// difference: a quoted-printable part (RFC 7578 4.7 deprecates
// Content-Transfer-Encoding; no tablet sends one) makes the body
// undecodable, where the standard reader decodes it.
func parseMultipart(f *tabletsession.Form, body []byte, boundary string) error {
	if boundary == "" || len(boundary) > 70 {
		return errors.New("multipart body without a valid boundary")
	}
	f.SetSource(body)
	dash := []byte("--" + boundary)
	// The first delimiter is a line of its own; what precedes it is a
	// preamble. Its line break is the one every delimiter then follows.
	pos, nl := -1, ""
	for from := 0; pos < 0; {
		i := bytes.Index(body[from:], dash)
		if i < 0 {
			return nil // no parts, as mime/multipart reads it
		}
		at := from + i
		if at == 0 || body[at-1] == '\n' {
			if bytes.HasPrefix(body[at+len(dash):], []byte("--")) {
				return nil // a close delimiter first: no parts
			}
			if after, ok := lineEnd(body[at+len(dash):]); ok {
				pos, nl = at, after
			}
		}
		from = at + 1
	}
	sep := append([]byte(nl), dash...)
	for {
		pos += len(dash)
		if bytes.HasPrefix(body[pos:], []byte("--")) {
			return nil // the close delimiter; the rest is an epilogue
		}
		brk, ok := lineEnd(body[pos:])
		if !ok {
			return errors.New("multipart delimiter not followed by a line break")
		}
		pos = bytes.Index(body[pos:], []byte(brk)) + pos + len(brk)
		headerEnd, contentStart := blankLine(body, pos)
		if headerEnd < 0 {
			return errors.New("multipart part without the end of its headers")
		}
		name, err := partName(body[pos:headerEnd])
		if err != nil {
			return err
		}
		end, next := nextDelimiter(body, contentStart, dash, sep)
		if end < 0 {
			return errors.New("multipart body without a close delimiter")
		}
		if len(name) > 0 {
			if !utf8.Valid(name) || !utf8.Valid(body[contentStart:end]) {
				// The name only starts the message: it may be the body.
				return fmt.Errorf("part %q… is not UTF-8", name[:min(len(name), 32)])
			}
			f.Add(name, contentStart, end-contentStart)
		}
		pos = next
	}
}

// lineEnd reports whether b, after a delimiter, holds only transport
// padding (spaces and tabs) before a line break, and returns the break.
func lineEnd(b []byte) (string, bool) {
	rest := bytes.TrimLeft(b, " \t")
	switch {
	case bytes.HasPrefix(rest, []byte("\r\n")):
		return "\r\n", true
	case bytes.HasPrefix(rest, []byte("\n")):
		return "\n", true
	}
	return "", false
}

// blankLine finds the empty line that ends a part's headers from pos and
// returns where the headers end and where the content starts, or -1.
func blankLine(body []byte, pos int) (headerEnd, contentStart int) {
	if bytes.HasPrefix(body[pos:], []byte("\r\n")) {
		return pos, pos + 2 // no headers
	}
	if bytes.HasPrefix(body[pos:], []byte("\n")) {
		return pos, pos + 1
	}
	for i := pos; i < len(body); {
		j := bytes.IndexByte(body[i:], '\n')
		if j < 0 {
			return -1, -1
		}
		i += j + 1
		switch {
		case bytes.HasPrefix(body[i:], []byte("\r\n")):
			return i, i + 2
		case bytes.HasPrefix(body[i:], []byte("\n")):
			return i, i + 1
		}
	}
	return -1, -1
}

// nextDelimiter finds the delimiter that ends the content starting at pos,
// and returns where the content ends and where the delimiter starts, or
// -1. The delimiter follows a line break, except that, as mime/multipart
// allows, an empty content may end at a delimiter at once. Like that
// reader, a delimiter counts only when "--" or the end of its line follows
// it; otherwise it is content.
//
// sep is the line break then dash.
func nextDelimiter(body []byte, pos int, dash, sep []byte) (end, next int) {
	if bytes.HasPrefix(body[pos:], dash) && isDelimiter(body[pos+len(dash):]) {
		return pos, pos
	}
	nl := len(sep) - len(dash)
	for from := pos; ; {
		i := bytes.Index(body[from:], sep)
		if i < 0 {
			return -1, -1
		}
		if at := from + i; isDelimiter(body[at+len(sep):]) {
			return at, at + nl
		}
		from += i + 1
	}
}

// isDelimiter reports whether what follows a dash-boundary makes it a
// delimiter: "--", or the end of the line.
func isDelimiter(after []byte) bool {
	_, ok := lineEnd(after)
	return ok || bytes.HasPrefix(after, []byte("--"))
}

// partName returns the name of a part from its header lines: the name
// parameter of a form-data Content-Disposition, or nil. Only a quoted name
// with a backslash escape is copied.
func partName(headers []byte) ([]byte, error) {
	var name []byte
	for len(headers) > 0 {
		line := headers
		if i := bytes.IndexByte(headers, '\n'); i >= 0 {
			line, headers = headers[:i], headers[i+1:]
		} else {
			headers = nil
		}
		line = bytes.TrimSuffix(line, []byte("\r"))
		// Other header lines, well-formed or not, do not change what the
		// part holds.
		key, value, _ := bytes.Cut(line, []byte(":"))
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(key, []byte("Content-Disposition")):
			name = dispositionName(value)
		case bytes.EqualFold(key, []byte("Content-Transfer-Encoding")) &&
			bytes.EqualFold(value, []byte("quoted-printable")):
			return nil, errors.New("multipart part in quoted-printable")
		}
	}
	return name, nil
}

// dispositionName returns the name parameter of a form-data disposition,
// or nil.
func dispositionName(v []byte) []byte {
	kind, params, _ := bytes.Cut(v, []byte(";"))
	if !bytes.EqualFold(bytes.TrimSpace(kind), []byte("form-data")) {
		return nil
	}
	for len(params) > 0 {
		params = bytes.TrimLeft(params, " \t;")
		key, rest, ok := bytes.Cut(params, []byte("="))
		if !ok {
			return nil
		}
		var value []byte
		value, params = paramValue(bytes.TrimLeft(rest, " \t"))
		if bytes.EqualFold(bytes.TrimSpace(key), []byte("name")) {
			return value
		}
	}
	return nil
}

// paramValue reads a token or quoted-string at the start of s and returns
// it and what follows it.
func paramValue(s []byte) (value, rest []byte) {
	if len(s) == 0 || s[0] != '"' {
		i := bytes.IndexByte(s, ';')
		if i < 0 {
			i = len(s)
		}
		token := bytes.TrimSpace(s[:i])
		for _, c := range token {
			if c <= ' ' || c >= 0x7f || bytes.IndexByte([]byte(`()<>@,;:\"/[]?=`), c) >= 0 {
				return nil, nil // not a token: mime.ParseMediaType refuses it
			}
		}
		return token, s[i:]
	}
	var escaped []byte
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '"':
			if escaped != nil {
				return escaped, s[i+1:]
			}
			return s[1:i], s[i+1:]
		case '\\':
			if escaped == nil {
				escaped = append([]byte{}, s[1:i]...)
			}
			if i+1 < len(s) {
				i++
			}
			escaped = append(escaped, s[i])
			continue
		}
		if escaped != nil {
			escaped = append(escaped, s[i])
		}
	}
	return nil, nil // unterminated
}
