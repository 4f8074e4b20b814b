package patient_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/tabletapi/tabletapi/internal/patient"
)

// exampleKey and exampleUUID are the example of PROTOCOL 6.3 step 2.
const (
	exampleKey  = "sazom-diliv-navol-hubot-mufur-mamuv-kojus-loluv-v"
	exampleUUID = "c3e815de-93a7-4c2d-8cbb-823e697c79fe"
)

func mustUUID(tb testing.TB, s string) [16]byte {
	tb.Helper()
	id, err := patient.ParseUUID(s)
	if err != nil {
		tb.Fatalf("ParseUUID(%q): %v", s, err)
	}
	return id
}

func TestAccessKey_ProtocolExample(t *testing.T) {
	id := mustUUID(t, exampleUUID)
	if got := patient.AccessKey(id); got != exampleKey {
		t.Errorf("AccessKey(%s) = %s, want %s", exampleUUID, got, exampleKey)
	}
	got, err := patient.ParseAccessKey(exampleKey)
	if err != nil {
		t.Fatalf("ParseAccessKey(%s): %v", exampleKey, err)
	}
	if patient.FormatUUID(got) != exampleUUID {
		t.Errorf("ParseAccessKey(%s) = %s, want %s", exampleKey, patient.FormatUUID(got), exampleUUID)
	}
	if k, err := patient.KeyForUUID(strings.ToUpper(exampleUUID)); err != nil || k != exampleKey {
		t.Errorf("KeyForUUID(upper case) = %q, %v", k, err)
	}
}

func TestAccessKey_RoundTrip(t *testing.T) {
	for _, id := range [][16]byte{{}, {0: 0xff, 15: 0xff}, mustUUID(t, "ffffffff-ffff-ffff-ffff-ffffffffffff")} {
		key := patient.AccessKey(id)
		if got, err := patient.ParseAccessKey(key); err != nil || got != id {
			t.Errorf("ParseAccessKey(AccessKey(%x)) = %x, %v", id, got, err)
		}
	}
	for range 1000 {
		u := patient.NewUUID()
		id := mustUUID(t, u)
		if id[6]>>4 != 4 || id[8]>>6 != 2 {
			t.Fatalf("NewUUID() = %s, not version 4", u)
		}
		key := patient.AccessKey(id)
		if got, err := patient.ParseAccessKey(key); err != nil || patient.FormatUUID(got) != u {
			t.Fatalf("round trip of %s via %s: %s, %v", u, key, patient.FormatUUID(got), err)
		}
	}
}

// TestParseAccessKey_EveryCorruption: changing any one letter of a key to
// any other letter of its class (so the key stays well-formed) is caught
// by the check letter.
func TestParseAccessKey_EveryCorruption(t *testing.T) {
	const consonants, vowels = "bdfghjklmnprstvz", "aiou"
	for _, key := range []string{exampleKey, patient.AccessKey([16]byte{}), patient.AccessKey(mustUUID(t, patient.NewUUID()))} {
		n := 0
		for i := range len(key) {
			alphabet := consonants
			switch {
			case key[i] == '-':
				continue
			case strings.IndexByte(vowels, key[i]) >= 0:
				alphabet = vowels
			}
			for _, c := range []byte(alphabet) {
				if c == key[i] {
					continue
				}
				bad := key[:i] + string(c) + key[i+1:]
				n++
				if _, err := patient.ParseAccessKey(bad); !errors.Is(err, patient.ErrBadAccessKey) {
					t.Errorf("ParseAccessKey(%s) (letter %d changed) = %v, want ErrBadAccessKey", bad, i, err)
				}
			}
		}
		if n < 400 {
			t.Fatalf("only %d corruptions tried", n)
		}
	}
}

