package sqldb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/uptrace/bun/driver/pgdriver"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// IsUniqueViolation reports whether err is a unique or primary-key
// constraint violation on either dialect.
func IsUniqueViolation(err error) bool {
	var pgErr pgdriver.Error
	if errors.As(err, &pgErr) {
		return pgErr.Field('C') == "23505"
	}
	var sqErr *sqlite.Error
	if errors.As(err, &sqErr) {
		code := sqErr.Code()
		return code == sqlite3.SQLITE_CONSTRAINT_UNIQUE || code == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

// IsUnavailable reports whether err means the database could not be reached
// or failed, as opposed to a bug in our own code. The API answers these with
// 503 "Database unavailable".
func IsUnavailable(err error) bool {
	if err == nil {
		return false
	}
	var netErr net.Error
	var pgErr pgdriver.Error
	var sqErr *sqlite.Error
	switch {
	case errors.Is(err, driver.ErrBadConn), errors.Is(err, sql.ErrConnDone),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.EPIPE), errors.Is(err, context.DeadlineExceeded):
		return true
	case errors.As(err, &netErr):
		return true
	case errors.As(err, &pgErr):
		// Class 08 is connection exception, 53 insufficient resources,
		// 57 operator intervention (57P01 admin shutdown, 57P03 cannot
		// connect now), 58 system error. 55000 is a whole class of misuse,
		// but with this message it is a database that refuses connections
		// (ALTER DATABASE … ALLOW_CONNECTIONS false).
		code := pgErr.Field('C')
		return strings.HasPrefix(code, "08") || strings.HasPrefix(code, "53") ||
			strings.HasPrefix(code, "57") || strings.HasPrefix(code, "58") ||
			code == "55000" && strings.Contains(pgErr.Field('M'), "not currently accepting connections")
	case errors.As(err, &sqErr):
		switch sqErr.Code() & 0xff {
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_IOERR,
			sqlite3.SQLITE_FULL, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_READONLY,
			sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB:
			return true
		}
	}
	return false
}

// IsIntegrityViolation reports whether err is any integrity-constraint
// violation (unique, foreign key, not null, check) on either dialect.
func IsIntegrityViolation(err error) bool {
	var pgErr pgdriver.Error
	if errors.As(err, &pgErr) {
		return pgErr.IntegrityViolation()
	}
	var sqErr *sqlite.Error
	if errors.As(err, &sqErr) {
		return sqErr.Code()&0xff == sqlite3.SQLITE_CONSTRAINT
	}
	return false
}
