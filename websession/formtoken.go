package websession

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// FormTokenQueue is how many form tokens a human session keeps: the most
// recent ones; issuing one more drops the oldest.
const FormTokenQueue = 16

// ErrBadFormToken refuses a form whose token is missing, used, unknown or
// fallen off the queue: the console answers 403 and changes nothing.
var ErrBadFormToken = errors.New("websession: bad form token")

// casAttempts bounds the retries of a token queue update that lost a race
// with another request of the same session (two tabs, a double click).
const casAttempts = 8

// IssueFormToken returns a new single-use form token of session id,
// putting its digest at the front of the session's queue. The token is
// returned only here; the session keeps its SHA-256. The error wraps
// ErrNotFound if the session is gone.
func (s *Store) IssueFormToken(ctx context.Context, id int64) (string, error) {
	token, digest := newToken()
	entry := base64.RawStdEncoding.EncodeToString(digest)
	err := s.updateQueue(ctx, id, func(queue []string) ([]string, error) {
		queue = append([]string{entry}, queue...)
		return queue[:min(len(queue), FormTokenQueue)], nil
	})
	if err != nil {
		return "", err
	}
	return token, nil
}

// UseFormToken consumes token, a form token of session id: it must be in
// the queue, and is removed from it, so a replayed form is refused. The
// error is ErrBadFormToken when it is not there (or is empty), wraps
// ErrNotFound when the session is gone, and is otherwise a database error.
func (s *Store) UseFormToken(ctx context.Context, id int64, token string) error {
	if token == "" {
		return ErrBadFormToken
	}
	presented := hashToken(token)
	return s.updateQueue(ctx, id, func(queue []string) ([]string, error) {
		at := -1
		// Every entry is compared, in constant time, so timing does not
		// tell where in the queue (or how near) a guess was.
		for i, e := range queue {
			stored, err := base64.RawStdEncoding.DecodeString(e)
			if err == nil && subtle.ConstantTimeCompare(stored, presented) == 1 {
				at = i
			}
		}
		if at < 0 {
			return nil, ErrBadFormToken
		}
		return append(queue[:at:at], queue[at+1:]...), nil
	})
}

// updateQueue applies change to session id's token queue with a
// compare-and-swap, so concurrent requests of one session never lose a
// token or use one twice, on SQLite and PostgreSQL alike.
func (s *Store) updateQueue(ctx context.Context, id int64, change func([]string) ([]string, error)) error {
	for range casAttempts {
		var stored string
		err := s.db.NewSelect().Model((*Session)(nil)).Column("form_tokens").
			Where("id = ?", id).Where("NOT is_api_session").Scan(ctx, &stored)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%w (session %d)", ErrNotFound, id)
		}
		if err != nil {
			return fmt.Errorf("websession: read form tokens of session %d: %w", id, err)
		}
		queue, err := change(strings.Fields(stored))
		if err != nil {
			return err
		}
		res, err := s.db.NewUpdate().Model((*Session)(nil)).
			Set("form_tokens = ?", strings.Join(queue, " ")).
			Where("id = ?", id).Where("form_tokens = ?", stored).
			Exec(ctx)
		if err != nil {
			return fmt.Errorf("websession: write form tokens of session %d: %w", id, err)
		}
		if n, err := res.RowsAffected(); err == nil && n == 1 {
			return nil
		}
		// Another request of this session changed the queue (or ended the
		// session) between our read and write: read again.
	}
	return fmt.Errorf("websession: form tokens of session %d: too much contention", id)
}
