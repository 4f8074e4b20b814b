package sim_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tabletapi/tabletapi/testclient/sim"
	"github.com/tabletapi/tabletapi/testclient/sim/simtest"
)

// loadConfig is a small load against the fake: Move multi-step and Copy
// one-step need no server state (the fake asks for every BLOB and answers
// UPLOAD-INSERT, as a server does after a Move).
func loadConfig(srv *simtest.Server) sim.LoadConfig {
	return sim.LoadConfig{
		URL: srv.URL, User: "alice", Password: "pw!", Tablets: 4, Records: 5, Rounds: 3, Concurrency: 2,
		Methods: []sim.Method{sim.Move}, Steps: sim.MultiStepOnly, Seed: 1, RetryPause: time.Millisecond,
	}
}

func TestRunLoad(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		srv := simtest.New(t)
		var progress bytes.Buffer
		cfg := loadConfig(srv)
		cfg.Progress = &progress
		sum, err := sim.RunLoad(context.Background(), cfg)
		if err != nil {
			t.Fatalf("RunLoad: %v", err)
		}
		if sum.Registrations != 4 || sum.Uploads != 12 || sum.UploadsByMethod["Move"] != 12 || sum.SequencesFailed != 0 || !sum.OK() {
			t.Errorf("summary %+v", sum)
		}
		// The probe is not counted.
		if got := len(srv.Requests()) - 1; sum.Requests != got {
			t.Errorf("summary counts %d requests, the server saw %d", sum.Requests, got)
		}
		if len(sum.Errors) != 0 || sum.RecordsSent == 0 || len(sum.Latency) == 0 || len(sum.Tablets) != 4 {
			t.Errorf("errors %v, records %d, latency %v, %d tablets", sum.Errors, sum.RecordsSent, sum.Latency, len(sum.Tablets))
		}
		if sum.Latency[0].Operation != "register" || sum.Latency[0].Count != 4 || sum.Latency[0].P50 <= 0 {
			t.Errorf("first latency row %+v, want register ×4", sum.Latency[0])
		}
		if !strings.Contains(progress.String(), "16/16 sequences") {
			t.Errorf("progress = %q", progress.String())
		}
		var text, js bytes.Buffer
		if err := sum.WriteText(&text); err != nil || !strings.Contains(text.String(), "16 done: 4 registrations, 12 uploads") {
			t.Errorf("WriteText: %v\n%s", err, text.String())
		}
		var back map[string]any
		if err := sum.WriteJSON(&js); err != nil || json.Unmarshal(js.Bytes(), &back) != nil || back["uploads"] != 12.0 {
			t.Errorf("WriteJSON: %v\n%s", err, js.String())
		}
	})
	t.Run("ManyTables", func(t *testing.T) {
		reg, s := syntheticSchema(t, true)
		srv := simtest.New(t)
		srv.SetRegistry(reg)
		cfg := loadConfig(srv)
		cfg.Schema, cfg.Records, cfg.Steps = s, 30, sim.MixedSteps
		cfg.Methods = []sim.Method{sim.Move, sim.MoveKeepingPatients}
		sum, err := sim.RunLoad(context.Background(), cfg)
		if err != nil {
			t.Fatalf("RunLoad: %v", err)
		}
		// Of the 25 tables, 3 need a newer client or belong to a task
		// that does; over 12 uploads every other one is written.
		if !sum.OK() || sum.Tables != 25 || sum.TablesWritten != 22 {
			t.Fatalf("summary: OK %v, %d tables, %d written, failures %q", sum.OK(), sum.Tables, sum.TablesWritten, sum.Failures)
		}
		var text bytes.Buffer
		want := fmt.Sprintf("records of %d of the registry's 25 tables uploaded", sum.TablesWritten)
		if err := sum.WriteText(&text); err != nil || !strings.Contains(text.String(), want) {
			t.Errorf("WriteText: %v\n%s\nwant %q", err, text.String(), want)
		}
		written := map[string]bool{}
		for _, r := range srv.Requests() {
			written[r.Params["table"]] = true
		}
		for _, table := range []string{simtest.FutureTask, simtest.FutureTaskChild, simtest.FutureChild} {
			if written[table] {
				t.Errorf("a tablet wrote %s", table)
			}
		}
	})
	t.Run("ErrNoTaskForVersion", func(t *testing.T) {
		srv := simtest.New(t)
		cfg := loadConfig(srv)
		cfg.CamcopsVersion = "2.0.0"
		cfg.Schema = mustSchema(mustParse(strings.ReplaceAll(testTables, "kind=task pk=id min_version=2.0.0", "kind=task pk=id min_version=2.4.0")))
		sum, err := sim.RunLoad(context.Background(), cfg)
		if sum != nil || err == nil || err.Error() != "sim: none of the 2 task tables of the registry may be uploaded by client version 2.0.0" {
			t.Fatalf("RunLoad = %v, %v", sum, err)
		}
		if n := len(srv.Requests()); n != 0 {
			t.Errorf("%d requests sent, want none", n)
		}
	})
	t.Run("Chaos", func(t *testing.T) {
		srv := simtest.New(t)
		cfg := loadConfig(srv)
		cfg.Steps, cfg.ChaosRate, cfg.MaxAttempts = sim.MixedSteps, 0.3, 10
		cfg.Methods = []sim.Method{sim.Move, sim.MoveKeepingPatients}
		sum, err := sim.RunLoad(context.Background(), cfg)
		if err != nil {
			t.Fatalf("RunLoad: %v", err)
		}
		if !sum.OK() || sum.Uploads != 12 || sum.Retries == 0 || sum.Dropped == 0 {
			t.Errorf("summary: OK %v, %d uploads, %d retries, %d dropped, failures %q",
				sum.OK(), sum.Uploads, sum.Retries, sum.Dropped, sum.Failures)
		}
		for _, g := range sum.Errors {
			if !g.Injected {
				t.Errorf("error %q was not injected", g.Message)
			}
		}
	})
	t.Run("Failures", func(t *testing.T) {
		srv := simtest.New(t)
		failOn(srv, "upload_table", simtest.Fault{Error: "Invalid client table name: bmi"})
		sum, err := sim.RunLoad(context.Background(), loadConfig(srv))
		if err != nil {
			t.Fatalf("RunLoad: %v", err)
		}
		if sum.OK() || sum.SequencesFailed != 4 || sum.Uploads != 0 || len(sum.Failures) != 4 ||
			len(sum.Errors) != 1 || sum.Errors[0].Count != 4 || sum.Errors[0].Message != "upload_table: Invalid client table name: bmi" {
			t.Errorf("summary: %d failed, %d uploads, errors %+v, failures %q", sum.SequencesFailed, sum.Uploads, sum.Errors, sum.Failures)
		}
	})
	t.Run("ErrLogin", func(t *testing.T) {
		srv := simtest.New(t)
		failOn(srv, "register", simtest.Fault{Error: "Invalid username/password (or user not authorized)"})
		sum, err := sim.RunLoad(context.Background(), loadConfig(srv))
		if sum != nil || err == nil || !strings.Contains(err.Error(), "register: Invalid username/password") {
			t.Fatalf("RunLoad = %v, %v; want no summary and the login error", sum, err)
		}
		if n := len(srv.Requests()); n != 2 {
			t.Errorf("%d requests, want the probe and one register", n)
		}
	})
	t.Run("Interrupted", func(t *testing.T) {
		srv := simtest.New(t)
		ctx, cancel := context.WithCancel(context.Background())
		srv.SetFault(func(r simtest.Request) *simtest.Fault {
			if r.Op == "end_upload" {
				cancel()
			}
			return nil
		})
		sum, err := sim.RunLoad(ctx, loadConfig(srv))
		if sum == nil || err != context.Canceled {
			t.Fatalf("RunLoad = %v, %v; want a summary and context.Canceled", sum, err)
		}
	})
}
