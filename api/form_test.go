package api

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
)

// TestParseURLEncoded: the same result as url.ParseQuery, without its cap
// on the number of parameters (an upload_table of 20,000 records).
func TestParseURLEncoded(t *testing.T) {
	for _, body := range []string{"", "a=1&b=2&a=3", "x=%7B%22k%22%3A1%7D&y=a+b%2Bc", "&&a=&=b&c", "k%20ey=v%26"} {
		want, _ := url.ParseQuery(body)
		got, err := parseURLEncoded(body)
		if err != nil || fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("parseURLEncoded(%q) = %v, %v; want %v", body, got, err, want)
		}
	}
	for _, bad := range []string{"a=%zz", "%g=1", "a=%"} {
		if _, err := parseURLEncoded(bad); err == nil {
			t.Errorf("parseURLEncoded(%q) accepted bad percent-encoding", bad)
		}
	}
	var b strings.Builder
	for i := range 20000 {
		fmt.Fprintf(&b, "record%d=%d&", i, i)
	}
	got, err := parseURLEncoded(b.String())
	if err != nil || len(got) != 20000 || got["record19999"][0] != "19999" {
		t.Fatalf("20,000 parameters: %d keys, err %v", len(got), err)
	}
}
