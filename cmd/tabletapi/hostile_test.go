package main_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tabletapi/tabletapi/testclient"
)

// Hostile bodies (the hardening issue, items 3, 4 and 10): declared
// lengths over the limit, slow bodies that declare much and send little,
// the memory budget of all bodies held at once, bodies built to make the
// form decoder amplify, and NUL bytes.

// rawPost opens a connection to the API at api and sends the headers of a
// form POST declaring length bytes, with any extra header lines, then the
// first sent bytes of the body. The connection closes when the test ends.
func rawPost(tb testing.TB, api string, length int, extra, sent string) net.Conn {
	tb.Helper()
	u, err := url.Parse(api)
	if err != nil {
		tb.Fatal(err)
	}
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { conn.Close() })
	if _, err := fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n%s\r\n%s",
		u.Path, u.Host, testclient.FormContentType, length, extra, sent); err != nil {
		tb.Fatal(err)
	}
	return conn
}

// TestHostile_DeclaredLengthOverLimit: a Content-Length over
// --max-body-bytes gets 413 at once, before any of the body is sent
// (PROTOCOL 1.2); the server used to wait for the body.
func TestHostile_DeclaredLengthOverLimit(t *testing.T) {
	t.Parallel()
	const limit = 1 << 20
	s := startServer(t, "--max-body-bytes", fmt.Sprint(limit))
	conn := rawPost(t, s.API, limit+1, "", "")
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no reply before the body was sent: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("status %d, want 413", resp.StatusCode)
	}
}

// TestHostile_SlowBodiesReserveWhatArrived: twenty clients that each
// declare the largest body and send one byte hold memory for what they
// sent, not for what they declared: each is read (none is refused), and
// the budget of --max-inflight-body-bytes still has room for a tablet.
func TestHostile_SlowBodiesReserveWhatArrived(t *testing.T) {
	t.Parallel()
	const limit = 1 << 20
	s := startServer(t, "--max-body-bytes", fmt.Sprint(limit), "--max-inflight-body-bytes", fmt.Sprint(2*limit))
	for i := range 20 {
		c := rawPost(t, s.API, limit, "Expect: 100-continue\r\n", "")
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatalf("slow body %d: %v", i, err)
		}
		if resp.StatusCode != http.StatusContinue {
			t.Fatalf("slow body %d: %s; want it read (100 Continue), not refused", i, resp.Status)
		}
		io.WriteString(c, "k")
	}
	r := postBody(t, s.API, testclient.FormContentType,
		testclient.EncodeForm(loginForm("check_device_registered", testclient.NewDeviceID(), "", "")))
	wantReply(t, r, http.StatusOK, "success:0\nerror:Unregistered device\nsession_id:\nsession_token:\n")
}

// TestHostile_BodyBudget: while the bodies being read take the whole of
// --max-inflight-body-bytes, a request is answered at once with 503
// "Server busy; try again later"; once they are gone, requests pass again.
func TestHostile_BodyBudget(t *testing.T) {
	t.Parallel()
	// Bodies of at most 64 KiB are read into one buffer of their declared
	// length, reserved before the first read; net/http answers "100
	// Continue" at that read, so the test knows when both are reserved.
	const limit = 60000
	s := startServer(t, "--max-body-bytes", fmt.Sprint(limit), "--max-inflight-body-bytes", fmt.Sprint(2*limit))
	var slow []net.Conn
	for range 2 {
		c := rawPost(t, s.API, limit, "Expect: 100-continue\r\n", "")
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil || resp.StatusCode != http.StatusContinue {
			t.Fatalf("slow body not being read: %v %v", resp, err)
		}
		slow = append(slow, c)
	}
	body := testclient.EncodeForm(loginForm("check_device_registered", testclient.NewDeviceID(), "", ""))
	r := postBody(t, s.API, testclient.FormContentType, body)
	wantReply(t, r, http.StatusServiceUnavailable, "success:0\nerror:Server busy; try again later\nsession_id:\nsession_token:\n")
	wantAPIHeaders(t, r.Header)
	// Counted as a 5xx before its operation was read.
	if got := sample(scrape(t, s), `tabletapi_requests_total{operation="unknown",outcome="5xx"}`); got != 1 {
		t.Errorf("5xx requests counted: %v, want 1", got)
	}
	for _, c := range slow {
		c.Close()
	}
	// Each closed body ends its request with one log line; its memory is
	// released after that line, when the handler returns, and nothing is
	// logged then. So the test waits for the lines, and polls only for the
	// short step from there to the release.
	s.Log.waitFor(t, "the slow bodies' ends", nil, func(log string) bool {
		return strings.Count(log, `msg="request body unreadable"`) >= len(slow)
	})
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		r = postBody(t, s.API, testclient.FormContentType, body)
		if r.Status == http.StatusOK || time.Now().After(deadline) {
			break
		}
	}
	wantReply(t, r, http.StatusOK, "success:0\nerror:Unregistered device\nsession_id:\nsession_token:\n")
	if !strings.Contains(s.Log.String(), "memory for request bodies exhausted") {
		t.Errorf("the refusal is not logged:\n%s", s.Log)
	}
}

