package api

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
)

// TestParseURLEncoded: the same result as url.ParseQuery, though decoded
// in place, and without its cap on the number of parameters (an
// upload_table of 20,000 records).
func TestParseURLEncoded(t *testing.T) {
	for _, body := range []string{"", "a=1&b=2&a=3", "x=%7B%22k%22%3A1%7D&y=a+b%2Bc", "&&a=&=b&c", "k%20ey=v%26",
		"a=%41%42%43&b=%44+%45&%46%47=%48%49&a=x%2By+z&c=%e2%82%ac%E2%82%AC"} {
		want, _ := url.ParseQuery(body)
		got, err := parseURLEncoded([]byte(body))
		if err != nil || fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("parseURLEncoded(%q) = %v, %v; want %v", body, got, err, want)
		}
	}
	for _, bad := range []string{"a=%zz", "%g=1", "a=%", "a=%4", "a=b%"} {
		if _, err := parseURLEncoded([]byte(bad)); err == nil {
			t.Errorf("parseURLEncoded(%q) accepted bad percent-encoding", bad)
		}
	}
	var b strings.Builder
	for i := range 20000 {
		fmt.Fprintf(&b, "record%d=%d&", i, i)
	}
	got, err := parseURLEncoded([]byte(b.String()))
	if err != nil || len(got) != 20000 || got["record19999"][0] != "19999" {
		t.Fatalf("20,000 parameters: %d keys, err %v", len(got), err)
	}
}

// FuzzParseURLEncoded: decoding in place gives what url.ParseQuery gives,
// for every body ParseQuery accepts (it alone refuses semicolons).
func FuzzParseURLEncoded(f *testing.F) {
	for _, s := range []string{"a=1&b=2&a=3", "x=%7B%22k%22%3A1%7D&y=a+b%2Bc", "&&a=&=b&c", "a=%zz", "%41%42=%43+%44&e"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		want, werr := url.ParseQuery(body)
		got, err := parseURLEncoded([]byte(body))
		if werr != nil {
			if err == nil && !strings.Contains(body, ";") {
				t.Fatalf("parseURLEncoded(%q) accepted what ParseQuery refuses: %v", body, werr)
			}
			return
		}
		if err != nil || fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("parseURLEncoded(%q) = %v, %v; want %v", body, got, err, want)
		}
	})
}
