package extrastrings_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tabletapi/tabletapi/internal/extrastrings"
)

// MustWrite writes files (name → content) into a new directory and returns
// its path.
func MustWrite(tb testing.TB, files map[string]string) string {
	tb.Helper()
	dir := tb.TempDir()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			tb.Fatal(err)
		}
	}
	return dir
}

// MustLoad is Load that fails the test on an error.
func MustLoad(tb testing.TB, dir string) *extrastrings.Set {
	tb.Helper()
	s, err := extrastrings.Load(dir)
	if err != nil {
		tb.Fatalf("Load(%s): %v", dir, err)
	}
	return s
}

func TestLoad(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		dir := MustWrite(t, map[string]string{
			// Read second (file-name order), sorted first.
			"phq9.xml": `<?xml version="1.0" encoding="UTF-8"?>
<resources>
    <task name="phq9">
        <string name="q1">
            Little interest or <b>pleasure</b> in doing things
        </string>
        <string name="a0">Not at all</string>
    </task>
    <task name="phq9" locale="da_DK">
        <string name="a0">Slet ikke</string>
    </task>
</resources>
`,
			"bmi.xml": `<resources><task name="bmi" locale="en_GB">` +
				`<string name="title">Body mass index — BMI</string>` +
				`<string name="note">  It's "kg/m²".\nSee <a href="https://example.org/?a=1&amp;b=2">the table</a>, then <br/>  </string>` +
				`</task></resources>`,
			"notes.txt":   "not read",
			".hidden.xml": "<not even XML",
		})
		got := MustLoad(t, dir)
		want := &extrastrings.Set{Files: 2, Strings: []extrastrings.String{
			{
				Task: "bmi", Name: "note", Language: "en_GB",
				Value: "It's \"kg/m²\".\nSee <a href=\"https://example.org/?a=1&amp;b=2\">the table</a>, then <br />",
			},
			{Task: "bmi", Name: "title", Language: "en_GB", Value: "Body mass index — BMI"},
			{Task: "phq9", Name: "a0", Language: "", Value: "Not at all"},
			{Task: "phq9", Name: "a0", Language: "da_DK", Value: "Slet ikke"},
			{Task: "phq9", Name: "q1", Language: "", Value: "Little interest or <b>pleasure</b> in doing things"},
		}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("Load (-want +got):\n%s", diff)
		}
	})
	t.Run("OK_EmptyDirectory", func(t *testing.T) {
		t.Parallel()
		got := MustLoad(t, MustWrite(t, map[string]string{"readme.txt": "no strings here"}))
		if diff := cmp.Diff(&extrastrings.Set{}, got); diff != "" {
			t.Fatalf("Load (-want +got):\n%s", diff)
		}
	})
	t.Run("OK_IgnoredReported", func(t *testing.T) {
		t.Parallel()
		dir := MustWrite(t, map[string]string{"a.xml": "<resources>\n<task name=\"t\">\n" +
			"<locale name=\"en_GB\"><string name=\"lost\">x</string></locale>\n" +
			"<string>no name</string>\n</task>\n<string name=\"stray\">y</string>\n</resources>\n"})
		got := MustLoad(t, dir)
		want := []extrastrings.Ignored{{File: filepath.Join(dir, "a.xml"), Line: 3, What: "<locale> in <task>", Count: 3}}
		if diff := cmp.Diff(want, got.Ignored); diff != "" || len(got.Strings) != 0 {
			t.Fatalf("Ignored (-want +got):\n%s\nstrings: %v", diff, got.Strings)
		}
	})
	t.Run("ErrDuplicate", func(t *testing.T) {
		t.Parallel()
		for name, files := range map[string]map[string]string{
			"SameFile": {"a.xml": "<resources>\n<task name=\"t\">\n<string name=\"s\">1</string>\n" +
				"<string name=\"s\">2</string>\n</task>\n</resources>\n"},
			"TwoFiles": {
				"a.xml": "<resources>\n<task name=\"t\">\n<string name=\"s\">1</string>\n</task>\n</resources>\n",
				"b.xml": "<resources>\n\n\n<task name=\"t\" locale=\"\">\n<string name=\"s\">2</string>\n</task>\n</resources>\n",
			},
		} {
			t.Run(name, func(t *testing.T) {
				dir := MustWrite(t, files)
				second := filepath.Join(dir, "a.xml") + ":4"
				if name == "TwoFiles" {
					second = filepath.Join(dir, "b.xml") + ":5"
				}
				want := "extrastrings: " + second + `: string "s" of task "t", locale "", defined again (first at ` +
					filepath.Join(dir, "a.xml") + ":3)"
				if _, err := extrastrings.Load(dir); err == nil || err.Error() != want {
					t.Fatalf("err = %v, want %s", err, want)
				}
			})
		}
	})
	t.Run("ErrMalformed", func(t *testing.T) {
		t.Parallel()
		dir := MustWrite(t, map[string]string{
			"a.xml": "<resources><task name=\"t\"><string name=\"s\">fine</string></task></resources>",
			"b.xml": "<resources>\n  <task name=\"t\">\n    <string name=\"u\">oops</task>\n</resources>\n",
		})
		want := "extrastrings: " + filepath.Join(dir, "b.xml") + ":3: element <string> closed by </task>"
		if _, err := extrastrings.Load(dir); err == nil || err.Error() != want {
			t.Fatalf("err = %v, want %s", err, want)
		}
	})
	t.Run("ErrNotExist", func(t *testing.T) {
		t.Parallel()
		dir := filepath.Join(t.TempDir(), "none")
		_, err := extrastrings.Load(dir)
		if want := "extrastrings: stat " + dir + ": no such file or directory"; !errors.Is(err, fs.ErrNotExist) || err.Error() != want {
			t.Fatalf("err = %v, want %s, wrapping fs.ErrNotExist", err, want)
		}
	})
	t.Run("ErrNotADirectory", func(t *testing.T) {
		t.Parallel()
		path := filepath.Join(MustWrite(t, map[string]string{"a.xml": "<resources/>"}), "a.xml")
		_, err := extrastrings.Load(path)
		if want := "extrastrings: " + path + ": not a directory"; err == nil || err.Error() != want {
			t.Fatalf("err = %v, want %s", err, want)
		}
	})
	t.Run("ErrUnreadable", func(t *testing.T) {
		t.Parallel()
		dir := MustWrite(t, nil)
		if err := os.Mkdir(filepath.Join(dir, "sub.xml"), 0o700); err != nil {
			t.Fatal(err)
		}
		_, err := extrastrings.Load(dir)
		if want := "extrastrings: read " + filepath.Join(dir, "sub.xml") + ": is a directory"; err == nil || err.Error() != want {
			t.Fatalf("err = %v, want %s", err, want)
		}
	})
}
