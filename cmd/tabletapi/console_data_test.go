package main_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tabletapi/tabletapi/testclient"
)

// Browser tests of the console's data pages (overview, devices, uploads,
// records, patient view, audit log) on data that testclient uploaded, and
// of their group scoping.

// dataEnv is a console server with two groups' uploads: amy (group alpha)
// uploaded multi-step from device A, bert (group beta) one-step from
// device B; both tablets hold the standard patients (so the same NHS
// numbers), and each one bmi row of its own (mass 123.4 on A, 98.7 on B:
// values that no time shown on the page can contain).
// root is a superuser; vera may use the web viewer in alpha only.
type dataEnv struct {
	cs         *consoleServer
	devA, devB string // device names
	idA, idB   int64  // device ids
	clientB    *testclient.Client
}

const dataPW = "s3cret-data"

func newDataEnv(t *testing.T) *dataEnv {
	t.Helper()
	cs := startConsole(t)
	cs.mustAdmin(t, "", "idnum", "add", "1", "--description", "NHS number", "--short-description", "NHS", "--validation", "uk_nhs_number")
	ca := cs.addUploader(t, "alpha", "amy", dataPW)
	ta := newTablet(t, cs.testServer, ca).standardTablet(false)
	ta.add("bmi", bmiRow(3, 1, "123.4", "2024-05-01T09:33:00.000+01:00"))
	ta.multiStep(methodCopy)
	cb := cs.addUploader(t, "beta", "bert", dataPW)
	tb := newTablet(t, cs.testServer, cb).standardTablet(false)
	tb.add("bmi", bmiRow(3, 2, "98.7", "2024-05-01T09:33:00.000+01:00"))
	tb.oneStep(methodCopy)
	cs.addUser(t, "console", "root", dataPW, "--superuser")
	cs.addUser(t, "alpha", "vera", dataPW, "--may-use-webviewer")
	e := &dataEnv{cs: cs, devA: ca.Device(), devB: cb.Device(), clientB: cb}
	e.idA = queryInt(t, cs.testServer, "SELECT id FROM devices WHERE name = ?", e.devA)
	e.idB = queryInt(t, cs.testServer, "SELECT id FROM devices WHERE name = ?", e.devB)
	return e
}

// wantIn fails unless text contains every one of want and none of not.
func wantIn(t *testing.T, what, text string, want, not []string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("%s: no %q in\n%s", what, w, text)
		}
	}
	for _, n := range not {
		if strings.Contains(text, n) {
			t.Errorf("%s: %q should not be in\n%s", what, n, text)
		}
	}
}

// todayBar returns the title of the overview chart's bar for today.
func todayBar(t *testing.T, b *browser) string {
	t.Helper()
	day := time.Now().UTC().Format(time.DateOnly)
	return get(t, b, "today's bar", chromedp.TextContent(chromedp.CSS(`rect.bar[data-day="`+day+`"] title`)))
}

