package main_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tabletapi/tabletapi/testclient"
)

// writeFiles writes files (name → content) into a new directory and
// returns its path.
func writeFiles(tb testing.TB, files map[string]string) string {
	tb.Helper()
	dir := tb.TempDir()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			tb.Fatal(err)
		}
	}
	return dir
}

// wantExtraStrings fails unless get_extra_strings, sent by a new device of
// s in the registration sequence, replies exactly the SELECT block want;
// it returns the reply.
func wantExtraStrings(t *testing.T, s *testServer, want string) *testclient.Reply {
	t.Helper()
	s.addUser(t, "g", "alice", "pw!-secret", "--may-register-devices")
	rs, err := s.client("alice", "pw!-secret").RegisterSequence(context.Background(), "tablet")
	if err != nil {
		t.Fatal(err)
	}
	wantReply(t, rs.ExtraStrings, http.StatusOK, want+"success:1\nsession_id:{session_id}\nsession_token:{session_token}\n")
	return rs.ExtraStrings
}

// TestExtraStrings: get_extra_strings serves the strings of --extra-strings,
// sorted by task, name and language, as quoted literals (PROTOCOL 6.6, 7.3).
func TestExtraStrings(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{
		"a_phq9.xml": `<?xml version="1.0" encoding="UTF-8"?>
<resources>
    <task name="phq9">
        <string name="q1">Little interest or pleasure in doing things</string>
    </task>
</resources>
`,
		"b_bmi.xml": `<?xml version="1.0" encoding="UTF-8"?>
<resources>
    <task name="bmi" locale="da_DK">
        <string name="title">Kropsmasseindeks</string>
    </task>
    <task name="bmi">
        <string name="title">Body mass index</string>
        <string name="note">
            It's "kg/m²" — see
  <b>the table</b>\nthen C:\\tmp
        </string>
    </task>
</resources>
`,
	})
	s := startServer(t, "--extra-strings", dir)
	want := "nfields:4\nfields:task,name,language,value\nnrecords:4\n" +
		`record0:'bmi','note','','It''s "kg/m²" — see\n  <b>the table</b>\nthen C:\\tmp'` + "\n" +
		"record1:'bmi','title','','Body mass index'\n" +
		"record2:'bmi','title','da_DK','Kropsmasseindeks'\n" +
		"record3:'phq9','q1','','Little interest or pleasure in doing things'\n"
	b, err := wantExtraStrings(t, s, want).Select()
	if err != nil {
		t.Fatal(err)
	}
	// The tablet reads back the very text of the file.
	if got, want := b.Maps()[0]["value"], testclient.TextValue("It's \"kg/m²\" — see\n  <b>the table</b>\nthen C:\\tmp"); !got.Equal(want) {
		t.Errorf("the client decodes record0's value as %v, want %v", got, want)
	}
	if !strings.Contains(s.Log.String(), `msg="extra strings loaded" dir=`+dir+" files=2 strings=4\n") {
		t.Errorf("no start-up line with the counts:\n%s", s.Log)
	}
}

// TestExtraStrings_EmptyDirectory: a folder without *.xml files is served
// as no strings, with a warning at start-up.
func TestExtraStrings_EmptyDirectory(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{"README": "strings go here"})
	s := startServer(t, "--extra-strings", dir)
	wantExtraStrings(t, s, "nfields:4\nfields:task,name,language,value\nnrecords:0\n")
	if !strings.Contains(s.Log.String(), `level=WARN msg="no extra string files (*.xml) found; get_extra_strings will send none" dir=`+dir+"\n") {
		t.Errorf("no warning of the empty folder:\n%s", s.Log)
	}
}

// TestExtraStrings_SkippedWarned: parts that CamCOPS skips are skipped, with
// a warning that names the file and line.
func TestExtraStrings_SkippedWarned(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{"a.xml": "<resources>\n<task name=\"t\">\n<string name=\"kept\">k</string>\n" +
		"<locale name=\"en_GB\">\n<string name=\"lost\">x</string>\n</locale>\n</task>\n</resources>\n"})
	s := startServer(t, "--extra-strings", dir)
	wantExtraStrings(t, s, "nfields:4\nfields:task,name,language,value\nnrecords:1\nrecord0:'t','kept','','k'\n")
	if !strings.Contains(s.Log.String(), `file=`+filepath.Join(dir, "a.xml")+` line=4 first="<locale> in <task>" count=1`) {
		t.Errorf("no warning of the skipped <locale>:\n%s", s.Log)
	}
}
