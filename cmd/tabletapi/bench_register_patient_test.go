package main_test

import (
	"testing"

	"github.com/tabletapi/tabletapi/testclient"
)

// BenchmarkRegisterPatient: register_patient at the default bcrypt cost 12,
// one call per iteration for one patient and device (each resets the
// password). Issue 11 claims it costs about one bcrypt: compare with
// BenchmarkBcryptCompare12 (hashing and checking cost the same at one
// cost).
func BenchmarkRegisterPatient(b *testing.B) {
	skipWithoutPostgres(b)
	s := startServer(b, "--bcrypt-cost", "12")
	s.mustAdmin(b, "", "group", "add", "clinic", "--upload-policy", "sex AND anyidnum", "--finalize-policy", "sex AND anyidnum")
	s.mustAdmin(b, "", "idnum", "add", "1", "--description", "NHS number", "--short-description", "NHS")
	out := s.mustAdmin(b, "", "patient", "add", "--group", "clinic", "--sex", "F", "--forename", "Ann", "--surname", "Smith",
		"--dob", "1980-02-29", "--idnum", "1=9434765919")
	key := out[:len(out)-1]
	c := testclient.New(testclient.Config{URL: s.API, Device: testclient.NewDeviceID(),
		HTTPClient: benchHTTPClient(testclient.DefaultTimeout)})
	params := map[string]string{"patient_proquint": key}
	ctx := b.Context()
	cpu := &cpuMeter{stats: newPGStats(b, s.DBURL)}
	start := cpu.sample(b)
	n := 0
	for b.Loop() {
		r, err := c.Do(ctx, "register_patient", params)
		if err != nil {
			b.Fatal(err)
		}
		if err := r.Err(); err != nil {
			b.Fatal(err)
		}
		n++
	}
	cpu.report(b, start, n)
}
