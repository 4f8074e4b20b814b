package testclient_test

import (
	"regexp"
	"testing"

	"github.com/tabletapi/tabletapi/testclient"
)

func TestNewDeviceID(t *testing.T) {
	t.Parallel()
	re := regexp.MustCompile(`^\{[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\}$`)
	seen := map[string]bool{}
	for range 100 {
		id := testclient.NewDeviceID()
		if !re.MatchString(id) {
			t.Fatalf("NewDeviceID() = %q", id)
		}
		if seen[id] {
			t.Fatalf("NewDeviceID() repeated %q", id)
		}
		seen[id] = true
	}
}
