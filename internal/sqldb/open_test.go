package sqldb

import (
	"errors"
	"strings"
	"testing"
)

// TestOpenBadURL: every refused URL gets ErrBadURL, and the error never
// shows a password, even when the URL cannot be parsed.
func TestOpenBadURL(t *testing.T) {
	for _, u := range []string{"mysql://u:secret@host/db", "postgres://u:secret@%zz/db",
		"postgresql://u:secret@host:port/db", "sqlite:", "sqlite::memory:"} {
		_, err := Open(u)
		if !errors.Is(err, ErrBadURL) {
			t.Errorf("Open(%q) = %v, want ErrBadURL", u, err)
			continue
		}
		if strings.Contains(err.Error(), "secret") {
			t.Errorf("Open(%q): the error shows the password: %v", u, err)
		}
	}
}
