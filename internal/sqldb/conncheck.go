package sqldb

import (
	"context"
	"crypto/tls"
	"database/sql/driver"

	"github.com/uptrace/bun/driver/pgdriver"
)

// checkAlive runs before database/sql hands out a pooled PostgreSQL
// connection (pgdriver's reset-session hook). A connection whose server end
// went away while it sat idle (its backend terminated by
// pg_terminate_backend or a restart) has the server's farewell or EOF
// waiting on its socket; an idle connection has nothing. Such a connection
// is reported as driver.ErrBadConn, and database/sql discards it and takes
// another, or dials, before any statement runs on it: nothing has been
// sent, so the request goes on as if the connection had never been
// pooled, instead of failing with 503.
func checkAlive(_ context.Context, cn *pgdriver.Conn) error {
	c := cn.Conn()
	if tc, ok := c.(*tls.Conn); ok {
		c = tc.NetConn() // TLS records waiting are just as unexpected
	}
	if !idleSocketOK(c) {
		return driver.ErrBadConn
	}
	return nil
}
