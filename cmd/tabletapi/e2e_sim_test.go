package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tabletapi/tabletapi/testclient/sim"
)

// TestSimulatedFleet: simulated tablets upload by every method, multi-step
// and one-step, with connections dropped at random and whole sequences
// retried as a tablet would; afterwards every record any tablet was told
// was uploaded is stored exactly once, and nothing else is (issue 4).
func TestSimulatedFleet(t *testing.T) {
	s := startServer(t)
	s.addUser(t, "research", "alice", "pw!-secret", "--may-upload", "--may-register-devices")
	s.mustAdmin(t, "", "idnum", "add", "1", "--description", "NHS number", "--short-description", "NHS", "--validation", "uk_nhs_number")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	sum, err := sim.RunLoad(ctx, sim.LoadConfig{
		URL: s.API, User: "alice", Password: "pw!-secret",
		Tablets: 6, Records: 15, Rounds: 3, Concurrency: 3,
		ChaosRate: 0.05, Seed: 7, RetryPause: 10 * time.Millisecond,
	})
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	var out bytes.Buffer
	sum.WriteText(&out) //nolint:errcheck // a bytes.Buffer
	if !sum.OK() {
		t.Fatalf("load failed:\n%s", out.String())
	}
	rep, err := sim.Verify(ctx, s.DB, sum.Tablets)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if !rep.OK() {
		t.Fatalf("verify:\n%s\nsummary:\n%s", rep, out.String())
	}
	// A dropped connection is the tablet's doing, not a server fault.
	if strings.Contains(s.Log.String(), "level=ERROR") {
		t.Fatalf("server logged errors:\n%s", s.Log)
	}
}
