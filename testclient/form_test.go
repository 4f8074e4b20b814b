package testclient_test

import (
	"testing"

	"github.com/tabletapi/tabletapi/testclient"
)

func TestEncodeForm(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		params map[string]string
		want   string
	}{
		{"Empty", nil, ""},
		{"Sorted", map[string]string{"b": "2", "a": "1", "B": "0"}, "B=0&a=1&b=2"},
		{"Unreserved", map[string]string{"k": "AZaz09-._~"}, "k=AZaz09-._~"},
		{"SpaceAndPlus", map[string]string{"k": "a b+c"}, "k=a%20b%2Bc"},
		{"Reserved", map[string]string{"k": "{}!*'();:@&=$,/?#[]%\"<>\\^`|"}, "k=%7B%7D%21%2A%27%28%29%3B%3A%40%26%3D%24%2C%2F%3F%23%5B%5D%25%22%3C%3E%5C%5E%60%7C"},
		{"Newlines", map[string]string{"k": "a\r\nb"}, "k=a%0D%0Ab"},
		{"UTF8", map[string]string{"k": "é€"}, "k=%C3%A9%E2%82%AC"},
		{"EncodedKey", map[string]string{"a b": ""}, "a%20b="},
	} {
		if got := testclient.EncodeForm(tc.params); got != tc.want {
			t.Errorf("%s: EncodeForm = %s, want %s", tc.name, got, tc.want)
		}
	}
}
