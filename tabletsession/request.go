package tabletsession

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/tabletapi/tabletapi/device"
	"github.com/tabletapi/tabletapi/internal/account"
)

// ErrInvalidRequest is wrapped by Parse when the common parameters cannot
// form a tablet session; the API answers with the plain HTTP 400. The
// wrapping error says why, for the log only.
var ErrInvalidRequest = errors.New("tabletsession: not a valid CamCOPS API request")

// maxName caps operation, device and user: the longest operation is 28
// characters; the cap, the same as for device and user, keeps a hostile one
// out of the log.
const maxName = 191

// The character rules of PROTOCOL 2.1, as byte loops: they run on every
// request, where a regular expression cost a tenth of the Go side of a
// held-session request (issue 14's profile). Every allowed character is
// ASCII, so a byte count is a character count.

// isOperation reports whether s matches \A[A-Za-z0-9_]{1,191}\z.
func isOperation(s string) bool {
	if len(s) == 0 || len(s) > maxName {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isAlnum(c) && c != '_' {
			return false
		}
	}
	return true
}

// isName reports whether s matches \A[A-Za-z0-9,_\-{}]{1,191}\z, the rule
// for device and user.
func isName(s string) bool {
	if len(s) == 0 || len(s) > maxName {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case isAlnum(c), c == ',', c == '_', c == '-', c == '{', c == '}':
		default:
			return false
		}
	}
	return true
}

// isDigits reports whether s matches \A[0-9]+\z.
func isDigits(s string) bool {
	if len(s) == 0 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// Request is a tablet POST turned into the common parameters of PROTOCOL
// 2.1, validated. Password and SessionToken are secrets: never log them.
type Request struct {
	Operation     string // "" when absent
	Device        string // "" when absent
	User          string // "" when absent
	Password      string
	Version       Version
	VersionString string // camcops_version as posted
	SessionID     int64  // valid only when HasSession
	SessionToken  string
	HasSession    bool
	ClientIP      string // effective client IP (PROTOCOL 3.6)
	Form          *Form

	// console marks a login to the operator's console (ConsoleLogin):
	// it makes a human session, for a user allowed on the console.
	console bool
}

// Parse validates the common parameters of f (PROTOCOL 2.2) and returns the
// request. Every failure wraps ErrInvalidRequest; nothing touches a
// database.
func Parse(f *Form, clientIP string) (*Request, error) {
	r := &Request{
		Operation:     f.Get("operation"),
		Device:        f.Get("device"),
		User:          f.Get("user"),
		Password:      f.Get("password"),
		VersionString: f.Get("camcops_version"),
		ClientIP:      clientIP,
		Form:          f,
	}
	if p := f.NULParam(); p != "" {
		// A tablet never sends one, and the database would refuse it
		// later (PROTOCOL 2.2 rule 6).
		return nil, fmt.Errorf("%w: NUL byte in parameter %q", ErrInvalidRequest, p)
	}
	if r.Operation != "" && !isOperation(r.Operation) {
		return nil, fmt.Errorf("%w: bad operation", ErrInvalidRequest)
	}
	if r.Device != "" && !isName(r.Device) {
		return nil, fmt.Errorf("%w: bad device", ErrInvalidRequest)
	}
	if r.User != "" && !isName(r.User) {
		return nil, fmt.Errorf("%w: bad user", ErrInvalidRequest)
	}
	v, err := ParseVersion(r.VersionString)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidRequest, err)
	}
	if minimum := MinClientVersion(); v.Compare(minimum) < 0 {
		return nil, fmt.Errorf("%w: camcops_version %s below %s", ErrInvalidRequest, v, minimum)
	}
	r.Version = v
	// The reserved names (PROTOCOL 2.2) belong to the packages that own
	// devices and users.
	if r.Device == device.ServerName {
		return nil, fmt.Errorf("%w: reserved device name", ErrInvalidRequest)
	}
	if r.User == account.ReservedUsername {
		return nil, fmt.Errorf("%w: reserved user name", ErrInvalidRequest)
	}
	// A session id that is not a decimal integer (e.g. "None") counts as
	// absent; so does a token without an id or an id without a token.
	if id := strings.TrimSpace(f.Get("session_id")); isDigits(id) {
		if n, err := strconv.ParseInt(id, 10, 64); err == nil && n > 0 {
			if tok := f.Get("session_token"); tok != "" {
				r.SessionID, r.SessionToken, r.HasSession = n, tok, true
			}
		}
	}
	return r, nil
}
