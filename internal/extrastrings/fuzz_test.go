package extrastrings_test

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tabletapi/tabletapi/internal/extrastrings"
)

// FuzzParse: Parse never panics on any input, and a value written as an
// extra-strings file (newline-escaped, then XML-escaped) reads back as
// itself.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"hello", "a\nb\r\n\\c", "<b>x</b> & 'q'", "café — ☃", " \\", ""} {
		f.Add([]byte(s))
	}
	f.Add([]byte(`<resources><task name="t"><string name="s">x <b>y</b></string></task></resources>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		extrastrings.Parse(data, "fuzz.xml") //nolint:errcheck // only must not panic

		value := string(data)
		if !utf8.ValidString(value) || strings.TrimSpace(value) != value || !xmlChars(value) {
			return // not a value a file can hold as it stands
		}
		escaped := strings.NewReplacer(`\`, `\\`, "\n", `\n`, "\r", `\r`).Replace(value)
		var b bytes.Buffer
		b.WriteString(`<resources><task name="t" locale="en_GB"><string name="s">`)
		if err := xml.EscapeText(&b, []byte(escaped)); err != nil {
			t.Fatal(err)
		}
		b.WriteString("</string></task></resources>")
		got, err := extrastrings.Parse(b.Bytes(), "fuzz.xml")
		if err != nil {
			t.Fatalf("Parse(%q): %v", b.String(), err)
		}
		if len(got.Strings) != 1 || got.Strings[0].Value != value {
			t.Fatalf("Parse(%q) = %+v, want the value %q", b.String(), got.Strings, value)
		}
	})
}

// xmlChars reports whether every character of s may appear in XML 1.0.
func xmlChars(s string) bool {
	for _, r := range s {
		if !(r == '\t' || r == '\n' || r == '\r' || r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF) {
			return false
		}
	}
	return true
}
