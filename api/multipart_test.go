package api

import (
	"bytes"
	"errors"
	"io"
	"mime/multipart"
	"testing"
	"unicode/utf8"

	"github.com/tabletapi/tabletapi/tabletsession"
)

// stdlibMultipart decodes body with mime/multipart: the last value of each
// named part.
func stdlibMultipart(body []byte, boundary string) (map[string]string, error) {
	mr := multipart.NewReader(bytes.NewReader(body), boundary)
	out := map[string]string{}
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		b, err := io.ReadAll(p)
		if err != nil {
			return nil, err
		}
		if name := p.FormName(); name != "" {
			out[name] = string(b)
		}
	}
}

// checkMultipart fails unless parseMultipart reads body as mime/multipart
// does, wherever that reader succeeds on a body with a close delimiter and
// the text is UTF-8.
func checkMultipart(t *testing.T, body []byte, boundary string) {
	t.Helper()
	want, werr := stdlibMultipart(body, boundary)
	f := tabletsession.NewForm(len(body), nil)
	err := parseMultipart(f, bytes.Clone(body), boundary)
	closed := bytes.HasPrefix(body, []byte("--"+boundary+"--")) || bytes.Contains(body, []byte("\n--"+boundary+"--"))
	if werr != nil || !closed {
		// Only what the standard reader reads is compared, and only whole
		// bodies: it reads a truncated one as ending early.
		return
	}
	for k, v := range want {
		if !utf8.ValidString(k) || !utf8.ValidString(v) || bytes.Contains(bytes.ToLower(body), []byte("quoted-printable")) {
			return
		}
	}
	if err != nil {
		t.Fatalf("parseMultipart(%q): %v; mime/multipart read %q", body, err, want)
	}
	for k, v := range want {
		if !f.Wants([]byte(k)) {
			continue
		}
		if got, _ := f.Raw(k); got != v {
			t.Fatalf("parseMultipart(%q): %q = %q, want %q", body, k, got, v)
		}
	}
}

// writeParts encodes fields with multipart.Writer.
func writeParts(fields ...string) ([]byte, string) {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for i := 0; i+1 < len(fields); i += 2 {
		mw.WriteField(fields[i], fields[i+1])
	}
	mw.Close()
	return b.Bytes(), mw.Boundary()
}

// multipartSamples are bodies with the boundary "B" that test the corners
// of the format.
var multipartSamples = []string{
	"--B\nContent-Disposition: form-data; name=\"user\"\n\nalice\n--B--\n",
	"preamble\r\n--B  \r\nContent-Disposition: form-data; name=user\r\n\r\nalice\r\n--B--\r\nepilogue",
	"--B\r\nContent-Type: text/plain\r\n\r\nno name\r\n--B\r\nContent-Disposition: form-data; name=\"us\\er\"\r\n\r\nx\r\n--B--",
	"--B\r\nContent-Disposition: attachment; name=\"user\"\r\n\r\nx\r\n--B--",
	"--B\r\nContent-Disposition: form-data; name=\"user\"\r\n\r\n--Bx\r\n--B--",
	"--B\r\nContent-Disposition: form-data; name=\"user\"; filename=\"a.txt\"\r\n\r\nfile\r\n--B\t\r\nContent-Disposition: FORM-DATA; NAME=device\r\n\r\nd\r\n--B--",
	"--B\r\n\r\nheaderless\r\n--B--",
	"no delimiter: no parts",
}

func TestParseMultipart(t *testing.T) {
	body, boundary := writeParts("user", "bob", "colour", "red", "record2", "1,2,3", "user", "alice",
		"dbdata", "line 1\r\nline 2\r\n--not the boundary\r\n", "password", "", "device", "a\"b\\c")
	checkMultipart(t, body, boundary)
	f := tabletsession.NewForm(len(body), nil)
	if err := parseMultipart(f, body, boundary); err != nil {
		t.Fatal(err)
	}
	if f.Get("user") != "alice" || f.Get("record2") != "1,2,3" {
		t.Fatalf("user = %q, record2 = %q", f.Get("user"), f.Get("record2"))
	}
	if _, ok := f.Raw("colour"); ok {
		t.Fatal("a part no operation reads was kept")
	}
	// Hand-written bodies: LF line ends, a preamble and epilogue, padding
	// after delimiters, a part without a name, a quoted name with escapes.
	for _, tc := range multipartSamples {
		checkMultipart(t, []byte(tc), "B")
	}
	for _, bad := range []string{
		"--B\r\nContent-Disposition: form-data; name=\"user\"\r\n\r\nunterminated",
		"--B\r\nContent-Disposition: form-data; name=\"user\"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\na=3D\r\n--B--",
		"--B\r\nContent-Disposition: form-data; name=\"user\"\r\n\r\n\xff\r\n--B--",
	} {
		if err := parseMultipart(tabletsession.NewForm(len(bad), nil), []byte(bad), "B"); err == nil {
			t.Errorf("parseMultipart(%q) accepted it", bad)
		}
	}
}

// FuzzParseMultipart: parseMultipart reads what mime/multipart reads.
func FuzzParseMultipart(f *testing.F) {
	body, boundary := writeParts("user", "bob", "record0", "1,2,3", "dbdata", "{}")
	f.Add(body, boundary)
	for _, s := range multipartSamples {
		f.Add([]byte(s), "B")
	}
	f.Fuzz(func(t *testing.T, body []byte, boundary string) {
		if boundary == "" || len(boundary) > 70 {
			return
		}
		checkMultipart(t, body, boundary)
	})
}
