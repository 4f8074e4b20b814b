package main_test

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// clampWarnings returns the WARN lines of s's log about the access
// resolution, without their time.
func clampWarnings(s *testServer) []string {
	var out []string
	for _, line := range strings.Split(s.Log.String(), "\n") {
		if _, rest, ok := strings.Cut(line, " "); ok && strings.Contains(line, "level=WARN") &&
			strings.Contains(line, "--session-access-resolution") {
			out = append(out, rest)
		}
	}
	return out
}

// TestSessionAccessResolutionClamped: a --session-access-resolution at or
// above --session-timeout would write last activity too rarely for a
// session ever to be refreshed, so serve logs one WARN line and uses half
// the timeout; a session in use then outlives its first timeout.
func TestSessionAccessResolutionClamped(t *testing.T) {
	t.Parallel()
	t.Run("Refreshed", func(t *testing.T) {
		t.Parallel()
		const timeout = 2 * time.Second
		s := startServer(t, "--session-timeout", "2s", "--session-access-resolution", "60s")
		want := `level=WARN msg="--session-access-resolution 1m0s is not shorter than --session-timeout 2s, ` +
			`so sessions would expire before being refreshed; using 1s, half the timeout"`
		if got := clampWarnings(s); len(got) != 1 || got[0] != want {
			t.Fatalf("WARN lines %q, want one:\n%s\nlog:\n%s", got, want, s.Log)
		}

		const pw = "Cleo-Secret-3141"
		c := s.addUploader(t, "sessclamp", "cleo", pw)
		r := mustDo(t, c, "check_upload_user_and_device", nil)
		id, token := sessionOf(t, r)
		// Last written 1.5 s ago: more than half the timeout, less than all
		// of it. The reuse must write the time of the request.
		last := s.Clock.Now().UTC().Add(-1500 * time.Millisecond).Truncate(time.Microsecond)
		mustExec(t, s, "UPDATE sessions SET last_activity_utc = ? WHERE id = ?", last, id)
		before := s.Clock.Now().UTC().Truncate(time.Microsecond)
		r = mustDo(t, c, "check_upload_user_and_device", nil)
		wantReply(t, r, http.StatusOK, successReplyIn("check_upload_user_and_device", id, token))
		if la := lastActivity(t, s, id); la.Before(before) {
			t.Fatalf("last_activity_utc = %v after a reuse 1.5 s after the last write, want at least %v", la, before)
		}
		// Past the timeout counted from the earlier write, within the one
		// counted from the refresh: the session is still alive.
		s.Clock.Set(last.Add(timeout + 500*time.Millisecond))
		r = mustDo(t, c, "check_upload_user_and_device", nil)
		wantReply(t, r, http.StatusOK, successReplyIn("check_upload_user_and_device", id, token))
	})
	t.Run("Equal", func(t *testing.T) {
		t.Parallel()
		s := startServer(t, "--session-timeout", "1m", "--session-access-resolution", "1m")
		want := `level=WARN msg="--session-access-resolution 1m0s is not shorter than --session-timeout 1m0s, ` +
			`so sessions would expire before being refreshed; using 30s, half the timeout"`
		if got := clampWarnings(s); len(got) != 1 || got[0] != want {
			t.Fatalf("WARN lines %q, want one:\n%s\nlog:\n%s", got, want, s.Log)
		}
	})
	t.Run("ShorterUnchanged", func(t *testing.T) {
		t.Parallel()
		s := startServer(t, "--session-timeout", "1m", "--session-access-resolution", "59s")
		if got := clampWarnings(s); len(got) != 0 || !strings.Contains(s.Log.String(), "session_access_resolution=59s") {
			t.Fatalf("WARN lines %q, want none and the resolution kept\nlog:\n%s", got, s.Log)
		}
	})
}
