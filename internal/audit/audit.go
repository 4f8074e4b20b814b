// Package audit owns the audit_log table and writes the audit trail
// (PROTOCOL 8.9): registrations, logins, login failures, lockouts and
// committed uploads, the latter also in structured form (audit_uploads),
// and what operators change on the console and the command line. The
// tablet API never reads it; List and Uploads serve operators.
package audit

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// Sources of entries: the tablet API, the operator's console and the
// command line.
const (
	SourceTablet  = "tablet"
	SourceConsole = "console"
	SourceCLI     = "cli"
)

// Operations: the short code of what an entry records, for filtering.
const (
	OpLogin           = "login"
	OpLoginFailed     = "login_failed"
	OpLockout         = "lockout"
	OpLogout          = "logout"
	OpRegister        = "register"
	OpRegisterPatient = "register_patient"
	OpUpload          = "upload"
	OpUserAdd         = "user_add"
	OpUserSet         = "user_set"
	OpPasswordSet     = "password_set"
	OpUnlock          = "unlock"
	OpDisable         = "disable"
	OpEnable          = "enable"
	OpGroupAdd        = "group_add"
	OpGroupSet        = "group_set"
	OpSessionEnd      = "session_end"
	OpIDNumAdd        = "idnum_add"
)

// Operations returns every operation code, in the order declared: the
// values a filter on the operation accepts.
func Operations() []string {
	return []string{
		OpLogin, OpLoginFailed, OpLockout, OpLogout, OpRegister, OpRegisterPatient, OpUpload,
		OpUserAdd, OpUserSet, OpPasswordSet, OpUnlock, OpDisable, OpEnable, OpGroupAdd, OpGroupSet,
		OpSessionEnd, OpIDNumAdd,
	}
}

// Entry is one audit row.
type Entry struct {
	bun.BaseModel `bun:"table:audit_log"`

	ID         int64     `bun:"id,pk,autoincrement"`
	When       time.Time `bun:"when_utc"`
	Source     string    `bun:"source"`
	RemoteAddr string    `bun:"remote_addr,nullzero"`
	UserID     *int64    `bun:"user_id"`
	Username   string    `bun:"username,nullzero"`
	DeviceID   *int64    `bun:"device_id"`
	Operation  string    `bun:"operation,nullzero"`
	Details    string    `bun:"details"`
}

// Write inserts e, on db or inside the caller's transaction. When e.When is
// zero it is set to the current time. The details must never contain a
// password or a session token.
func Write(ctx context.Context, db bun.IDB, e Entry) error {
	_, err := write(ctx, db, e)
	return err
}

// write inserts e and returns its id.
func write(ctx context.Context, db bun.IDB, e Entry) (int64, error) {
	if e.When.IsZero() {
		e.When = time.Now()
	}
	e.When = e.When.UTC().Truncate(time.Microsecond)
	if e.Source == "" {
		e.Source = SourceTablet
	}
	if _, err := db.NewInsert().Model(&e).Returning("id").Exec(ctx); err != nil {
		return 0, fmt.Errorf("audit: write %q: %w", e.Details, err)
	}
	return e.ID, nil
}
