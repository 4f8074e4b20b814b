package websession

import (
	"time"

	"github.com/uptrace/bun"
)

// Session is one row of table sessions. Times are UTC with microsecond
// precision.
type Session struct {
	bun.BaseModel `bun:"table:sessions,alias:s"`

	ID           int64     `bun:"id,pk,autoincrement"`
	TokenSHA256  []byte    `bun:"token_sha256,notnull"`
	UserID       int64     `bun:"user_id,notnull"`
	IPAddress    string    `bun:"ip_address,notnull"`
	CreatedAt    time.Time `bun:"created_at_utc,notnull"`
	LastActivity time.Time `bun:"last_activity_utc,notnull"`
	IsAPI        bool      `bun:"is_api_session,notnull"`
	// FormTokens is the queue of single-use form tokens of a human
	// session: space-separated digests, newest first.
	FormTokens string `bun:"form_tokens,notnull"`

	// Username is the user's name, filled by Store.Lookup from users; it is
	// not a column of sessions.
	Username string `bun:"username,scanonly"`
}

// normalize puts the times in UTC: drivers return them in the local or a
// fixed zone.
func (s *Session) normalize() {
	s.CreatedAt = s.CreatedAt.UTC()
	s.LastActivity = s.LastActivity.UTC()
}

// dest returns the scan destinations of lookupColumns, in their order.
func (s *Session) dest() []any {
	return []any{&s.ID, &s.TokenSHA256, &s.UserID, &s.IPAddress, &s.CreatedAt, &s.LastActivity, &s.IsAPI, &s.Username}
}
