package main_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/tabletapi/tabletapi/testclient"
)

// scrape returns the text of the server's /metrics.
func scrape(t *testing.T, s *testServer) string {
	t.Helper()
	resp, body := sendHTTP(t, http.MethodGet, s.Base+"/metrics", "", "")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/metrics: %d %q", resp.StatusCode, body)
	}
	return body
}

// sample returns the value of series (name{labels}, labels in name order)
// in a scrape, or -1 when it is absent.
func sample(text, series string) float64 {
	for _, l := range strings.Split(text, "\n") {
		if v, ok := strings.CutPrefix(l, series+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return -2
			}
			return f
		}
	}
	return -1
}

// TestMetrics: the counters move by exactly what was done, by operation
// and outcome class, records by table and change, batches, lockouts and
// throttled refusals; the pool, database, runtime and build collectors
// are there; and no label carries a user, device or patient value (the
// production issue, item 3).
func TestMetrics(t *testing.T) {
	t.Parallel()
	f := newUploadFixture(t, "--lockout-threshold", "1", "--login-throttle-burst", "1", "--path-prefix", "/camcops")
	s, c := f.s, f.c
	const (
		user     = "Userzq7Distinct"
		device   = "Devicezq7Distinct"
		forename = "Forenamezq7Distinct"
		surname  = "Surnamezq7Distinct"
		email    = "zq7@distinct.example"
	)

	// Batch 1 inserts 3 bmi records and a patient; batch 2 modifies
	// record 1, preserves record 2 (moved off the tablet) and removes
	// record 3; batch 3 is rolled back by batch 4's start.
	f.s.step(t, c, "start_upload", nil, "start_upload")
	f.uploadBMI(t, bmiRecord(1, 0, wlm1, "70"), bmiRecord(2, 0, wlm1, "71"), bmiRecord(3, 0, wlm1, "72"))
	f.s.step(t, c, "upload_table", uploadTableOf("patient", patientFields,
		"1,0,'2024-05-01T09:00:00.000+01:00','"+forename+"','"+surname+"','F','1944-04-04','"+email+"','1 Zq7 Road',NULL,NULL"),
		"Table patient upload successful")
	f.s.step(t, c, "end_upload", nil, "end_upload")
	f.batchBMI(t, bmiRecord(1, 0, wlm2, "80"), bmiRecord(2, 1, wlm1, "71"))
	f.s.step(t, c, "start_upload", nil, "start_upload")
	f.uploadBMI(t, bmiRecord(4, 0, wlm1, "74"))
	f.s.step(t, c, "start_upload", nil, "start_upload")

	// A refused login (user_error), then a throttled one; an unknown
	// operation; a 405 and a 400 (operation unknown).
	bad := testclient.New(testclient.Config{URL: s.API, Device: device, User: user, Password: "wrong"})
	for range 2 {
		if _, err := bad.CheckDeviceRegistered(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.Do(t.Context(), "no_such_operation", nil); err != nil {
		t.Fatal(err)
	}
	if resp, _ := sendHTTP(t, http.MethodGet, s.API, "", ""); resp.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("GET: %d, want 405", resp.StatusCode)
	}
	if resp, _ := sendHTTP(t, http.MethodPost, s.API, testclient.FormContentType, "x=1"); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("garbage: %d, want 400", resp.StatusCode)
	}
	s.waitRequests(t, "check_device_registered", 2)
	s.waitRequests(t, "no_such_operation", 1)

	m := scrape(t, s)
	for series, want := range map[string]float64{
		`tabletapi_requests_total{operation="start_upload",outcome="ok"}`:                    4,
		`tabletapi_requests_total{operation="end_upload",outcome="ok"}`:                      2,
		`tabletapi_requests_total{operation="upload_table",outcome="ok"}`:                    4,
		`tabletapi_requests_total{operation="check_device_registered",outcome="user_error"}`: 2,
		`tabletapi_requests_total{operation="unknown",outcome="user_error"}`:                 1,
		`tabletapi_requests_total{operation="unknown",outcome="4xx"}`:                        2,
		`tabletapi_requests_total{operation="end_upload",outcome="5xx"}`:                     0,
		`tabletapi_request_duration_seconds_count{operation="end_upload"}`:                   2,
		`tabletapi_upload_records_total{change="inserted",table="bmi"}`:                      4, // 3, then record 1's new version
		`tabletapi_upload_records_total{change="inserted",table="patient"}`:                  1,
		`tabletapi_upload_records_total{change="modified",table="bmi"}`:                      1,
		`tabletapi_upload_records_total{change="preserved",table="bmi"}`:                     1,
		`tabletapi_upload_records_total{change="removed",table="bmi"}`:                       1,
		`tabletapi_upload_batches_committed_total`:                                           2,
		`tabletapi_upload_batches_rolled_back_total`:                                         1,
		`tabletapi_lockouts_total`:                                                           1,
		`tabletapi_throttled_requests_total`:                                                 1,
		`tabletapi_throttled_ips`:                                                            1,
		`tabletapi_bcrypt_workers_busy`:                                                      0,
		`tabletapi_bcrypt_queue_length`:                                                      0,
		`tabletapi_build_info{version="0.1.0"}`:                                              1,
		`go_sql_max_open_connections{db_name="main"}`:                                        -3, // present: checked below
	} {
		got := sample(m, series)
		if want == -3 {
			if got < 0 {
				t.Errorf("%s absent", series)
			}
			continue
		}
		if got != want && !(want == 0 && got == -1) {
			t.Errorf("%s = %v, want %v", series, got, want)
		}
	}
	for _, name := range []string{"tabletapi_bcrypt_wait_seconds_count ", "go_goroutines ", "go_build_info{", "process_cpu_seconds_total "} {
		if !strings.Contains(m, "\n"+name) {
			t.Errorf("no %s in /metrics", strings.TrimSpace(name))
		}
	}
	for _, v := range []string{user, device, forename, surname, email, "1944-04-04", "Zq7", "alice", c.Device(), "no_such_operation"} {
		if strings.Contains(m, v) {
			t.Errorf("/metrics holds %q", v)
		}
	}
	// At the root, never under the prefix.
	if resp, _ := sendHTTP(t, http.MethodGet, s.Base+"/camcops/metrics", "", ""); resp.StatusCode != http.StatusNotFound {
		t.Errorf("/camcops/metrics: %d, want 404", resp.StatusCode)
	}
}

// TestMetrics_Off: --metrics=false, or TABLETAPI_METRICS=false, leaves
// no /metrics.
func TestMetrics_Off(t *testing.T) {
	t.Parallel()
	s := startServer(t, "--metrics=false")
	if resp, _ := sendHTTP(t, http.MethodGet, s.Base+"/metrics", "", ""); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("/metrics with --metrics=false: %d, want 404", resp.StatusCode)
	}
}
