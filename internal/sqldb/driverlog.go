package sqldb

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/uptrace/bun/driver/pgdriver"
)

// RouteDriverLog sends the PostgreSQL driver's own messages, such as a
// connection that broke in the middle of a write, to log as WARN lines,
// instead of plain text on stderr that would break a JSON log. The
// driver's logger is global to the process, so only the binary's main
// asks for this; tests run many servers in one process.
func RouteDriverLog(log *slog.Logger) { pgdriver.Logger = driverLogger{log} }

type driverLogger struct{ log *slog.Logger }

func (l driverLogger) Printf(ctx context.Context, format string, v ...any) {
	l.log.WarnContext(ctx, "database driver", "detail", fmt.Sprintf(format, v...))
}
