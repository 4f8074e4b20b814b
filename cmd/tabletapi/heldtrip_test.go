package main_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/tabletapi/tabletapi/internal/dbtest"
)

// TestSessionHeldOneRoundTrip: a request on a held session reads its
// session, user, rights and device in one round trip to the database
// (issue 14), and makes a second only to write the last activity once the
// access resolution (60 s) has passed.
func TestSessionHeldOneRoundTrip(t *testing.T) {
	if !dbtest.Postgres() {
		t.Skip("counts round trips on the PostgreSQL wire: set " + dbtest.EnvURL)
	}
	t.Parallel()
	trips := startPGTrips(t, dbtest.NewURL(t))
	s := startServerOn(t, trips.URL)
	const pw = "Hana-Secret-2207"
	s.addUser(t, "heldtrip", "hana", pw, "--may-upload", "--may-register-devices")
	c := s.client("hana", pw)
	if _, err := c.RegisterSequence(context.Background(), "tablet"); err != nil {
		t.Fatal(err)
	}
	send := func() int64 {
		t.Helper()
		mark, before := trips.Mark(), trips.Trips()
		r := mustDo(t, c, "check_upload_user_and_device", nil)
		id, token := c.Session()
		wantReply(t, r, http.StatusOK, successReplyIn("check_upload_user_and_device", id, token))
		n := trips.Trips() - before
		t.Logf("%d round trips: %q", n, trips.Queries(mark))
		return n
	}
	send() // may write the last activity of the login's session
	if n := send(); n != 1 {
		t.Errorf("held session: %d round trips, want 1", n)
	}
	s.Clock.Advance(61 * time.Second)
	if n := send(); n != 2 {
		t.Errorf("held session past the access resolution: %d round trips, want 2 (read, activity write)", n)
	}
	if n := send(); n != 1 {
		t.Errorf("held session after the activity write: %d round trips, want 1", n)
	}
}
