package sim_test

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/tabletapi/tabletapi/testclient/sim"
	"github.com/tabletapi/tabletapi/testclient/sim/simtest"
)

var deviceRE = regexp.MustCompile(`^\{[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\}$`)

func TestTablet_Register(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		srv := simtest.New(t)
		tab := newTablet(t, srv)
		mustRegister(t, tab)
		reqs := srv.Requests()
		if got, want := srv.Ops(), []string{"register", "get_allowed_tables", "get_extra_strings"}; !slices.Equal(got, want) {
			t.Fatalf("ops = %q, want %q", got, want)
		}
		if got := reqs[0].Params["devicefriendlyname"]; got != "tabletsim" {
			t.Errorf("devicefriendlyname = %q", got)
		}
		wantSessions(t, reqs)
		for _, r := range reqs {
			wantCommon(t, r, tab.Device())
		}
		if !tab.Registered() {
			t.Error("Registered() = false")
		}
	})
	t.Run("ErrNoIDNumType", func(t *testing.T) {
		srv := simtest.New(t)
		tab := mustTablet(t, sim.Config{URL: srv.URL, User: "alice", Password: "pw", IDNumType: 2})
		err := tab.Register(context.Background())
		var rerr *sim.RequestError
		if !errors.As(err, &rerr) || rerr.Kind != sim.KindLocal || !strings.Contains(err.Error(), "no ID number type 2") {
			t.Fatalf("err = %v, want a local error about ID type 2", err)
		}
		if tab.Registered() {
			t.Error("Registered() = true after a failure")
		}
	})
	t.Run("ErrServer", func(t *testing.T) {
		srv := simtest.New(t)
		srv.SetFault(func(r simtest.Request) *simtest.Fault {
			return &simtest.Fault{Error: "Invalid username/password (or user not authorized)"}
		})
		err := newTablet(t, srv).Register(context.Background())
		var rerr *sim.RequestError
		if !errors.As(err, &rerr) || rerr.Kind != sim.KindServer || rerr.Retryable() ||
			err.Error() != "register: Invalid username/password (or user not authorized)" {
			t.Fatalf("err = %v, want the server's error, not retryable", err)
		}
		if got := srv.Ops(); len(got) != 1 {
			t.Errorf("ops = %q, want only register", got)
		}
	})
}

// wantCommon checks the parameters every request carries (PROTOCOL 12.1)
// and the order of the keys in the body.
func wantCommon(t *testing.T, r simtest.Request, device string) {
	t.Helper()
	p := r.Params
	if p["camcops_version"] != "2.4.24" || p["device"] != device || !deviceRE.MatchString(device) ||
		p["user"] != "alice" || p["password"] != "pw!" {
		t.Errorf("%s: common parameters %q", r.Op, p)
	}
	var keys []string
	for pair := range strings.SplitSeq(r.Body, "&") {
		k, _, _ := strings.Cut(pair, "=")
		keys = append(keys, k)
	}
	if !slices.IsSorted(keys) {
		t.Errorf("%s: body keys not sorted: %q", r.Op, keys)
	}
	if strings.Contains(r.Body, "+") {
		t.Errorf("%s: body has a raw +: %s", r.Op, r.Body)
	}
}
