package main_test

import (
	"bufio"
	"io"
	"maps"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/tabletapi/tabletapi/testclient"
)

// End-to-end tests of the rule for requests of an earlier attempt
// (PROTOCOL 8.3.2 step 4, D10a).

const msgEarlierAttempt = "Upload interrupted: this request belongs to an earlier upload attempt. Please upload again."

// heldRequest is a tablet request whose body is held back. Its headers went
// with Expect: 100-continue, and the server has answered 100 Continue,
// which net/http does when the handler first reads the body: the server
// has received the request and waits for the rest, as it would for a body
// slowed down on the network.
type heldRequest struct {
	conn net.Conn
	br   *bufio.Reader
	body []byte
}

// holdRequest sends the headers of a request with form to api and waits
// until the server has received it.
func holdRequest(t *testing.T, api string, form map[string]string) *heldRequest {
	t.Helper()
	body := []byte(testclient.EncodeForm(form))
	conn := rawPost(t, api, len(body), "Expect: 100-continue\r\n", "")
	if err := conn.SetDeadline(time.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	h := &heldRequest{conn: conn, br: bufio.NewReader(conn), body: body}
	resp, err := http.ReadResponse(h.br, nil)
	if err != nil {
		t.Fatalf("waiting for 100 Continue: %v", err)
	}
	if resp.StatusCode != http.StatusContinue {
		t.Fatalf("status %d, want 100 Continue", resp.StatusCode)
	}
	return h
}

// release sends the body and returns the reply.
func (h *heldRequest) release(t *testing.T) *testclient.Reply {
	t.Helper()
	if _, err := h.conn.Write(h.body); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(h.br, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return testclient.ParseReply(resp.StatusCode, resp.Header, data)
}

// TestBatchEarlierAttempt: a tablet's upload_table and end_upload are held
// up on the way; it gives up and uploads again from start_upload. When
// they arrive, after the retry's start_upload and first table, both are
// refused and change nothing: the end_upload would otherwise commit the
// retry's batch half sent. The retry then finishes. Also when the retry
// goes to another gateway instance on the same database, whose batch start
// the first instance reads.
func TestBatchEarlierAttempt(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name         string
		otherGateway bool
	}{{"OneGateway", false}, {"RetryViaAnotherGateway", true}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newUploadFixture(t)
			retry := f.c
			if tc.otherGateway {
				s2 := startServerOn(t, f.s.DBURL)
				retry = testclient.New(testclient.Config{URL: s2.API, Device: f.c.Device(), User: "alice", Password: "pw!-secret"})
			}
			f.s.step(t, f.c, "start_upload", nil, "start_upload")
			f.uploadBMI(t, bmiRecord(1, 0, wlm1, "70"))
			form := func(op string, params map[string]string) map[string]string {
				p := map[string]string{
					"operation": op, "camcops_version": testclient.DefaultCamcopsVersion,
					"device": f.c.Device(), "user": "alice", "password": "pw!-secret",
				}
				maps.Copy(p, params)
				return p
			}
			lateTable := holdRequest(t, f.s.API, form("upload_table", uploadTableOf("bmi", bmiFields, bmiRecord(9, 0, wlm1, "90"))))
			lateEnd := holdRequest(t, f.s.API, form("end_upload", nil))

			retry.ResetSession()
			f.s.step(t, retry, "start_upload", nil, "start_upload")
			f.s.step(t, retry, "start_preservation", nil, "STARTPRESERVATION")
			f.s.step(t, retry, "upload_table", uploadTableOf("bmi", bmiFields, bmiRecord(1, 0, wlm1, "70"), bmiRecord(2, 0, wlm1, "71")),
				"Table bmi upload successful")
			before := f.snapshot(t, "bmi")
			for _, late := range []struct {
				op string
				h  *heldRequest
			}{{"upload_table", lateTable}, {"end_upload", lateEnd}} {
				wantReply(t, late.h.release(t), http.StatusOK,
					"success:0\nerror:"+msgEarlierAttempt+"\nsession_id:{session_id}\nsession_token:{session_token}\n")
				wantSameSnapshot(t, "the late "+late.op, before, f.snapshot(t, "bmi"))
			}
			if a := f.audits(t); len(a) != 0 {
				t.Fatalf("audits = %q, want none before the retry's end_upload", a)
			}

			f.s.step(t, retry, "upload_empty_tables", map[string]string{"tables": "phq9"}, "UPLOAD-EMPTY-TABLES")
			f.s.step(t, retry, "end_upload", nil, "end_upload")
			rows := f.rows(t, "bmi")
			if len(rows) != 2 || rows[0].ID != 1 || rows[1].ID != 2 || rows[0].Era == "NOW" || rows[1].Era == "NOW" {
				t.Fatalf("rows = %+v, want the retry's bmi 1 and 2, preserved", rows)
			}
		})
	}
}
