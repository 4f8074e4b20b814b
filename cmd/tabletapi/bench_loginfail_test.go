package main_test

import (
	"net/http"
	"testing"

	"github.com/tabletapi/tabletapi/testclient"
)

// BenchmarkLoginFailure times a wrong password through the wire, at
// --bcrypt-cost 10, for an unknown user, a user whose stored hash has the
// configured cost, and one whose hash is cost 4 (set with --bcrypt-cost 4,
// or imported). Every failure should cost the same (the hardening issue,
// item 2; BENCHMARKS.md). SQLite is enough: bcrypt is the whole cost.
func BenchmarkLoginFailure(b *testing.B) {
	s := startServer(b, "--bcrypt-cost", "10", "--lockout-threshold", "1000000000",
		"--login-throttle-burst", "1000000000")
	const pw = "Bench-Secret-2024"
	s.addUser(b, "bench", "weak", pw, "--may-register-devices") // cost 4
	s.mustAdmin(b, pw+"\n", "user", "add", "strong", "--group", "bench", "--bcrypt-cost", "10", "--may-register-devices")
	for _, user := range []string{"nobody", "strong", "weak"} {
		b.Run(user, func(b *testing.B) {
			c := testclient.New(testclient.Config{URL: s.API, Device: testclient.NewDeviceID(), User: user, Password: "wrong-" + pw})
			for b.Loop() {
				r, err := c.Do(b.Context(), "get_allowed_tables", nil)
				if err != nil {
					b.Fatal(err)
				}
				if r.Status != http.StatusOK || r.Values["error"] != "Invalid username/password (or user not authorized)" {
					b.Fatalf("reply %d %q", r.Status, r.Body)
				}
			}
		})
	}
}
