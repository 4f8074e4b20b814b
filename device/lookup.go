package device

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
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
	err := s.db.NewSelect().Model(&devices).Where("d.name <> ?", ServerName).Order("d.name ASC").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("device: list: %w", err)
	}
	return devices, nil
}