// TestConsoleBrowserData: a superuser sees every page with both groups'
// data; the audit log filters by operation.
func TestConsoleBrowserData(t *testing.T) {
	e := newDataEnv(t)
	cs := e.cs
	// A lockout for the overview: the row is what a lockout writes.
	mustExec(t, cs.testServer, "INSERT INTO lockouts (username, locked_until_utc) VALUES (?, ?)",
		"lola", time.Now().Add(time.Hour).UTC())
	// A batch in progress: bert starts another upload on device B.
	cs.step(t, e.clientB, "start_upload", nil, "start_upload")
	b := newBrowser(t)
	b.login(t, cs, "root", dataPW)
	day := time.Now().UTC().Format(time.DateOnly)

	b.visit(t, cs.URL("/"))
	if got, want := todayBar(t, b), day+": 2 uploads"; got != want {
		t.Errorf("today's bar = %q, want %q", got, want)
	}
	wantIn(t, "overview", b.text(t, "main"), []string{"2 devices", "2 uploads in the last 30 days",
		"lola", "2 uploads from "}, nil)
	wantIn(t, "batches", b.text(t, "table.batches"), []string{e.devB + "\tbert\t" + day}, []string{e.devA})

	b.visit(t, cs.URL("/devices"))
	wantIn(t, "devices", b.text(t, "table.devices"), []string{e.devA, e.devB, "tablet of amy", "amy", "bert"}, nil)

	b.visit(t, cs.URL("/uploads"))
	ups := b.text(t, "table.uploads")
	wantIn(t, "uploads", ups, []string{e.devA, e.devB, "multi-step", "one-step",
		// Table, added, modified, preserved, deleted.
		"bmi\t3\t0\t0\t0", "patient\t2\t0\t0\t0", "phq9\t2\t0\t0\t0"}, nil)
	b.visit(t, cs.URL("/uploads?device="+strconv.FormatInt(e.idB, 10)))
	wantIn(t, "uploads of B", b.text(t, "table.uploads"), []string{e.devB, "one-step"}, []string{e.devA})

	b.visit(t, cs.URL("/records"))
	wantIn(t, "table picker", b.text(t, "ul.tables"), []string{"bmi", "phq9", "patient_idnum"}, nil)
	b.visit(t, cs.URL("/records/bmi"))
	rows := b.text(t, "table.rows")
	wantIn(t, "bmi rows", rows, []string{"123.4", "98.7", "mass_kg", "NULL"}, nil)
	b.visit(t, cs.URL("/records/bmi?device="+strconv.FormatInt(e.idA, 10)))
	wantIn(t, "bmi rows of A", b.text(t, "table.rows"), []string{"123.4"}, []string{"98.7"})

	// The ID number filter through the form, then its patient view.
	b.visit(t, cs.URL("/records/patient"))
	b.do(t, "fill in the ID number",
		chromedp.SendKeys(chromedp.CSS(`input[name="which"]`), "1"),
		chromedp.SendKeys(chromedp.CSS(`input[name="value"]`), nhs1))
	b.submit(t, `form.filter button`)
	wantIn(t, "patients by NHS number", b.text(t, "table.rows"), []string{"Ann", "Smith"}, []string{"Bob"})
	b.submit(t, `#patient-link`)
	if loc := b.location(t); !strings.Contains(loc, "/patient?") {
		t.Fatalf("patient link led to %s", loc)
	}
	tasks := b.text(t, "table.tasks")
	// Ann's tasks on both devices: bmi 1 and 3 on A, bmi 1 on B, phq9 1.
	wantIn(t, "patient's tasks", tasks, []string{
		"bmi\t" + e.devA + "\tNOW", "bmi\t" + e.devB + "\tNOW", "phq9\t" + e.devA, "phq9\t" + e.devB,
		"2024-05-01T09:30:00", "2024-05-01T10:00:00"}, nil)
	if n := strings.Count(tasks, "\n"); n != 5 { // header + 5 rows
		t.Errorf("patient's tasks: %d rows, want 5:\n%s", n, tasks)
	}

	// The audit log: by operation through the form.
	b.visit(t, cs.URL("/audit"))
	b.do(t, "pick the operation", chromedp.SetValue(chromedp.CSS(`select[name="operation"]`), "upload"))
	b.submit(t, `form.filter button`)
	audit := b.text(t, "table.audit")
	wantIn(t, "audit by operation", audit, []string{"upload", "amy", "bert", e.devA}, []string{"register\t", "user_add"})
	if n := strings.Count(audit, "\tupload\t"); n != 2 {
		t.Errorf("audit: %d upload rows, want 2:\n%s", n, audit)
	}
	b.visit(t, cs.URL("/audit?operation=register&user=bert"))
	wantIn(t, "audit of bert's registration", b.text(t, "table.audit"), []string{"bert", "register"}, []string{"amy"})
}

