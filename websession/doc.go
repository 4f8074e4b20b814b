// Package websession is the one session store, shared by tablets (API
// sessions, flagged is_api_session) and, later, people (cookie sessions).
//
// A session is a row in table sessions. Its token is 16 random bytes in
// URL-safe base64 with padding; only the token's SHA-256 is stored, and
// lookups compare digests in constant time. A session is valid until it has
// been idle longer than Config.IdleTimeout (sliding) or has lived longer
// than Config.Lifetime (absolute); with Config.CheckIP it is also bound to
// the client IP it was created from. Each human may hold one session at a
// time; API sessions are not limited. Ids are never reused, so a deleted
// session's id and token can never become valid again.
//
// A password change ends every session of the user (PROTOCOL 3.1), so it
// is made here, by ChangePassword, which writes the new hash through
// internal/account in the same transaction.
//
// Anonymous sessions are never persisted: there is no API to create one. A
// request without a valid session simply has no session (PROTOCOL 3.4).
//
// Tokens are secrets: this package never logs them and never puts them in
// errors.
package websession
