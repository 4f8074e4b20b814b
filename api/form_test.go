package api

import (
	"bytes"
	"fmt"
	"math"
	"mime/multipart"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tabletapi/tabletapi/tabletsession"
)

// noLimit is a lease on a budget without a limit.
func noLimit() *lease { return (&bodyBudget{limit: math.MaxInt64}).lease() }

// decodeURLEncoded runs parseURLEncoded on a copy of body.
func decodeURLEncoded(body string) (*tabletsession.Form, error) {
	f := tabletsession.NewForm(len(body), nil)
	return f, parseURLEncoded(f, []byte(body))
}

// sameAsParseQuery fails unless every key of want that the form keeps
// reads as its last value in want.
func sameAsParseQuery(t *testing.T, body string, got *tabletsession.Form, want url.Values) {
	t.Helper()
	for k, vs := range want {
		if !got.Wants([]byte(k)) {
			if v, ok := got.Raw(k); ok {
				t.Fatalf("%q: dropped key %q reads %q", body, k, v)
			}
			continue
		}
		if v, ok := got.Raw(k); !ok && vs[len(vs)-1] != "" || v != vs[len(vs)-1] {
			t.Fatalf("%q: %q = %q, %v; want %q", body, k, v, ok, vs[len(vs)-1])
		}
	}
}

// TestParseURLEncoded: the kept parameters read as url.ParseQuery gives
// them, though decoded in place, and without its cap on the number of
// parameters (an upload_table of 20,000 records).
func TestParseURLEncoded(t *testing.T) {
	for _, body := range []string{"", "user=1&device=2&user=3", "dbdata=%7B%22k%22%3A1%7D&table=a+b%2Bc",
		"&&user=&=b&c", "us%65r=v%26", "colour=red&user=alice&size=big&record0=x",
		"user=%41%42C&device=%44+%45&%46%47=%48%49&user=x%2By+z&table=%e2%82%ac%E2%82%AC"} {
		want, _ := url.ParseQuery(body)
		got, err := decodeURLEncoded(body)
		if err != nil {
			t.Fatalf("%q: %v", body, err)
		}
		sameAsParseQuery(t, body, got, want)
	}
	for _, bad := range []string{"user=%zz", "%g=1", "user=%", "user=%4", "user=b%", "colour=%zz",
		"user=%ff", "colour=%c3%28"} {
		if _, err := decodeURLEncoded(bad); err == nil {
			t.Errorf("parseURLEncoded(%q) accepted bad percent-encoding or UTF-8", bad)
		}
	}
	var b strings.Builder
	for i := range 20000 {
		fmt.Fprintf(&b, "record%d=%d&", i, i)
	}
	got, err := decodeURLEncoded(b.String())
	if err != nil || got.Get("record19999") != "19999" || got.Get("record0") != "0" {
		t.Fatalf("20,000 parameters: record19999 = %q, err %v", got.Get("record19999"), err)
	}
}

// TestDecodeMultipart: the same parameters as the form-encoded body, and
// parts no operation reads are dropped.
func TestDecodeMultipart(t *testing.T) {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for _, kv := range [][2]string{{"user", "bob"}, {"colour", "red"}, {"record2", "1,2,3"}, {"user", "alice"}} {
		mw.WriteField(kv[0], kv[1])
	}
	mw.Close()
	f, err := decodeForm(mw.FormDataContentType(), body.Bytes(), noLimit())
	if err != nil {
		t.Fatal(err)
	}
	if f.Get("user") != "alice" || f.Get("record2") != "1,2,3" {
		t.Fatalf("user = %q, record2 = %q", f.Get("user"), f.Get("record2"))
	}
	if _, ok := f.Raw("colour"); ok {
		t.Fatal("a part no operation reads was kept")
	}
}

// FuzzParseURLEncoded: decoding in place keeps what url.ParseQuery gives,
// for every body ParseQuery accepts (it alone refuses semicolons) that is
// UTF-8 once decoded; nothing else is accepted.
func FuzzParseURLEncoded(f *testing.F) {
	for _, s := range []string{"user=1&device=2&user=3", "dbdata=%7B%22k%22%3A1%7D&table=a+b%2Bc", "&&user=&=b&c",
		"user=%zz", "%41%42=%43+%44&e", "record0=1&record1=%00&colour=x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		want, werr := url.ParseQuery(body)
		got, err := decodeURLEncoded(body)
		if werr != nil {
			if err == nil && !strings.Contains(body, ";") {
				t.Fatalf("parseURLEncoded(%q) accepted what ParseQuery refuses: %v", body, werr)
			}
			return
		}
		valid := true
		for k, vs := range want {
			valid = valid && utf8.ValidString(k)
			for _, v := range vs {
				valid = valid && utf8.ValidString(v)
			}
		}
		if !valid {
			if err == nil {
				t.Fatalf("parseURLEncoded(%q) accepted text that is not UTF-8", body)
			}
			return
		}
		if err != nil {
			t.Fatalf("parseURLEncoded(%q): %v", body, err)
		}
		sameAsParseQuery(t, body, got, want)
	})
}
