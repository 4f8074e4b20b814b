package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// TestLogger_CapsValues: no value a client controls can make a log line
// long (the hardening issue found a 6 MB line); the cut is marked, and a
// panic's stack keeps more.
func TestLogger_CapsValues(t *testing.T) {
	long := strings.Repeat("é", 1<<19) // 1 MiB, two bytes a character
	for _, format := range []string{"text", "json"} {
		t.Run(format, func(t *testing.T) {
			var out bytes.Buffer
			log := newLogger(&out, format)
			log.With("table", long).Info("request", "operation", long, "err", errors.New(long),
				"stack", strings.Repeat("s", 20<<10), "group_ok", "short")
			line := out.String()
			if len(line) > 20<<10 {
				t.Fatalf("log line of %d bytes", len(line))
			}
			if n := strings.Count(line, "…[cut: 1048576 bytes]"); n != 3 {
				t.Errorf("%d cut markers, want 3 (table, operation, err):\n%.600s", n, line)
			}
			if !strings.Contains(line, strings.Repeat("s", 16<<10)+"…[cut: 20480 bytes]") {
				t.Errorf("stack not kept to 16 KiB")
			}
			if !strings.Contains(line, "short") {
				t.Errorf("short value lost")
			}
			if format == "json" {
				var m map[string]any
				if err := json.Unmarshal([]byte(line), &m); err != nil {
					t.Fatalf("capped line is not JSON (a character cut in half?): %v", err)
				}
				if op := m["operation"].(string); !strings.HasPrefix(op, strings.Repeat("é", 100)+"…") {
					t.Errorf("operation = %.40q…, want 100 whole characters then the mark", op)
				}
			}
		})
	}
}

// nilErr is an error type whose nil pointer panics in Error.
type nilErr struct{ msg string }

func (e *nilErr) Error() string { return e.msg }

// TestLogger_NilPointerError: a typed nil error logs as the handler alone
// would log it, without a panic.
func TestLogger_NilPointerError(t *testing.T) {
	var out bytes.Buffer
	var err error = (*nilErr)(nil)
	newLogger(&out, "text").Info("request", "err", err)
	if !strings.Contains(out.String(), "err=") {
		t.Fatalf("line = %q", out.String())
	}
}