// TestHostile_AmplifyingBody: a body of millions of keys no operation
// reads, ending with a valid request, gets that request's reply (the
// decoder's own bounds are TestDecodeForm_Hostile's).
func TestHostile_AmplifyingBody(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	valid := testclient.EncodeForm(loginForm("check_device_registered", testclient.NewDeviceID(), "", ""))
	for _, unit := range []string{"k&", "=&", "colour=red&", "record999999=x&"} {
		body := strings.Repeat(unit, (8<<20)/len(unit)) + valid
		r := postBody(t, s.API, testclient.FormContentType, body)
		wantReply(t, r, http.StatusOK, "success:0\nerror:Unregistered device\nsession_id:\nsession_token:\n")
	}
}

// TestHostile_NUL: a NUL byte in a plain parameter is the plain 400
// (PROTOCOL 2.2 rule 6), before anything is stored; the database would
// refuse it, and a tablet would retry an internal error for ever. Record
// values and JSON judge a NUL by their own rules.
func TestHostile_NUL(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	const pw = "hardening-pw"
	s.addUser(t, "g", "alice", pw, "--may-upload", "--may-register-devices")
	dev := testclient.NewDeviceID()
	for name, edit := range map[string]func(map[string]string){
		"FriendlyName":   func(f map[string]string) { f["devicefriendlyname"] = "Ward\x003" },
		"Password":       func(f map[string]string) { f["password"] = pw + "\x00" },
		"UnusedKey":      func(f map[string]string) { f["colour"] = "\x00" },
		"SessionToken":   func(f map[string]string) { f["session_id"], f["session_token"] = "1", "\x00" },
		"CamcopsVersion": func(f map[string]string) { f["camcops_version"] = "2.4.24\x00" },
	} {
		t.Run(name, func(t *testing.T) {
			f := loginForm("register", dev, "alice", pw)
			edit(f)
			resp, b := sendHTTP(t, http.MethodPost, s.API, testclient.FormContentType, testclient.EncodeForm(f))
			if resp.StatusCode != http.StatusBadRequest || b != plain400 {
				t.Fatalf("reply = %d %q, want 400 %q", resp.StatusCode, b, plain400)
			}
		})
	}
	if n := s.count(t, "devices", "name = ?", dev); n != 0 {
		t.Fatalf("%d device rows after NUL bytes, want none", n)
	}
	// The same device registers once the NUL is gone, and a NUL in a JSON
	// parameter gets that parameter's own error.
	c := testclient.New(testclient.Config{URL: s.API, Device: dev, User: "alice", Password: pw})
	if _, err := c.RegisterSequence(context.Background(), "Ward 3"); err != nil {
		t.Fatal(err)
	}
	r, err := c.Do(context.Background(), "validate_patients", map[string]string{"patient_info": "[\x00]"})
	if err != nil {
		t.Fatal(err)
	}
	wantReply(t, r, http.StatusOK, "success:0\nerror:Bad JSON for key 'patient_info'\nsession_id:{session_id}\nsession_token:{session_token}\n")
}

// TestHostile_HugeNRecords: nrecords is only the client's word; a count
// far beyond what was sent gets the error of the first missing record,
// and reserves nothing first (2^40 used to kill the server).
func TestHostile_HugeNRecords(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	const pw = "hardening-pw"
	c := s.addUploader(t, "g", "alice", pw)
	ctx := context.Background()
	r, err := c.Do(ctx, "upload_table", map[string]string{"table": "bmi", "pkname": "id",
		"fields": "id,when_last_modified,_move_off_tablet", "nrecords": "1099511627776",
		"record0": "1,'2024-01-01T10:00:00.000+00:00',0"})
	if err != nil {
		t.Fatal(err)
	}
	wantReply(t, r, http.StatusOK, "success:0\nerror:Must provide the variable: record1\nsession_id:{session_id}\nsession_token:{session_token}\n")
}
