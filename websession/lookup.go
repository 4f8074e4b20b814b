package websession

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Lookup returns tablet (API) session id if token is its token and it is
// still valid for a request from ip (PROTOCOL 3.3), with Username filled
// in. It reads one row (joined with users) and, only when the stored last
// activity is at least Config.AccessResolution old, writes the new last
// activity.
//
// The error wraps ErrNotFound (no such session, a human session, or its
// user is gone or disabled), ErrBadToken, ErrExpired or ErrIPMismatch, all
// of which mean "no session" (see IsNoSession); any other error is a
// database failure.
func (s *Store) Lookup(ctx context.Context, id int64, token, ip string) (*Session, error) {
	return s.find(ctx, id, token, ip, true)
}

// LookupHuman is Lookup for the human (cookie) sessions of the console: a
// tablet session is not found here, as a human session is not found by
// Lookup, so neither kind of secret opens the other door.
func (s *Store) LookupHuman(ctx context.Context, id int64, token, ip string) (*Session, error) {
	return s.find(ctx, id, token, ip, false)
}

// find is Lookup for sessions whose is_api_session is api.
func (s *Store) find(ctx context.Context, id int64, token, ip string, api bool) (*Session, error) {
	sess := new(Session)
	var err error
	if s.lookup != nil {
		err = s.lookup.QueryRowContext(ctx, s.db, id).Scan(sess.dest()...)
	} else {
		err = s.db.NewRaw(lookupQuery, id).Scan(ctx, sess)
	}
	return s.validate(ctx, sess, err, id, token, ip, api)
}

// validate finishes a lookup of session id whose read gave sess and err:
// it applies the validity rules and, when the access resolution has
// passed, writes the new last activity. Every lookup, plain or joined,
// ends here, so the rules live in one place.
func (s *Store) validate(ctx context.Context, sess *Session, err error, id int64, token, ip string, api bool) (*Session, error) {
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w (session %d)", ErrNotFound, id)
	}
	if err != nil {
		return nil, fmt.Errorf("websession: lookup session %d: %w", id, err)
	}
	sess.normalize()
	now := s.stamp()
	if err := s.check(sess, now, token, ip, api); err != nil {
		return nil, fmt.Errorf("%w (session %d)", err, id)
	}
	if now.Sub(sess.LastActivity) < s.cfg.AccessResolution {
		return sess, nil
	}
	res, err := s.db.NewUpdate().Model((*Session)(nil)).
		Set("last_activity_utc = ?", now).
		Where("id = ?", id).
		Exec(ctx)
	if err != nil {
		return nil, fmt.Errorf("websession: touch session %d: %w", id, err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		// Deleted between our read and write (a concurrent logout).
		return nil, fmt.Errorf("%w (session %d)", ErrNotFound, id)
	}
	sess.LastActivity = now
	return sess, nil
}

// The session read: lookupColumns FROM lookupFrom [more joins] WHERE
// lookupWhere. A session is found only with its user, and only while that
// user is not disabled. Session.dest lists the columns' destinations in
// this order.
const (
	lookupColumns = `s.id, s.token_sha256, s.user_id, s.ip_address, s.created_at_utc,
       s.last_activity_utc, s.is_api_session, u.username`
	lookupFrom  = `sessions AS s JOIN users AS u ON u.id = s.user_id`
	lookupWhere = `s.id = ? AND NOT u.disabled`
)

// lookupQuery reads a session with its user's name: the one read of a
// request that holds a session.
const lookupQuery = `SELECT ` + lookupColumns + `
FROM ` + lookupFrom + `
WHERE ` + lookupWhere

// check applies the validity rules in an order that reveals nothing about a
// session to someone without its token.
func (s *Store) check(sess *Session, now time.Time, token, ip string, api bool) error {
	switch {
	case !tokenMatches(token, sess.TokenSHA256):
		return ErrBadToken
	case sess.IsAPI != api:
		return ErrNotFound
	case s.expired(sess, now):
		return ErrExpired
	case s.cfg.CheckIP && ip != sess.IPAddress:
		return ErrIPMismatch
	}
	return nil
}

// oldestValid returns, at now, the oldest last activity and the oldest
// creation time a valid session may have: expired's rule as bounds, for
// the queries that select sessions by it (Active, Purge).
func (s *Store) oldestValid(now time.Time) (lastActivity, created time.Time) {
	return now.Add(-s.cfg.IdleTimeout), now.Add(-s.cfg.Lifetime)
}

// expired reports whether sess is past its idle timeout or its lifetime at
// now. Both limits are inclusive: a session is still valid at exactly the
// limit.
func (s *Store) expired(sess *Session, now time.Time) bool {
	return now.Sub(sess.LastActivity) > s.cfg.IdleTimeout || now.Sub(sess.CreatedAt) > s.cfg.Lifetime
}
