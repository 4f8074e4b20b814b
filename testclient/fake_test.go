package testclient_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"

	"github.com/tabletapi/tabletapi/testclient"
)

// testDevice is the device of the example in PROTOCOL 12.1.
const testDevice = "{6b1c0f6e-2d55-4f0e-9a51-1f3c2b7d9e10}"

// request is what the fake server saw of one request.
type request struct {
	Body        string
	ContentType string
	UserAgent   string
	Form        url.Values
}

// replyFunc answers the n-th request (from 0) with a status and a body.
type replyFunc func(n int, form url.Values) (status int, body string)

// fakeAPI is a hand-written stand-in for the server: it records each request
// and answers with its replyFunc.
type fakeAPI struct {
	srv   *httptest.Server
	reply replyFunc

	mu       sync.Mutex
	requests []request
}

// newFakeAPI starts a fakeAPI that is closed when the test ends.
func newFakeAPI(tb testing.TB, reply replyFunc) *fakeAPI {
	tb.Helper()
	f := &fakeAPI{reply: reply}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	tb.Cleanup(f.srv.Close)
	return f
}

func (f *fakeAPI) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	form, _ := url.ParseQuery(string(body))
	f.mu.Lock()
	n := len(f.requests)
	f.requests = append(f.requests, request{
		Body:        string(body),
		ContentType: r.Header.Get("Content-Type"),
		UserAgent:   r.Header.Get("User-Agent"),
		Form:        form,
	})
	f.mu.Unlock()
	status, reply := f.reply(n, form)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	io.WriteString(w, reply)
}

// Requests returns the requests seen so far.
func (f *fakeAPI) Requests() []request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]request(nil), f.requests...)
}

// Client returns a client of f for alice with the example's device.
func (f *fakeAPI) Client() *testclient.Client {
	return testclient.New(testclient.Config{URL: f.srv.URL + "/api", Device: testDevice, User: "alice", Password: "pw!"})
}

// replies answers the n-th request with bodies[n] and status 200, and with a
// failure once the list is used up.
func replies(bodies ...string) replyFunc {
	return func(n int, _ url.Values) (int, string) {
		if n < len(bodies) {
			return http.StatusOK, bodies[n]
		}
		return http.StatusOK, "success:0\nerror:unexpected request\nsession_id:\nsession_token:\n"
	}
}

// ok is a success reply with the given result and session.
func ok(result, id, token string) string {
	return "result:" + result + "\nsuccess:1\nsession_id:" + id + "\nsession_token:" + token + "\n"
}

// fail is a failure reply with the given message and session.
func fail(msg, id, token string) string {
	return "success:0\nerror:" + msg + "\nsession_id:" + id + "\nsession_token:" + token + "\n"
}
