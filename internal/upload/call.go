package upload

import (
	"time"

	"github.com/tabletapi/tabletapi/internal/registry"
	"github.com/tabletapi/tabletapi/schema"
)

// Call is one batch operation's context: who, which device, when, and the
// transaction that phase B runs in.
type Call struct {
	// Tx is the request's transaction, where phase B runs
	// (InTransaction).
	Tx       *Tx
	DeviceID int64
	UserID   int64
	Username string
	GroupID  int64  // U's upload group, stored as _group_id
	Version  string // camcops_version as posted, stored as _camcops_version
	// VersionShown is the parsed client version as messages write it
	// (MAJOR.MINOR.PATCH, with any pre-release part).
	VersionShown string
	ClientIP     string
	Now          time.Time // one instant for every time the request writes
	// Received is when the API received the request, before reading its
	// body and before phase A, from time.Now (so with Go's monotonic
	// reading), not from the clock that gives Now. Batch requests received
	// before the open batch began are refused (PROTOCOL 8.3.2 step 4,
	// earlier.go).
	Received time.Time
	// AtLeast reports whether the client version is at least v
	// (MAJOR.MINOR.PATCH).
	AtLeast func(v string) bool
	// Form gives the request's parameters: Get returns "" for absent or
	// blank; Raw tells a blank value from an absent one.
	Get func(key string) string
	Raw func(key string) (string, bool)
}

// Engine runs the upload operations. Each fails with a Refused
// *fault.Error holding the wire text (ErrDeviceBusy, ErrTakenOver and
// ErrEarlierAttempt among them), an Inconsistent one if the device row has
// vanished, or a database error.
type Engine struct {
	reg          *registry.Registry
	staleTimeout time.Duration
	nowTables    string // schema.NowTablesFunction(reg), used on PostgreSQL
	metrics      *metrics
}

// NewEngine returns an engine for the tables of reg, on a database whose
// schema.SyncTables has synchronised with reg; each operation reads the
// dialect from its transaction. Another user's batch counts as abandoned
// after staleTimeout without activity.
func NewEngine(reg *registry.Registry, staleTimeout time.Duration) *Engine {
	return &Engine{reg: reg, staleTimeout: staleTimeout, nowTables: schema.NowTablesFunction(reg), metrics: newMetrics()}
}

// VersionText returns the client version as written in messages.
func (c *Call) VersionText() string { return c.VersionShown }
