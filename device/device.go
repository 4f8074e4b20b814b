// Package device owns the devices table: registering tablets (PROTOCOL
// 6.4), looking them up and listing them, and the batch state each device
// row carries (PROTOCOL 8.2): the row lock every batch operation takes and
// the batch columns' writes (batch.go). The upload engine decides when a
// batch starts, is touched or ends; only this package writes the row.
package device

import (
	"time"

	"github.com/uptrace/bun"
)

// ServerName is the name of the pseudo-device that owns server-created
// data. The migration creates it; tablets may not register under it.
const ServerName = "server"

// Device is a row of the devices table, with every column.
type Device struct {
	bun.BaseModel `bun:"table:devices,alias:d"`

	ID                    int64      `bun:"id,pk,autoincrement"`
	Name                  string     `bun:"name,notnull"`
	FriendlyName          *string    `bun:"friendly_name"`
	CamcopsVersion        *string    `bun:"camcops_version"`
	RegisteredByUserID    *int64     `bun:"registered_by_user_id"`
	WhenRegisteredUTC     *time.Time `bun:"when_registered_utc"`
	LastUploadBatchUTC    *time.Time `bun:"last_upload_batch_utc"`
	OngoingUploadBatchUTC *time.Time `bun:"ongoing_upload_batch_utc"`
	UploadingUserID       *int64     `bun:"uploading_user_id"`
	CurrentlyPreserving   bool       `bun:"currently_preserving,notnull"`
	BatchLastActivityUTC  *time.Time `bun:"batch_last_activity_utc"`
	BatchAlreadyReceived  bool       `bun:"batch_already_received,notnull"`
	// BatchStartedDBUTC is on the clock of the receipt times: the
	// database's on PostgreSQL, this process's real clock on SQLite
	// (StartBatch; PROTOCOL 8.3.2 step 4).
	BatchStartedDBUTC *time.Time `bun:"batch_started_db_utc"`
}

// Store reads and writes devices. It works on a *bun.DB or a bun.Tx.
type Store struct {
	db  bun.IDB
	now func() time.Time
}

// NewStore returns a Store on db. A nil now means time.Now.
func NewStore(db bun.IDB, now func() time.Time) *Store {
	if now == nil {
		now = time.Now
	}
	return &Store{db: db, now: now}
}

// clock is the Store's now as stored: UTC, to the microsecond that SQLite
// keeps.
func (s *Store) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// WithTx returns a Store that runs its queries inside tx.
func (s *Store) WithTx(tx bun.Tx) *Store { return &Store{db: tx, now: s.now} }
