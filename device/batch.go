package device

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/tabletapi/tabletapi/internal/sqldb"
)

// The batch columns of a device row (PROTOCOL 8.2) are written only here.
// The upload engine decides when (PROTOCOL 8.3); these methods say what
// each step writes. Every one but LockForBatch expects the caller to hold
// the row's lock, in the transaction the Store works on.

// BatchState is a device row's batch state (PROTOCOL 8.2), as LockForBatch
// reads it.
type BatchState struct {
	Ongoing         *time.Time // ongoing_upload_batch_utc: the open batch's time, or nil
	UploadingUserID *int64     // uploading_user_id: the open batch's owner, or nil
	Preserving      bool       // currently_preserving
	LastActivity    *time.Time // batch_last_activity_utc
	AlreadyReceived bool       // batch_already_received
	// BatchStarted is batch_started_db_utc: when the open batch began, on
	// the clock of the receipt times (StartBatch; PROTOCOL 8.3.2 step 4).
	BatchStarted *time.Time
	// DBNow is the database's statement_timestamp() of the locking
	// statement on PostgreSQL, and zero on SQLite, whose batch times are
	// the server's.
	DBNow time.Time
}

// LockForBatch locks device id's row for the rest of the transaction and
// returns its batch state (PROTOCOL 8.3.1). On PostgreSQL it is SELECT …
// FOR UPDATE; on SQLite the transaction is already an immediate write
// transaction, which serialises writers. The error wraps ErrNotFound if
// the row has vanished.
func (s *Store) LockForBatch(ctx context.Context, id int64) (*BatchState, error) {
	var st BatchState
	dest := []any{&st.Ongoing, &st.UploadingUserID, &st.Preserving, &st.LastActivity, &st.AlreadyReceived, &st.BatchStarted}
	q := `SELECT ongoing_upload_batch_utc, uploading_user_id, currently_preserving,
       batch_last_activity_utc, batch_already_received, batch_started_db_utc`
	pg := sqldb.IsPostgres(s.db)
	if pg {
		q += ", statement_timestamp()"
		dest = append(dest, &st.DBNow)
	}
	q += " FROM devices WHERE id = ?"
	if pg {
		q += " FOR UPDATE"
	}
	err := s.db.QueryRowContext(ctx, q, id).Scan(dest...)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("device %d: lock: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("device %d: lock: %w", id, err)
	}
	return &st, nil
}

// StartBatch opens a batch owned by userID at the Store's now (PROTOCOL
// 8.3.3 step 4): it is the last and the ongoing batch, not preserving, with
// no already-received record, and active now. Its start is also written on
// the clock of the requests' receipt times (PROTOCOL 8.3.2 step 4): the
// database's, statement_timestamp(), on PostgreSQL; on SQLite, one process,
// this process's real clock, not the Store's now, which may be a test's.
// Its errors come from the database only.
func (s *Store) StartBatch(ctx context.Context, id, userID int64) error {
	now := s.clock()
	q := s.db.NewUpdate().Model((*Device)(nil)).
		Set("last_upload_batch_utc = ?", now).
		Set("ongoing_upload_batch_utc = ?", now).
		Set("uploading_user_id = ?", userID).
		Set("currently_preserving = FALSE").
		Set("batch_last_activity_utc = ?", now).
		Set("batch_already_received = FALSE")
	if sqldb.IsPostgres(s.db) {
		q = q.Set("batch_started_db_utc = statement_timestamp()")
	} else {
		q = q.Set("batch_started_db_utc = ?", time.Now().UTC().Truncate(time.Microsecond))
	}
	if _, err := q.Where("d.id = ?", id).Exec(ctx); err != nil {
		return fmt.Errorf("device %d: start batch: %w", id, err)
	}
	return nil
}

// TouchBatch records batch activity at the Store's now (PROTOCOL 8.3.2, on
// success), which keeps the open batch from going stale. Its errors come
// from the database only.
func (s *Store) TouchBatch(ctx context.Context, id int64) error {
	return s.setBatch(ctx, id, "touch batch", "batch_last_activity_utc = ?", s.clock())
}

// StartPreservation makes the open batch preserving (PROTOCOL 6.12). Its
// errors come from the database only.
func (s *Store) StartPreservation(ctx context.Context, id int64) error {
	return s.setBatch(ctx, id, "start preservation", "currently_preserving = TRUE")
}

// MarkAlreadyReceived records that the open batch met an already-received
// record (PROTOCOL 8.2), for the pure-retry rule at commit. Its errors come
// from the database only.
func (s *Store) MarkAlreadyReceived(ctx context.Context, id int64) error {
	return s.setBatch(ctx, id, "mark already received", "batch_already_received = TRUE")
}

// EndBatch closes the device's batch: no batch is open, owned, active or
// preserving (PROTOCOL 6.18 after the commit, and 8.8 step 8 before a
// one-step upload). last_upload_batch_utc is kept. Its errors come from the
// database only.
func (s *Store) EndBatch(ctx context.Context, id int64) error {
	return s.setBatch(ctx, id, "end batch", "ongoing_upload_batch_utc = NULL, uploading_user_id = NULL,"+
		" batch_last_activity_utc = NULL, currently_preserving = FALSE, batch_already_received = FALSE,"+
		" batch_started_db_utc = NULL")
}

// RecordUpload makes the Store's now the device's last upload, once a
// one-step upload has stored its data (PROTOCOL 8.8; `device list` shows
// it). Its errors come from the database only.
func (s *Store) RecordUpload(ctx context.Context, id int64) error {
	return s.setBatch(ctx, id, "record upload", "last_upload_batch_utc = ?", s.clock())
}

// setBatch runs one UPDATE of device id's batch columns.
func (s *Store) setBatch(ctx context.Context, id int64, what, set string, args ...any) error {
	if _, err := s.db.NewUpdate().Model((*Device)(nil)).Set(set, args...).Where("d.id = ?", id).Exec(ctx); err != nil {
		return fmt.Errorf("device %d: %s: %w", id, what, err)
	}
	return nil
}
