package password_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/tabletapi/tabletapi/internal/password"
)

func mustHasher(tb testing.TB, cost, workers int, wait time.Duration) *password.Hasher {
	tb.Helper()
	h, err := password.NewHasher(cost, workers, wait)
	if err != nil {
		tb.Fatal(err)
	}
	return h
}

func TestHasher(t *testing.T) {
	ctx := context.Background()
	h := mustHasher(t, 5, 2, time.Second)

	t.Run("OK", func(t *testing.T) {
		hash, err := h.Hash(ctx, "pw!")
		if err != nil {
			t.Fatal(err)
		}
		if ok, rehash, err := h.Verify(ctx, hash, "pw!"); !ok || rehash || err != nil {
			t.Fatalf("Verify = %v, %v, %v; want true, false, nil", ok, rehash, err)
		}
		if ok, _, _ := h.Verify(ctx, hash, "pw?"); ok {
			t.Fatal("wrong password verified")
		}
	})
	t.Run("ErrTooLong", func(t *testing.T) {
		if _, err := h.Hash(ctx, strings.Repeat("a", 73)); !errors.Is(err, password.ErrTooLong) {
			t.Fatalf("err = %v, want ErrTooLong", err)
		}
	})
	t.Run("ErrEmpty", func(t *testing.T) {
		if _, err := h.Hash(ctx, ""); !errors.Is(err, password.ErrEmpty) {
			t.Fatalf("err = %v, want ErrEmpty", err)
		}
	})
	t.Run("OnlyFirst72BytesCompared", func(t *testing.T) {
		pw := strings.Repeat("b", 72)
		hash, err := h.Hash(ctx, pw)
		if err != nil {
			t.Fatal(err)
		}
		if ok, _, _ := h.Verify(ctx, hash, pw+"extra"); !ok {
			t.Fatal("a longer login password with the same first 72 bytes should verify")
		}
	})
	t.Run("ImportedLowCostNeedsRehash", func(t *testing.T) {
		for _, prefix := range []string{"$2a$", "$2b$", "$2y$"} {
			b, _ := bcrypt.GenerateFromPassword([]byte("old"), 4)
			hash := prefix + string(b[4:])
			ok, rehash, err := h.Verify(ctx, hash, "old")
			if !ok || !rehash || err != nil {
				t.Fatalf("%s: Verify = %v, %v, %v; want true, true, nil", prefix, ok, rehash, err)
			}
		}
	})
	t.Run("EmptyOrMalformedHashNeverVerifies", func(t *testing.T) {
		for _, hash := range []string{"", "x", "$2a$06$short"} {
			if ok, _, _ := h.Verify(ctx, hash, "anything"); ok {
				t.Fatalf("hash %q verified", hash)
			}
		}
		if ok, _, _ := h.Verify(ctx, "$2a$04$abcdefghijklmnopqrstuu", ""); ok {
			t.Fatal("empty password verified")
		}
	})
	t.Run("ErrBusy", func(t *testing.T) {
		slow := mustHasher(t, 12, 1, 10*time.Millisecond)
		done := make(chan struct{})
		go func() { slow.Hash(ctx, "hold the only worker"); close(done) }() //nolint:errcheck
		time.Sleep(20 * time.Millisecond)
		// The worker is busy for ~200 ms at cost 12; a second call gives up.
		if _, _, err := slow.Verify(ctx, "", "pw"); !errors.Is(err, password.ErrBusy) {
			t.Fatalf("err = %v, want ErrBusy", err)
		}
		<-done
	})
	t.Run("BadCost", func(t *testing.T) {
		if _, err := password.NewHasher(3, 1, time.Second); err == nil {
			t.Fatal("cost 3 accepted")
		}
		if _, err := password.NewHasher(10, 0, time.Second); err == nil {
			t.Fatal("0 workers accepted")
		}
	})
}

func BenchmarkVerifyDefaultCost(b *testing.B) {
	h := mustHasher(b, 12, 1, time.Minute)
	hash, _ := h.Hash(context.Background(), "pw")
	for b.Loop() {
		h.Verify(context.Background(), hash, "pw") //nolint:errcheck
	}
}
