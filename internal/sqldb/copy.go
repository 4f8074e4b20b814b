package sqldb

import (
	"context"
	"database/sql/driver"
	"errors"
	"io"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/driver/pgdriver"
)

// CopyFrom runs query, a COPY … FROM STDIN (PostgreSQL only), on conn with
// the rows r reads. When it fails other than by an error PostgreSQL
// reported, after which the protocol is back in step (a lost connection, a
// timeout, a cancelled request), the connection may be in the middle of
// the COPY, so CopyFrom discards it before returning the error.
func CopyFrom(ctx context.Context, conn bun.Conn, r io.Reader, query string) error {
	_, err := pgdriver.CopyFrom(ctx, conn, r, query)
	var pgErr pgdriver.Error
	if err != nil && !errors.As(err, &pgErr) {
		Discard(conn)
	}
	return err
}

// Discard closes conn's database connection instead of returning it to
// the pool, for a connection whose state is unknown.
func Discard(conn bun.Conn) {
	_ = conn.Raw(func(any) error { return driver.ErrBadConn })
}
