package password_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"syscall"
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
	t.Run("ErrNoWorker", func(t *testing.T) {
		slow := mustHasher(t, 4, 1, 10*time.Millisecond)
		held, release, done := make(chan struct{}), make(chan struct{}), make(chan struct{})
		go func() {
			// ready runs while the only worker is held: it holds it until
			// release.
			slow.VerifyWhen(ctx, func(context.Context) error { close(held); <-release; return nil }, "", "pw") //nolint:errcheck
			close(done)
		}()
		<-held
		// The only worker is busy; a second call gives up after 10 ms.
		if _, _, err := slow.Verify(ctx, "", "pw"); !errors.Is(err, password.ErrNoWorker) {
			t.Fatalf("err = %v, want ErrNoWorker", err)
		}
		close(release)
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

// BenchmarkVerifyCost is one password check at each cost a deployment may
// choose, on one worker: logins per second per core, the capacity figure
// of README "Running several instances". Wall time depends on what else
// the machine runs, so it also reports logins per CPU second of this
// process, which does not.
func BenchmarkVerifyCost(b *testing.B) {
	for _, cost := range []int{10, 11, 12} {
		b.Run(fmt.Sprintf("cost=%d", cost), func(b *testing.B) {
			h := mustHasher(b, cost, 1, time.Minute)
			hash, err := h.Hash(context.Background(), "a long passphrase")
			if err != nil {
				b.Fatal(err)
			}
			cpu0 := cpuTime(b)
			for b.Loop() {
				if ok, _, err := h.Verify(context.Background(), hash, "a long passphrase"); !ok || err != nil {
					b.Fatal(ok, err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "logins/s")
			b.ReportMetric(float64(b.N)/(cpuTime(b)-cpu0).Seconds(), "logins/cpu-s")
		})
	}
}

// cpuTime is the CPU time (user and system) this process has used.
func cpuTime(tb testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestHasher_FailuresCostTheSame: a wrong password costs the configured
// bcrypt cost whether the user is unknown, has a hash of that cost, or has
// a weaker one (imported, or set before the cost was raised); with
// --bcrypt-cost 12, a cost-4 user used to answer in 7 ms and an unknown
// one in 1 s.
func TestHasher_FailuresCostTheSame(t *testing.T) {
	ctx := context.Background()
	const cost = 9
	h := mustHasher(t, cost, 1, time.Second)
	hashAt := func(c int) string {
		b, err := bcrypt.GenerateFromPassword([]byte("right password"), c)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	spent := func(f func()) uint64 {
		before := h.Work()
		f()
		return h.Work() - before
	}
	verify := func(hash, pw string) func() {
		return func() {
			if ok, _, err := h.Verify(ctx, hash, pw); ok || err != nil {
				t.Fatalf("Verify(%.7s…, %q) = %v, %v; want a failure", hash, pw, ok, err)
			}
		}
	}
	want := uint64(1) << cost
	for name, f := range map[string]func(){
		"UnknownUser": func() { h.VerifyDummy(ctx, "guess") },
		"SameCost":    verify(hashAt(cost), "guess"),
		"Cost4":       verify(hashAt(4), "guess"),
		"Cost8":       verify(hashAt(8), "guess"),
		"EmptyHash":   verify("", "guess"),
		"Malformed":   verify("$2a$xx$nonsense", "guess"),
		// The cost parses, but bcrypt gives up before its work.
		"ShortDigest": verify("$2a$09$short", "guess"),
		"BadSalt":     verify("$2a$04$"+strings.Repeat("!", 53), "guess"),
		"NoPassword":  verify(hashAt(4), ""),
	} {
		if got := spent(f); got != want {
			t.Errorf("%s: a failure cost %d units of bcrypt work, want %d (cost %d)", name, got, want, cost)
		}
	}
	// A match costs its own hash's cost; the login then re-hashes it.
	if got := spent(func() {
		if ok, rehash, _ := h.Verify(ctx, hashAt(4), "right password"); !ok || !rehash {
			t.Fatal("a cost-4 hash did not verify, or not for re-hashing")
		}
	}); got != 1<<4 {
		t.Errorf("a cost-4 match cost %d units, want %d", got, 1<<4)
	}
}

// TestHasher_VerifyWhen: the ready check runs once a worker is held, and
// its refusal spends no bcrypt.
func TestHasher_VerifyWhen(t *testing.T) {
	ctx := context.Background()
	h := mustHasher(t, 6, 1, time.Second)
	refused := errors.New("locked meanwhile")
	before := h.Work()
	_, _, err := h.VerifyWhen(ctx, func(context.Context) error { return refused }, "", "pw")
	if !errors.Is(err, refused) || h.Work() != before {
		t.Fatalf("err = %v, work %d; want the ready error and no bcrypt", err, h.Work()-before)
	}
	if err := h.VerifyDummyWhen(ctx, func(context.Context) error { return refused }, "pw"); !errors.Is(err, refused) {
		t.Fatalf("VerifyDummyWhen err = %v", err)
	}
}

// TestCheckLength: the length rule for setting a password counts bytes,
// not characters (PROTOCOL 4.1).
func TestCheckLength(t *testing.T) {
	for _, tc := range []struct {
		name string
		pw   string
		want error
	}{
		{"OK", "x", nil},
		{"OK72", strings.Repeat("a", 72), nil},
		{"OK72Multibyte", strings.Repeat("é", 36), nil},
		{"ErrEmpty", "", password.ErrEmpty},
		{"ErrTooLong", strings.Repeat("a", 73), password.ErrTooLong},
		{"ErrTooLongMultibyte", strings.Repeat("é", 37), password.ErrTooLong},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := password.CheckLength(tc.pw); err != tc.want {
				t.Fatalf("CheckLength(%d bytes) = %v, want %v", len(tc.pw), err, tc.want)
			}
		})
	}
}

// TestCheckNew: the 72-byte rule comes first, then the minimum counts
// characters, not bytes.
func TestCheckNew(t *testing.T) {
	for _, tc := range []struct {
		name string
		pw   string
		want error
	}{
		{"OK", "eight888", nil},
		{"OKMultibyte", strings.Repeat("é", 8), nil},
		{"ErrEmpty", "", password.ErrEmpty},
		{"ErrTooShort", "seven77", password.ErrTooShort},
		{"ErrTooLong", strings.Repeat("a", 73), password.ErrTooLong},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := password.CheckNew(tc.pw, 8); !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
				t.Fatalf("CheckNew(%q, 8) = %v, want %v", tc.pw, err, tc.want)
			}
		})
	}
	if err, want := password.CheckNew("seven77", 8), "password shorter than 8 characters"; err == nil || err.Error() != want {
		t.Fatalf("CheckNew's text = %v, want %q", err, want)
	}
}

// TestTruncate: a login password keeps only the 72 bytes bcrypt compares.
func TestTruncate(t *testing.T) {
	for _, tc := range []struct{ pw, want string }{
		{"", ""},
		{strings.Repeat("a", 72), strings.Repeat("a", 72)},
		{strings.Repeat("a", 72) + "bc", strings.Repeat("a", 72)},
	} {
		if got := password.Truncate(tc.pw); got != tc.want {
			t.Errorf("Truncate(%d bytes) = %d bytes, want %d", len(tc.pw), len(got), len(tc.want))
		}
	}
}

func TestGenerate(t *testing.T) {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
	if len(alphabet) != 94 {
		t.Fatalf("alphabet has %d characters, want 94", len(alphabet))
	}
	seen := map[rune]int{}
	prev := ""
	for range 2000 {
		pw := password.Generate()
		if len(pw) != 32 {
			t.Fatalf("Generate() = %q: %d characters, want 32", pw, len(pw))
		}
		if pw == prev {
			t.Fatalf("Generate() gave %q twice in a row", pw)
		}
		prev = pw
		for _, r := range pw {
			if !strings.ContainsRune(alphabet, r) {
				t.Fatalf("Generate() = %q holds %q, outside the alphabet", pw, r)
			}
			seen[r]++
		}
	}
	// 64,000 draws over 94 characters: each is expected about 680 times.
	for _, r := range alphabet {
		if n := seen[r]; n < 450 || n > 950 {
			t.Errorf("character %q drawn %d times in 64000, want about 680", r, n)
		}
	}
}
