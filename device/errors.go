package device

import (
	"errors"

	"github.com/tabletapi/tabletapi/internal/sqldb"
)

// Sentinel errors. Store methods wrap them with %w; test with errors.Is.
var (
	// ErrNotFound means no device has that name.
	ErrNotFound = errors.New("device: not found")
	// ErrNameRequired means a registration gave no device name.
	ErrNameRequired = errors.New("device: name required")
	// ErrReservedName means a registration used the name "server".
	ErrReservedName = errors.New("device: reserved name")
	// ErrInsertFailed means the database refused a registration with an
	// integrity error; the API answers "Failed to insert record".
	ErrInsertFailed = errors.New("device: insert failed")
)

// isIntegrityViolation reports whether err is any integrity-constraint
// violation (unique, foreign key, not null, check) on either dialect. It
// recognises the drivers' errors by their methods, so this package imports
// no driver: pgdriver.Error has IntegrityViolation, and a modernc
// *sqlite.Error has Code, whose low byte is 19 (SQLITE_CONSTRAINT).
func isIntegrityViolation(err error) bool {
	if sqldb.IsUniqueViolation(err) {
		return true
	}
	var pg interface{ IntegrityViolation() bool }
	if errors.As(err, &pg) {
		return pg.IntegrityViolation()
	}
	var lite interface{ Code() int }
	if errors.As(err, &lite) {
		const sqliteConstraint = 19
		return lite.Code()&0xff == sqliteConstraint
	}
	return false
}