// TestConsoleBrowserDataScoped: a user with may_use_webviewer in group
// alpha sees alpha's devices, uploads, rows and patients, and nothing of
// group beta's; the audit log is not theirs to see.
func TestConsoleBrowserDataScoped(t *testing.T) {
	e := newDataEnv(t)
	cs := e.cs
	b := newBrowser(t)
	b.login(t, cs, "vera", dataPW)
	day := time.Now().UTC().Format(time.DateOnly)

	b.visit(t, cs.URL("/"))
	if got, want := todayBar(t, b), day+": 1 upload"; got != want {
		t.Errorf("today's bar = %q, want %q", got, want)
	}
	wantIn(t, "overview", b.text(t, "main"), []string{"1 device\n", "1 upload in the last 30 days"}, []string{"Locked-out"})
	if nav := b.text(t, "nav"); strings.Contains(nav, "Audit") {
		t.Errorf("vera's navigation offers the audit log: %q", nav)
	}

	b.visit(t, cs.URL("/devices"))
	wantIn(t, "devices", b.text(t, "table.devices"), []string{e.devA}, []string{e.devB})
	b.visit(t, cs.URL("/uploads"))
	wantIn(t, "uploads", b.text(t, "table.uploads"), []string{e.devA, "bmi\t3\t0\t0\t0"}, []string{e.devB, "one-step"})
	b.visit(t, cs.URL("/uploads?device="+strconv.FormatInt(e.idB, 10)))
	wantIn(t, "uploads of B", b.text(t, "table.uploads"), []string{"No uploads."}, []string{e.devB})
	b.visit(t, cs.URL("/records/bmi"))
	wantIn(t, "bmi rows", b.text(t, "table.rows"), []string{"123.4"}, []string{"98.7"})
	b.visit(t, cs.URL("/records/bmi?device="+strconv.FormatInt(e.idB, 10)))
	wantIn(t, "bmi rows of B", b.text(t, "table.rows"), []string{"No rows."}, nil)
	b.visit(t, cs.URL("/patient?which=1&value="+nhs1))
	tasks := b.text(t, "table.tasks")
	wantIn(t, "patient's tasks", tasks, []string{"bmi\t" + e.devA, "phq9\t" + e.devA}, []string{e.devB})
	wantIn(t, "patient rows", b.text(t, "table.rows"), []string{"Ann"}, nil)
	if n := strings.Count(b.text(t, "table.rows"), "Ann"); n != 1 {
		t.Errorf("vera sees %d patient rows of Ann, want 1 (device A's)", n)
	}

	// Refusals and bad requests, as status codes.
	hc := httpClient(t)
	if r := cs.httpLogin(t, hc, "vera", dataPW); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %d", r.StatusCode)
	}
	for _, c := range []struct {
		path   string
		status int
		text   string
	}{
		{"/audit", http.StatusForbidden, "Only superusers"},
		{"/records/nosuch", http.StatusNotFound, "There is no table named &#34;nosuch&#34;."},
		{"/records/bmi?device=x", http.StatusBadRequest, "The parameter device must be a whole number."},
		{"/records/bmi?which=1", http.StatusBadRequest, "needs both its type"},
		{"/records/blobs?which=1&value=2", http.StatusBadRequest, "cannot be filtered by ID number"},
		{"/patient", http.StatusBadRequest, "Give a patient"},
		{"/uploads?before=-1", http.StatusBadRequest, "before must be a whole number"},
	} {
		resp, body := consoleDo(t, hc, http.MethodGet, cs.URL(c.path), nil, nil)
		if resp.StatusCode != c.status || !strings.Contains(body, c.text) {
			t.Errorf("GET %s = %d, want %d with %q:\n%s", c.path, resp.StatusCode, c.status, c.text, body)
		}
		if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("GET %s: Cache-Control %q", c.path, cc)
		}
	}
}
