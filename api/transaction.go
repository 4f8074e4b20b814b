package api

import (
	"context"
	"database/sql/driver"
	"time"

	"github.com/uptrace/bun"

	"github.com/tabletapi/tabletapi/internal/sqldb"
)

// rollbackTimeout bounds the ROLLBACK of a failed phase B, which runs even
// after the request's context is done.
const rollbackTimeout = 10 * time.Second

// inTransaction runs fn in one transaction on a connection of its own. The
// transaction is begun and ended with plain BEGIN, COMMIT and ROLLBACK
// statements, not as a database/sql Tx: the upload engine loads rows with
// COPY through the connection's Raw, and a Tx holds a lock on the
// connection that Raw needs to discard it when it breaks. A connection lost
// in the middle of a COPY would then hang the request until the tablet gave
// up (TestDiscardInsideTransaction).
//
// fn must not begin a transaction of its own on conn.
func (s *server) inTransaction(ctx context.Context, fn func(ctx context.Context, conn bun.Conn) error) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	begin := "BEGIN"
	if !sqldb.IsPostgres(s.db) {
		// Take the write lock at once, as every phase B writes: a deferred
		// transaction that reads first can fail to upgrade (SQLITE_BUSY).
		begin = "BEGIN IMMEDIATE"
	}
	if _, err := conn.ExecContext(ctx, begin); err != nil {
		return err
	}
	committed := false
	defer func() {
		if committed {
			return
		}
		// Also after a panic, and when the request's context is done. If
		// ROLLBACK fails too, the connection's state is unknown.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), rollbackTimeout)
		defer cancel()
		if _, err := conn.ExecContext(rctx, "ROLLBACK"); err != nil {
			discard(conn)
		}
	}()
	if err := fn(ctx, conn); err != nil {
		return err
	}
	// As database/sql's Tx does: a request whose tablet has hung up is
	// rolled back, not committed (the driver would send COMMIT anyway).
	if err := ctx.Err(); err != nil {
		return err
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		return err
	}
	committed = true
	return nil
}

// discard closes conn's database connection instead of returning it to
// the pool.
func discard(conn bun.Conn) {
	_ = conn.Raw(func(any) error { return driver.ErrBadConn })
}
