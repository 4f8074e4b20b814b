package sim_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/tabletapi/tabletapi/testclient/sim"
	"github.com/tabletapi/tabletapi/testclient/sim/simtest"
)

// failOn makes the fake answer op with f.
func failOn(srv *simtest.Server, op string, f simtest.Fault) {
	srv.SetFault(func(r simtest.Request) *simtest.Fault {
		if r.Op == op {
			return &f
		}
		return nil
	})
}

func TestTablet_Upload_Failures(t *testing.T) {
	for _, tc := range []struct {
		name      string
		op        string
		fault     simtest.Fault
		kind      sim.ErrorKind
		retryable bool
		unsettled bool
	}{
		{"ErrServer", "upload_table", simtest.Fault{Error: "Invalid field name for table 'bmi': 'x'"}, sim.KindServer, false, false},
		{"Err503", "end_upload", simtest.Fault{Status: 503, Error: "Database unavailable"}, sim.KindStatus, true, false},
		{"ErrDroppedBeforeCommit", "which_keys_to_send", simtest.Fault{Drop: true}, sim.KindTransport, true, false},
		{"ErrLostCommitReply", "end_upload", simtest.Fault{Drop: true}, sim.KindTransport, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := simtest.New(t)
			tab := standardTablet(t, srv)
			before := tab.Rows("bmi")
			failOn(srv, tc.op, tc.fault)
			_, err := tab.Upload(context.Background(), sim.Copy, false)
			var rerr *sim.RequestError
			if !errors.As(err, &rerr) || rerr.Op != tc.op || rerr.Kind != tc.kind || rerr.Retryable() != tc.retryable {
				t.Fatalf("err = %#v, want kind %v at %s, retryable %v", err, tc.kind, tc.op, tc.retryable)
			}
			if tc.fault.Error != "" && !strings.Contains(err.Error(), tc.fault.Error) {
				t.Errorf("err = %v, want the server's message", err)
			}
			if ops := srv.Ops(); ops[len(ops)-1] != tc.op {
				t.Errorf("the tablet went on after %s: %q", tc.op, ops)
			}
			if tab.Unsettled() != tc.unsettled {
				t.Errorf("Unsettled() = %v, want %v", tab.Unsettled(), tc.unsettled)
			}
			if after := tab.Rows("bmi"); len(after) != len(before) {
				t.Errorf("a failed upload changed the local data: %d bmi rows, had %d", len(after), len(before))
			}

			// The tablet's retry: the whole sequence again, with a new session.
			srv.SetFault(nil)
			srv.Reset()
			mustUpload(t, tab, sim.Copy, false)
			if tab.Unsettled() {
				t.Error("still unsettled after a successful upload")
			}
			if ops := srv.Ops(); ops[0] != "check_device_registered" {
				t.Errorf("the retry starts with %s", ops[0])
			}
			wantSessions(t, srv.Requests())
		})
	}
}

func TestTablet_Upload_LocalChecks(t *testing.T) {
	t.Run("ErrServerInfoChanged", func(t *testing.T) {
		srv := simtest.New(t)
		tab := standardTablet(t, srv)
		srv.SetUploadPolicy("sex AND idnum1")
		_, err := tab.Upload(context.Background(), sim.Copy, true)
		var rerr *sim.RequestError
		if !errors.As(err, &rerr) || rerr.Kind != sim.KindLocal || rerr.Op != "get_id_info" {
			t.Fatalf("err = %v, want a local error at get_id_info", err)
		}
		if got := srv.Ops(); len(got) != 3 {
			t.Errorf("ops = %q, want the tablet to stop after get_id_info", got)
		}
	})
	t.Run("ErrTableNotOnServer", func(t *testing.T) {
		srv := simtest.New(t)
		tab := standardTablet(t, srv)
		srv.SetTables([]string{"blobs", "patient", "patient_idnum", "phq9"})
		_, err := tab.Upload(context.Background(), sim.Copy, false)
		var rerr *sim.RequestError
		if !errors.As(err, &rerr) || rerr.Kind != sim.KindLocal || !strings.Contains(err.Error(), "table bmi") {
			t.Fatalf("err = %v, want a local error naming bmi", err)
		}
		if got := srv.Ops(); !slices.Equal(got, preamble) {
			t.Errorf("ops = %q, want only the preamble", got)
		}
	})
	t.Run("EmptyTableNotOnServer", func(t *testing.T) {
		srv := simtest.New(t)
		tab := standardTablet(t, srv)
		srv.SetTables([]string{"blobs", "bmi", "patient", "patient_idnum"})
		mustUpload(t, tab, sim.Copy, false)
		if slices.Contains(srv.Ops(), "upload_empty_tables") {
			t.Error("the tablet sent upload_empty_tables for phq9, which the server lacks")
		}
	})
	t.Run("ErrNotRegistered", func(t *testing.T) {
		srv := simtest.New(t)
		_, err := newTablet(t, srv).Upload(context.Background(), sim.Copy, true)
		var rerr *sim.RequestError
		if !errors.As(err, &rerr) || rerr.Kind != sim.KindLocal || len(srv.Ops()) != 0 {
			t.Fatalf("err = %v after %d requests, want a local error and none sent", err, len(srv.Ops()))
		}
	})
}
