package console

import (
	"net/http/httptest"
	"testing"
)

func TestSameOrigin(t *testing.T) {
	for _, tc := range []struct {
		name, origin, referer string
		want                  bool
	}{
		{"OwnOrigin", "http://console.example:8088", "", true},
		{"OwnOriginHTTPSBehindProxy", "https://console.example:8088", "", true},
		{"OwnOriginCase", "http://CONSOLE.example:8088", "", true},
		{"OtherOrigin", "http://evil.example", "", false},
		{"OtherPort", "http://console.example:9999", "", false},
		{"NullOrigin", "null", "", false},
		{"OriginWinsOverReferer", "http://evil.example", "http://console.example:8088/x", false},
		{"OwnReferer", "", "http://console.example:8088/console/login", true},
		{"OtherReferer", "", "http://evil.example/console/login", false},
		{"GarbageReferer", "", "::not a url", false},
		{"Neither", "", "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "http://console.example:8088/console/login", nil)
			if tc.origin != "" {
				r.Header.Set("Origin", tc.origin)
			}
			if tc.referer != "" {
				r.Header.Set("Referer", tc.referer)
			}
			if got := sameOrigin(r); got != tc.want {
				t.Fatalf("sameOrigin = %v, want %v", got, tc.want)
			}
		})
	}
}
