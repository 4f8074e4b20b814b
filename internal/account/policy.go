package account

import (
	"errors"
	"fmt"

	"github.com/tabletapi/tabletapi/internal/idpolicy"
)

// ErrInvalidPolicy matches (errors.Is) CheckPolicies' error for a policy
// the ID-policy parser rejects.
var ErrInvalidPolicy = errors.New("account: invalid ID policy")

// PolicyError is CheckPolicies' refusal of one policy.
type PolicyError struct {
	// Which is "upload" or "finalize".
	Which string
	// Err is the ID-policy parser's error; its text says what is wrong.
	Err error
}

func (e *PolicyError) Error() string { return e.Which + " policy: " + e.Err.Error() }

// Unwrap returns the parser's error.
func (e *PolicyError) Unwrap() error { return e.Err }

// Is makes the error match ErrInvalidPolicy.
func (e *PolicyError) Is(target error) bool { return target == ErrInvalidPolicy }

// CheckPolicies refuses a given (non-nil) policy that the ID-policy parser
// rejects, upload first: a group whose policy does not parse accepts no
// patient, so the command line and the console refuse to store one. The
// error is a *PolicyError.
func CheckPolicies(upload, finalize *string) error {
	for _, p := range []struct {
		which  string
		policy *string
	}{{"upload", upload}, {"finalize", finalize}} {
		if p.policy == nil {
			continue
		}
		if _, err := idpolicy.Parse(*p.policy); err != nil {
			return &PolicyError{Which: p.which, Err: err}
		}
	}
	return nil
}

// Settings describes g's settings as stored, for audit entries and
// listings: its policies ("-" for none) and IP use, which decide what it
// accepts.
func (g *Group) Settings() string {
	return fmt.Sprintf("upload policy %s; finalize policy %s; IP use %s",
		orDash(g.UploadPolicy), orDash(g.FinalizePolicy), g.IPUse())
}

// orDash is *s, or "-" for nil: the text of an absent value.
func orDash(s *string) string {
	if s == nil {
		return "-"
	}
	return *s
}
