package tabletsession_test

import (
	"errors"
	"testing"

	"github.com/tabletapi/tabletapi/tabletsession"
)

func TestParseVersion(t *testing.T) {
	ok := []struct {
		in   string
		want string
	}{
		{"", "0.0.0"},
		{"  ", "0.0.0"},
		{"2.4.24", "2.4.24"},
		{"2.0.0", "2.0.0"},
		{"2.4.24-beta.1+build.5", "2.4.24-beta.1"},
		{"2.4.24+build", "2.4.24"},
		{"2", "2.0.0"},
		{"1.5", "1.50.0"},
		{"1.14", "1.14.0"},
		{"2.05", "2.5.0"},
		{"2.140", "2.140.0"},
	}
	for _, c := range ok {
		v, err := tabletsession.ParseVersion(c.in)
		if err != nil || v.String() != c.want {
			t.Errorf("ParseVersion(%q) = %v, %v; want %s", c.in, v, err, c.want)
		}
	}
	for _, bad := range []string{"2.4.24.1", "2.04.1", "abc", "2.4.", ".2", "2.4.24-", "02.4.24", "2.4.24\n", "-1", "2.4.24-01", "99999999999999999999"} {
		if v, err := tabletsession.ParseVersion(bad); !errors.Is(err, tabletsession.ErrBadVersion) {
			t.Errorf("ParseVersion(%q) = %v, %v; want ErrBadVersion", bad, v, err)
		}
	}
}

func TestVersionCompare(t *testing.T) {
	order := []string{"1.99.99", "2.0.0-alpha", "2.0.0-alpha.1", "2.0.0-alpha.beta", "2.0.0-beta", "2.0.0-beta.2", "2.0.0-beta.11", "2.0.0-rc.1", "2.0.0", "2.0.1", "2.3.0", "2.4.24", "10.0.0"}
	for i := range order {
		for j := range order {
			a, _ := tabletsession.ParseVersion(order[i])
			b, _ := tabletsession.ParseVersion(order[j])
			want := 0
			if i < j {
				want = -1
			} else if i > j {
				want = 1
			}
			if got := a.Compare(b); got != want {
				t.Errorf("Compare(%s, %s) = %d, want %d", order[i], order[j], got, want)
			}
		}
	}
}

// FuzzParseVersion: never panics; a parsed version prints as something that
// parses back to an equal version.
func FuzzParseVersion(f *testing.F) {
	for _, s := range []string{"", "2.4.24", "2.4.24-beta.1+b", "1.5", "2.05", "2.4.24.1", "abc", "0.0.0-0", "2.0.0-x.7.z.92"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := tabletsession.ParseVersion(s)
		if err != nil {
			return
		}
		w, err := tabletsession.ParseVersion(v.String())
		if err != nil || w.Compare(v) != 0 || w != v {
			t.Fatalf("ParseVersion(%q) = %v, but its String %q parses to %v, %v", s, v, v.String(), w, err)
		}
	})
}
