package tabletsession

import "context"

// ConsoleLogin is a password login to the operator's console. It is the
// tablet's password login (PROTOCOL 4) with the same bcrypt pool, lockout
// and per-IP throttle, and the same counters, so failures on the console
// and on tablets lock an account together. It differs in two ways: only a
// superuser or a user with may_use_webviewer in some group may log in (any
// other user, with the right password, is refused like a wrong one and no
// failure is counted), and the session it makes is a human session, which
// ends the user's other human sessions (tablet sessions survive).
//
// A refused login is not an error: the Identity has no user and its
// Refusal is ErrBadLogin, ErrThrottled or the lockout's *fault.Error, whose
// Message is the text to show. Errors: ErrLoginPoolBusy or a database
// error.
func (a *Authenticator) ConsoleLogin(ctx context.Context, user, password, ip string) (*Identity, error) {
	if user == "" {
		return &Identity{Refusal: ErrBadLogin}, nil
	}
	return a.login(ctx, &Request{User: user, Password: password, ClientIP: ip, console: true})
}
