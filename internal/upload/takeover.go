package upload

import (
	"context"
	"fmt"
)

// Takeover marks (PROTOCOL 8.3.2 step 3). When another user rolls back U's
// stale batch, U's client does not know: its next upload_table would
// silently start a new batch, and its end_upload would commit only the
// tables sent after the takeover. After a Move the tablet then deletes
// data the server never stored. The mark makes those requests fail
// instead, until U starts again. Every function here runs with D's row
// locked, so marks of one device never race.

// takeOver is step 2 of StartBatch (PROTOCOL 8.3.3) for U, before the
// rollback: if the open batch is another user's (a stale one, as the busy
// rule has passed), mark that user as taken over on D; and clear U's own
// mark, since U is starting again. A one-step upload does the same.
func (e *Engine) takeOver(ctx context.Context, c *Call, st *deviceState) error {
	if owner := st.UploadingUserID; st.Ongoing != nil && owner != nil && *owner != c.UserID {
		if _, err := c.Tx.ExecContext(ctx, "INSERT INTO batch_takeovers (device_id, user_id, when_utc) VALUES (?, ?, ?)"+
			" ON CONFLICT (device_id, user_id) DO UPDATE SET when_utc = excluded.when_utc",
			c.DeviceID, *owner, c.Now); err != nil {
			return fmt.Errorf("upload: mark takeover: %w", err)
		}
	}
	return e.clearTakenOver(ctx, c)
}

// clearTakenOver removes U's mark on D.
func (e *Engine) clearTakenOver(ctx context.Context, c *Call) error {
	if _, err := c.Tx.NewDelete().Table("batch_takeovers").
		Where("device_id = ? AND user_id = ?", c.DeviceID, c.UserID).Exec(ctx); err != nil {
		return fmt.Errorf("upload: clear takeover mark: %w", err)
	}
	return nil
}

// takenOver reports whether U is marked as taken over on D.
func (e *Engine) takenOver(ctx context.Context, c *Call) (bool, error) {
	n, err := c.Tx.NewSelect().Table("batch_takeovers").
		Where("device_id = ? AND user_id = ?", c.DeviceID, c.UserID).Count(ctx)
	if err != nil {
		return false, fmt.Errorf("upload: read takeover mark: %w", err)
	}
	return n > 0, nil
}
