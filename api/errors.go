package api

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/tabletapi/tabletapi/internal/fault"
	"github.com/tabletapi/tabletapi/internal/sqldb"
)

// Generic 503 messages (PROTOCOL 1.5); details go to the log only.
const (
	msgDatabaseUnavailable = "Database unavailable"
	msgInternal            = "Internal server error"
	msgBusy                = "Server busy; try again later"
)

// notSupported is the dispatch error for an unknown operation.
func notSupported(op string) error {
	if op == "" {
		op = "None"
	}
	return fault.Errorf(fault.Refused, "operation=%s: not supported", op)
}

// failure is how the API answers and logs a failed request.
type failure struct {
	status int
	msg    string // the wire text
	// outcome is what the request's log line says: msg, or the fault's
	// Log when msg quotes patient data.
	outcome string
	// reason is the fault's Reason token, for the log line; "" for none.
	reason string
	// serverFault: log err with its detail. err.Error() never reaches a
	// client.
	serverFault bool
	// quiet: the request's log line is at Info although the status is not
	// 200, because nothing went wrong on the server's side.
	quiet bool
}

// level is the level of the request's log line: Warn for a failure that is
// not a 200 refusal, unless it is quiet.
func (f failure) level() slog.Level {
	if f.status == http.StatusOK || f.quiet {
		return slog.LevelInfo
	}
	return slog.LevelWarn
}

// disconnected is the failure of a request whose tablet hung up before its
// operation ended (PROTOCOL 1.6: the work was rolled back). Nobody reads
// the reply, and it is no server fault: a retry will come.
func disconnected() failure {
	return failure{status: http.StatusServiceUnavailable, msg: msgInternal, outcome: "client disconnected", quiet: true}
}

// classify turns err into its failure. A *fault.Error in err's chain gives
// the kind; otherwise a database that does not answer is Unavailable and
// anything else Internal.
func classify(err error) failure {
	var f *fault.Error
	switch {
	case errors.As(err, &f):
	case sqldb.IsUnavailable(err):
		f = &fault.Error{Kind: fault.Unavailable}
	default:
		f = &fault.Error{Kind: fault.Internal}
	}
	r := reply(f)
	r.outcome, r.reason = r.msg, f.Reason
	if f.Log != "" {
		r.outcome = f.Log
	}
	return r
}

// reply maps f's kind to its status and wire text (PROTOCOL 1.5). This is
// the one place that knows what each kind means on the wire.
func reply(f *fault.Error) failure {
	switch f.Kind {
	case fault.Refused:
		return failure{status: http.StatusOK, msg: f.Message}
	case fault.Inconsistent:
		return failure{status: http.StatusServiceUnavailable, msg: f.Message, serverFault: true}
	case fault.Busy:
		return failure{status: http.StatusServiceUnavailable, msg: msgBusy}
	case fault.Unavailable:
		return failure{status: http.StatusServiceUnavailable, msg: msgDatabaseUnavailable, serverFault: true}
	}
	return failure{status: http.StatusServiceUnavailable, msg: msgInternal, serverFault: true}
}
