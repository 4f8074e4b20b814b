package sqldb

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/uptrace/bun/driver/pgdriver"
)

func TestRouteDriverLog(t *testing.T) {
	old := pgdriver.Logger
	t.Cleanup(func() { pgdriver.Logger = old })
	var buf bytes.Buffer
	RouteDriverLog(slog.New(slog.NewJSONHandler(&buf, nil)))
	pgdriver.Logger.Printf(context.Background(), "pgdriver: Conn.Write failed (zero-length): %s", "broken pipe")
	want := `"level":"WARN","msg":"database driver","detail":"pgdriver: Conn.Write failed (zero-length): broken pipe"}`
	if !strings.HasSuffix(strings.TrimSpace(buf.String()), want) {
		t.Fatalf("logged %s\nwant a line ending %s", buf.String(), want)
	}
}
