package tabletsession_test

import (
	"testing"
	"time"

	"github.com/tabletapi/tabletapi/tabletsession"
)

func TestThrottle(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	th := tabletsession.NewThrottle(3, 30*time.Second, func() time.Time { return now })
	for i := range 3 {
		if !th.Allow("10.0.0.1") {
			t.Fatalf("refused after %d failures, burst 3", i)
		}
		th.Fail("10.0.0.1")
	}
	if th.Allow("10.0.0.1") {
		t.Fatal("allowed with an empty bucket")
	}
	if !th.Allow("10.0.0.2") {
		t.Fatal("another IP refused")
	}
	now = now.Add(29 * time.Second)
	if th.Allow("10.0.0.1") {
		t.Fatal("allowed before a token came back")
	}
	now = now.Add(time.Second)
	if !th.Allow("10.0.0.1") {
		t.Fatal("refused after a refill period")
	}
	th.Fail("10.0.0.1")
	if th.Allow("10.0.0.1") {
		t.Fatal("allowed after spending the refilled token")
	}
	now = now.Add(time.Hour)
	for i := range 3 {
		if !th.Allow("10.0.0.1") {
			t.Fatalf("bucket did not refill to the burst (%d)", i)
		}
		th.Fail("10.0.0.1")
	}
	if th.Allow("10.0.0.1") {
		t.Fatal("bucket exceeded its burst")
	}
}
