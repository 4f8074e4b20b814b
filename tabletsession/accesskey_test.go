package tabletsession_test

import (
	"errors"
	"testing"
	"time"

	"github.com/tabletapi/tabletapi/internal/password"
	"github.com/tabletapi/tabletapi/tabletsession"
)

// TestAuthenticator_KeyThrottle: failed access keys and failed passwords
// drain one bucket per IP (PROTOCOL 4.4).
func TestAuthenticator_KeyThrottle(t *testing.T) {
	e := newEnv(t, 2)
	const ip, other = "192.0.2.1", "192.0.2.2"
	e.auth.KeyFailed(ip)
	if err := e.auth.CheckKeyThrottle(ip); err != nil {
		t.Fatalf("after one failed key: %v, want nil", err)
	}
	e.mustResolve(t, login("nobody", "Wrong-Secret-11", ip),
		outcome{username: "nobody", refusal: tabletsession.ErrBadLogin, passwordLogin: true, work: 1 << 4})
	if err := e.auth.CheckKeyThrottle(ip); !errors.Is(err, tabletsession.ErrThrottled) {
		t.Fatalf("after a failed key and a failed login: %v, want ErrThrottled", err)
	}
	if err := e.auth.CheckKeyThrottle(other); err != nil {
		t.Errorf("another IP: %v, want nil", err)
	}
	e.clock.Advance(time.Hour) // one token back
	if err := e.auth.CheckKeyThrottle(ip); err != nil {
		t.Errorf("after the refill: %v, want nil", err)
	}
	// A failed key empties it again: the next password login is refused
	// without bcrypt.
	e.auth.KeyFailed(ip)
	e.mustResolve(t, login("nobody", "Wrong-Secret-11", ip), outcome{username: "nobody", refusal: tabletsession.ErrThrottled})
}

func TestAuthenticator_HashPassword(t *testing.T) {
	e := newEnv(t, 20)
	h, err := e.auth.HashPassword(t.Context(), "Generated-Secret-1")
	if err != nil {
		t.Fatal(err)
	}
	if ok, _, err := e.hasher.Verify(t.Context(), h, "Generated-Secret-1"); !ok || err != nil {
		t.Errorf("the hash does not verify: %v, %v", ok, err)
	}
	if _, err := e.auth.HashPassword(t.Context(), ""); !errors.Is(err, password.ErrEmpty) {
		t.Errorf("empty password: %v, want password.ErrEmpty", err)
	}
}
