package device

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/uptrace/bun"
)

// ByName returns the device with exactly that name, including the server
// pseudo-device. The error wraps ErrNotFound if there is none.
func (s *Store) ByName(ctx context.Context, name string) (*Device, error) {
	d := new(Device)
	err := s.db.NewSelect().Model(d).Where("d.name = ?", name).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("device %q: %w", name, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("device %q: %w", name, err)
	}
	return d, nil
}

// IDByName returns the id of the device with exactly that name, reading
// nothing else: the cheap check that a device is registered (PROTOCOL 5.1).
// The error wraps ErrNotFound if there is none.
func (s *Store) IDByName(ctx context.Context, name string) (int64, error) {
	var id int64
	err := s.db.NewSelect().Model((*Device)(nil)).Column("d.id").Where("d.name = ?", name).Scan(ctx, &id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("device %q: %w", name, ErrNotFound)
	}
	if err != nil {
		return 0, fmt.Errorf("device %q: %w", name, err)
	}
	return id, nil
}

// List returns the registered tablets ordered by name, without the server
// pseudo-device, or an empty slice when there are none. Its errors come
// from the database only.
func (s *Store) List(ctx context.Context) ([]Device, error) {
	devices := []Device{}
	if err := listQuery(s.db.NewSelect().Model(&devices)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("device: list: %w", err)
	}
	return devices, nil
}

// listQuery selects the registered tablets, ordered by name.
func listQuery(q *bun.SelectQuery) *bun.SelectQuery {
	return q.Where("d.name <> ?", ServerName).Order("d.name ASC")
}

// Listed is a device as the operator's console lists it: the row, with
// the usernames of the user who registered it and of the user whose batch
// is open on it (empty when there is none, or the user is gone).
type Listed struct {
	Device `bun:",extend"`

	RegisteredBy  string `bun:"registered_by,scanonly"`
	UploadingUser string `bun:"uploading_user,scanonly"`
}

// BatchInProgress reports whether an upload batch is open on the device
// (PROTOCOL 8.2: ongoing_upload_batch_utc is set): since
// OngoingUploadBatchUTC, by UploadingUser, last active at
// BatchLastActivityUTC, preserving if CurrentlyPreserving.
func (l *Listed) BatchInProgress() bool { return l.OngoingUploadBatchUTC != nil }

// ListForConsole is List with the usernames of Listed, in one query. Its
// errors come from the database only.
func (s *Store) ListForConsole(ctx context.Context) ([]Listed, error) {
	devices := []Listed{}
	q := s.db.NewSelect().Model(&devices).
		ColumnExpr("d.*").
		ColumnExpr("COALESCE(ru.username, '') AS registered_by, COALESCE(uu.username, '') AS uploading_user").
		Join("LEFT JOIN users AS ru ON ru.id = d.registered_by_user_id").
		Join("LEFT JOIN users AS uu ON uu.id = d.uploading_user_id")
	if err := listQuery(q).Scan(ctx); err != nil {
		return nil, fmt.Errorf("device: list for the console: %w", err)
	}
	return devices, nil
}
