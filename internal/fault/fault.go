// Package fault owns the one error type that reaches a tablet: an Error
// with a Kind and the exact wire text. Domain packages return or wrap an
// *Error next to the rule that refuses; only the api package turns a Kind
// into an HTTP status and a reply. It imports none of our packages.
package fault

import "fmt"

// Kind says how the API answers a failure (PROTOCOL 1.5). The zero Kind is
// Internal, so an Error built without one is treated as a server fault.
type Kind uint8

// The kinds, each with the reply the api package gives it.
const (
	// Internal: a server fault. HTTP 503 with the generic internal text;
	// Message is for the log only. The api package counts any error that
	// is not an *Error as Internal, or as Unavailable when
	// sqldb.IsUnavailable recognises it.
	Internal Kind = iota
	// Refused: the request is refused by a rule. HTTP 200, success:0,
	// with Message.
	Refused
	// Inconsistent: the database holds a state the rule cannot work with,
	// e.g. a device row deleted during the request. HTTP 503 with
	// Message, logged as a server fault.
	Inconsistent
	// Busy: a bounded resource had no room in time. HTTP 503 with the
	// generic busy text; Message is for the log only.
	Busy
	// Unavailable: the database did not answer. HTTP 503 with the generic
	// database text, logged as a server fault; Message is for the log
	// only.
	Unavailable
)

// Error is a failure with its kind. Compare sentinel *Error values with
// errors.Is and find one in a chain with errors.As.
type Error struct {
	Kind Kind
	// Message is the exact wire text for Refused and Inconsistent (PROTOCOL
	// 11); for the other kinds it says what happened, for the log.
	Message string
	// Log, if set, replaces Message wherever the failure is logged,
	// because Message quotes data from the request that may be a patient's.
	Log string
	// Reason, if set, is a short stable token naming the rule that
	// refused (e.g. "idnum_invalid"), which the request's log line
	// carries so operators can count refusals by rule.
	Reason string
}

// Errorf returns an *Error of kind whose Message is formatted.
func Errorf(kind Kind, format string, a ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, a...)}
}

// MissingVariable returns the refusal of a request that lacks the
// mandatory parameter name or leaves it blank: "Must provide the variable:
// <name>" (PROTOCOL 11).
func MissingVariable(name string) *Error {
	return &Error{Kind: Refused, Message: "Must provide the variable: " + name}
}

// LogText is what a log may say of the failure: Log if set, else Message.
func (e *Error) LogText() string {
	if e.Log != "" {
		return e.Log
	}
	return e.Message
}

// Error returns LogText, so that logging an error never writes the patient
// data a Message may quote.
func (e *Error) Error() string { return e.LogText() }
