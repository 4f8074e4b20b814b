package testclient_test

import (
	"errors"
	"net/url"
	"slices"
	"testing"

	"github.com/tabletapi/tabletapi/testclient"
)

func TestClient_Operations(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t, func(_ int, form url.Values) (int, string) {
		return 200, ok(form.Get("operation"), "", "")
	})
	c := f.Client()
	for _, call := range []func() (*testclient.Reply, error){
		func() (*testclient.Reply, error) { return c.CheckDeviceRegistered(t.Context()) },
		func() (*testclient.Reply, error) { return c.Register(t.Context(), "") },
		func() (*testclient.Reply, error) { return c.GetAllowedTables(t.Context()) },
		func() (*testclient.Reply, error) { return c.GetExtraStrings(t.Context()) },
		func() (*testclient.Reply, error) { return c.GetIDInfo(t.Context()) },
		func() (*testclient.Reply, error) { return c.CheckUploadUserAndDevice(t.Context()) },
	} {
		if _, err := call(); err != nil {
			t.Fatal(err)
		}
	}
	var ops []string
	for _, r := range f.Requests() {
		ops = append(ops, r.Form.Get("operation"))
		if n := len(r.Form); n != 5 && !(r.Form.Get("operation") == "register" && n == 6) {
			t.Errorf("%s sent %d parameters: %s", r.Form.Get("operation"), n, r.Body)
		}
	}
	want := []string{"check_device_registered", "register", "get_allowed_tables", "get_extra_strings", "get_id_info", "check_upload_user_and_device"}
	if !slices.Equal(ops, want) {
		t.Errorf("operations = %q, want %q", ops, want)
	}
	if reg := f.Requests()[1]; !reg.Form.Has("devicefriendlyname") {
		t.Errorf("register without devicefriendlyname: %s", reg.Body)
	}
}

func TestClient_RegisterSequence(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		f := newFakeAPI(t, replies(
			"databaseTitle:Test\nserverCamcopsVersion:2.4.24\nsuccess:1\nsession_id:17\nsession_token:tok\n",
			"nfields:2\nfields:tablename,min_client_version\nnrecords:1\nrecord0:'bmi','2.0.0'\nsuccess:1\nsession_id:17\nsession_token:tok\n",
			"nfields:4\nfields:task,name,language,value\nnrecords:0\nsuccess:1\nsession_id:17\nsession_token:tok\n",
		))
		c := f.Client()
		got, err := c.RegisterSequence(t.Context(), "Ward 3 tablet")
		if err != nil {
			t.Fatal(err)
		}
		if v, _ := got.Register.Get("databaseTitle"); v != "Test" {
			t.Errorf("register reply = %q", got.Register.Body)
		}
		if b, err := got.AllowedTables.Select(); err != nil || len(b.Records) != 1 {
			t.Errorf("allowed tables = %+v, %v", b, err)
		}
		if got.ExtraStrings == nil {
			t.Errorf("no extra strings reply")
		}
		reqs := f.Requests()
		if len(reqs) != 3 {
			t.Fatalf("%d requests, want 3", len(reqs))
		}
		if reqs[0].Form.Has("session_id") || reqs[0].Form.Get("devicefriendlyname") != "Ward 3 tablet" {
			t.Errorf("register request = %s", reqs[0].Body)
		}
		for _, r := range reqs[1:] {
			if r.Form.Get("session_id") != "17" || r.Form.Get("session_token") != "tok" {
				t.Errorf("request without the session: %s", r.Body)
			}
		}
		if id, token := c.Session(); id != "" || token != "" {
			t.Errorf("Session() after the sequence = %q %q", id, token)
		}
	})

	t.Run("OK_StartsWithoutSession", func(t *testing.T) {
		t.Parallel()
		f := newFakeAPI(t, replies(ok("x", "17", "tok"), ok("", "", ""), ok("", "", ""), ok("", "", "")))
		c := f.Client()
		MustDo(t, c, "x", nil)
		if _, err := c.RegisterSequence(t.Context(), ""); err != nil {
			t.Fatal(err)
		}
		if reg := f.Requests()[1]; reg.Form.Has("session_id") || !reg.Form.Has("devicefriendlyname") {
			t.Errorf("register request = %s", reg.Body)
		}
	})

	t.Run("ErrServer", func(t *testing.T) {
		t.Parallel()
		f := newFakeAPI(t, replies(ok("", "17", "tok"), fail("User not authorized to register devices for selected group", "17", "tok")))
		c := f.Client()
		got, err := c.RegisterSequence(t.Context(), "")
		if !errors.Is(err, testclient.ErrServer) {
			t.Fatalf("err = %v, want ErrServer", err)
		}
		const want = "testclient: Server reported an error: User not authorized to register devices for selected group (operation get_allowed_tables)"
		if err.Error() != want {
			t.Errorf("err = %q, want %q", err, want)
		}
		if got.Register == nil || got.AllowedTables == nil || got.ExtraStrings != nil {
			t.Errorf("replies = %+v, want the first two", got)
		}
		if n := len(f.Requests()); n != 2 {
			t.Errorf("%d requests, want 2: the sequence must stop at the failure", n)
		}
		if id, token := c.Session(); id != "" || token != "" {
			t.Errorf("Session() = %q %q", id, token)
		}
	})

	t.Run("ErrTransport", func(t *testing.T) {
		t.Parallel()
		f := newFakeAPI(t, replies())
		c := f.Client()
		f.srv.Close()
		got, err := c.RegisterSequence(t.Context(), "")
		if err == nil || got.Register != nil {
			t.Errorf("RegisterSequence = %+v, %v; want no replies and an error", got, err)
		}
	})
}
