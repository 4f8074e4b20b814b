package main_test

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tabletapi/tabletapi/internal/extrastrings"
	"github.com/tabletapi/tabletapi/testclient"
)

// writeSyntheticExtraStrings writes a folder shaped like the CamCOPS
// server's extra_strings (84 files, ~860 KB): files files of perFile
// strings each, with markup, quotes, escapes and non-ASCII text. It returns
// the folder and its size in bytes.
func writeSyntheticExtraStrings(tb testing.TB, files, perFile int) (string, int) {
	tb.Helper()
	dir, size := tb.TempDir(), 0
	for f := range files {
		var b strings.Builder
		fmt.Fprintf(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<resources>\n    <task name=\"task%02d\">\n", f)
		for s := range perFile {
			fmt.Fprintf(&b, "        <string name=\"q%d\">Question %d: how often have you felt “low” or 'down'? "+
				"<b>Rate</b> 0–3.\\nSee the notes &amp; the manual.</string>\n", s, s)
		}
		b.WriteString("    </task>\n</resources>\n")
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("task%02d.xml", f)), []byte(b.String()), 0o600); err != nil {
			tb.Fatal(err)
		}
		size += b.Len()
	}
	return dir, size
}

// BenchmarkExtraStrings: loading a folder the size of the CamCOPS one at
// start-up, and get_extra_strings on a held session over loopback, with
// get_allowed_tables (same pipeline, a small reply) as the baseline.
// SQLite is enough: the database only checks the session.
func BenchmarkExtraStrings(b *testing.B) {
	dir, size := writeSyntheticExtraStrings(b, 84, 70)
	b.Run("Load", func(b *testing.B) {
		for b.Loop() {
			if _, err := extrastrings.Load(dir); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(size)/1000, "folder-KB")
	})

	s := startServer(b, "--extra-strings", dir)
	s.addUser(b, "bench", "bench", benchPassword, "--may-register-devices")
	hc := benchHTTPClient(testclient.DefaultTimeout)
	c := testclient.New(testclient.Config{URL: s.API, Device: testclient.NewDeviceID(), User: "bench", Password: benchPassword, HTTPClient: hc})
	if _, err := c.RegisterSequence(b.Context(), "bench tablet"); err != nil {
		b.Fatal(err)
	}
	// RegisterSequence leaves no session; this request leaves one to reuse.
	r, err := c.GetAllowedTables(b.Context())
	if err == nil {
		err = r.Err()
	}
	if err != nil {
		b.Fatal(err)
	}
	id, token := c.Session()
	for _, op := range []string{"get_allowed_tables", "get_extra_strings"} {
		b.Run(op, func(b *testing.B) {
			// A raw POST: testclient would parse the thousands of keys,
			// which is the client's cost, not the server's.
			form := loginForm(op, c.Device(), "bench", benchPassword)
			form["session_id"], form["session_token"] = id, token
			body := []byte(testclient.EncodeForm(form))
			var reply bytes.Buffer
			for b.Loop() {
				req, err := http.NewRequestWithContext(b.Context(), http.MethodPost, s.API, bytes.NewReader(body))
				if err != nil {
					b.Fatal(err)
				}
				req.Header.Set("Content-Type", testclient.FormContentType)
				resp, err := hc.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				reply.Reset()
				_, err = reply.ReadFrom(resp.Body)
				resp.Body.Close()
				if err != nil || resp.StatusCode != http.StatusOK || !bytes.Contains(reply.Bytes(), []byte("\nsuccess:1\nsession_id:"+id+"\n")) {
					b.Fatalf("%s: %d %v\n%s", op, resp.StatusCode, err, reply.Bytes()[max(0, reply.Len()-200):])
				}
			}
			b.ReportMetric(float64(reply.Len())/1000, "reply-KB")
		})
	}
}
