package device

import (
	"context"
	"errors"
	"fmt"
)

// ServerID returns the id of the server pseudo-device, which owns
// server-created patients (PROTOCOL 6.3 step 3). The migration creates its
// row; should it be gone, ServerID creates it again, with one insert that
// does nothing when the name exists, so concurrent callers all get the one
// row. It reads first, as a PostgreSQL insert that conflicts still uses up
// an id. Its errors come from the database only.
func (s *Store) ServerID(ctx context.Context) (int64, error) {
	id, err := s.IDByName(ctx, ServerName)
	if !errors.Is(err, ErrNotFound) {
		return id, err
	}
	if _, err := s.db.NewInsert().Model(&Device{Name: ServerName, FriendlyName: new("Server")}).
		Column("name", "friendly_name").On("CONFLICT (name) DO NOTHING").Exec(ctx); err != nil {
		return 0, fmt.Errorf("device %q: create: %w", ServerName, err)
	}
	return s.IDByName(ctx, ServerName)
}
