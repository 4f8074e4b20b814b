// Package tabletsession owns the identity and rights of a tablet request
// (PROTOCOL 2–5): Parse validates the common parameters (version, reserved
// names, session id); Authenticator.Resolve reuses a valid session or logs
// in with the password (login.go); Lockouts is the one owner of the
// login_failures and lockouts tables (lockout.go: the failure count, the
// lock and its end, Unlock for the CLI, Housekeep); Throttle is the per-IP
// bucket of failed logins, which failed access keys drain too
// (accesskey.go, with HashPassword for passwords the server sets);
// Authorize applies the permission checks in their order (permission.go);
// and RunHousekeeping is the server's one clean-up loop, of sessions and
// lockouts.
package tabletsession