func TestParseAccessKey_Malformed(t *testing.T) {
	for name, key := range map[string]string{
		"Empty":             "",
		"UpperCase":         strings.ToUpper(exampleKey),
		"OneUpperLetter":    "Sazom-diliv-navol-hubot-mufur-mamuv-kojus-loluv-v",
		"NoCheckLetter":     strings.TrimSuffix(exampleKey, "-v"),
		"TrailingDash":      strings.TrimSuffix(exampleKey, "v"),
		"TwoCheckLetters":   exampleKey + "v",
		"ExtraWord":         "babab-" + exampleKey,
		"SevenWords":        "diliv-navol-hubot-mufur-mamuv-kojus-loluv-v",
		"Underscores":       strings.ReplaceAll(exampleKey, "-", "_"),
		"Spaces":            strings.ReplaceAll(exampleKey, "-", " "),
		"NoSeparators":      strings.ReplaceAll(exampleKey, "-", ""),
		"SeparatorShifted":  "sazo-mdiliv-navol-hubot-mufur-mamuv-kojus-loluv-v",
		"VowelForConsonant": "aazom-diliv-navol-hubot-mufur-mamuv-kojus-loluv-v",
		"ConsonantForVowel": "sbzom-diliv-navol-hubot-mufur-mamuv-kojus-loluv-v",
		"VowelCheckLetter":  strings.TrimSuffix(exampleKey, "v") + "a",
		"ForeignLetter":     "sazom-diliv-navol-hubot-mufur-mamuv-kojus-loluv-c",
		"LeadingSpace":      " " + exampleKey,
		"TrailingNewline":   exampleKey + "\n",
		"NonASCII":          "sazom-diliv-navol-hubot-mufur-mamuv-kojus-loluv-é",
		"UUID":              exampleUUID,
	} {
		if _, err := patient.ParseAccessKey(key); !errors.Is(err, patient.ErrBadAccessKey) {
			t.Errorf("%s: ParseAccessKey(%q) = %v, want ErrBadAccessKey", name, key, err)
		}
	}
}

func TestParseUUID_Malformed(t *testing.T) {
	for _, s := range []string{"", "c3e815de93a74c2d8cbb823e697c79fe", "c3e815de-93a7-4c2d-8cbb-823e697c79f", "g3e815de-93a7-4c2d-8cbb-823e697c79fe",
		"c3e815de-93a7-4c2d-8cbb_823e697c79fe", "{c3e815de-93a7-4c2d-8cbb-823e697c79fe}"} {
		if _, err := patient.ParseUUID(s); !errors.Is(err, patient.ErrBadUUID) {
			t.Errorf("ParseUUID(%q) = %v, want ErrBadUUID", s, err)
		}
		if _, err := patient.KeyForUUID(s); !errors.Is(err, patient.ErrBadUUID) {
			t.Errorf("KeyForUUID(%q) = %v, want ErrBadUUID", s, err)
		}
	}
}

func TestKeyPrefix(t *testing.T) {
	for key, want := range map[string]string{exampleKey: "sazom", "": "", "nodash-at-all-longer": "", "abc": "abc"} {
		if got := patient.KeyPrefix(key); got != want {
			t.Errorf("KeyPrefix(%q) = %q, want %q", key, got, want)
		}
	}
}

// FuzzParseAccessKey: ParseAccessKey never panics, a key it accepts is
// the one AccessKey writes for its UUID, and AccessKey then
// ParseAccessKey gives back the UUID.
func FuzzParseAccessKey(f *testing.F) {
	f.Add(exampleKey)
	f.Add(strings.ToUpper(exampleKey))
	f.Add("babab-babab-babab-babab-babab-babab-babab-babab-b")
	f.Add("")
	f.Fuzz(func(t *testing.T, key string) {
		id, err := patient.ParseAccessKey(key)
		if err != nil {
			if !errors.Is(err, patient.ErrBadAccessKey) {
				t.Fatalf("ParseAccessKey(%q) = %v, not ErrBadAccessKey", key, err)
			}
			return
		}
		if got := patient.AccessKey(id); got != key {
			t.Fatalf("AccessKey(ParseAccessKey(%q)) = %q", key, got)
		}
	})
}

// FuzzAccessKey: AccessKey then ParseAccessKey is the identity.
func FuzzAccessKey(f *testing.F) {
	f.Add(make([]byte, 16))
	f.Add([]byte("0123456789abcdef"))
	f.Fuzz(func(t *testing.T, b []byte) {
		var id [16]byte
		copy(id[:], b)
		key := patient.AccessKey(id)
		got, err := patient.ParseAccessKey(key)
		if err != nil || got != id {
			t.Fatalf("ParseAccessKey(AccessKey(%x)) = %x, %v", id, got, err)
		}
	})
}
