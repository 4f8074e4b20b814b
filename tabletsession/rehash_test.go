package tabletsession_test

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/tabletapi/tabletapi/internal/password"
	"github.com/tabletapi/tabletapi/tabletsession"
)

// TestAuthenticator_RehashLongPassword: a login with more than 72 bytes
// whose first 72 match re-hashes a weaker hash from those 72 bytes only
// (PROTOCOL 4.1), so the new hash matches what the user types. Hashing the
// whole typed password would be refused as too long and skip the re-hash.
func TestAuthenticator_RehashLongPassword(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 5)
	set := strings.Repeat("é", 36) // 72 bytes, the longest settable
	bob := e.MustAddUser(t, "bob", set, rights{})
	h, err := password.NewHasher(bcrypt.MinCost+1, 1, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	auth := tabletsession.NewAuthenticator(e.db, e.sessions, h, tabletsession.NewThrottle(5, time.Hour, e.clock.Now),
		lockoutCfg(), slog.New(slog.NewTextHandler(t.Output(), nil)), e.clock.Now)

	id, err := auth.Resolve(t.Context(), login("bob", set+" and more typed", ip))
	if err != nil || id.Refusal != nil || id.UserID != bob.ID {
		t.Fatalf("Resolve = %+v, %v; want bob logged in", id, err)
	}
	u, err := e.accounts.UserByName(t.Context(), "bob")
	if err != nil {
		t.Fatal(err)
	}
	if cost, err := bcrypt.Cost([]byte(u.HashedPW)); err != nil || cost != bcrypt.MinCost+1 {
		t.Fatalf("stored hash cost = %d (%v), want %d", cost, err, bcrypt.MinCost+1)
	}
	if err := bcrypt.CompareHashAndPassword([]byte(u.HashedPW), []byte(set)); err != nil {
		t.Fatalf("re-hashed password does not verify the 72 bytes that were set: %v", err)
	}
}
