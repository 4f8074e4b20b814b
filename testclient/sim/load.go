package sim

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"time"
)

// StepMode says which upload path a load run uses.
type StepMode int

// The step modes: each upload picks one-step or multi-step at random, or
// always the one given.
const (
	MixedSteps StepMode = iota
	OneStepOnly
	MultiStepOnly
)

// LoadConfig configures RunLoad. URL, User and Password are needed.
type LoadConfig struct {
	URL, User, Password string

	Tablets     int           // default 1
	Schema      *Schema       // the tablets' tables (Config.Schema); default DefaultSchema()
	Records     int           // tasks per fresh tablet (Config.Records); default 20
	Concurrency int           // tablets busy at once; default min(Tablets, 8)
	Rounds      int           // uploads per tablet; default 1 unless Duration is set
	Duration    time.Duration // if set, start no round after this; rounds started finish
	Methods     []Method      // picked at random for each upload; repeat one to weight it (default DefaultMethods)
	Steps       StepMode
	ChaosRate   float64 // fraction of requests dropped on a sequence's first attempts; 0 for none
	Seed        uint64  // makes the tablets' data and choices reproducible

	RequestTimeout time.Duration // per request; default 20s
	// TLS, if set, is the TLS configuration of every request of the run
	// to an https:// URL: RootCAs to trust a private CA, or
	// InsecureSkipVerify. Nil trusts the system's CAs.
	TLS            *tls.Config
	MaxAttempts    int           // per sequence, as a tablet retries; default 8
	RetryPause     time.Duration // first pause before a retry, doubling up to 20×; default 100ms
	CamcopsVersion string        // default testclient.DefaultCamcopsVersion

	// Patients is the number of single-patient tablets that run alongside
	// the clinician tablets. Before the run, Admin creates a schedule and
	// that many server patients of PatientGroup with it assigned; each
	// patient tablet registers with its patient's access key, completes the
	// tasks due and uploads them once, multi-step.
	Patients     int
	PatientGroup string
	// Admin runs a tabletapi admin command on the server's database, such
	// as "patient add …", and returns its standard output. Needed for
	// Patients.
	Admin func(ctx context.Context, args ...string) (string, error)

	// Progress, if set, receives progress reports: a bar redrawn in place
	// if ProgressBar, else a line every ProgressInterval (default 5s; the
	// bar's default is 200ms).
	Progress         io.Writer
	ProgressBar      bool
	ProgressInterval time.Duration
}

// DefaultMethods is the default mix of a load run: Copy half of the time,
// so that tablets keep data and later uploads send only what changed, and
// each Move method a quarter of the time.
func DefaultMethods() []Method { return []Method{Copy, Copy, MoveKeepingPatients, Move} }

// chaosAttempts is how many attempts of a sequence chaos may disturb; later
// attempts run undisturbed, so that every sequence ends.
const chaosAttempts = 3

func (c LoadConfig) withDefaults() (LoadConfig, error) {
	c.Tablets = max(c.Tablets, 1)
	if c.Records <= 0 {
		c.Records = 20
	}
	if c.Schema == nil {
		c.Schema = DefaultSchema()
	}
	if c.Concurrency <= 0 {
		c.Concurrency = min(c.Tablets, 8)
	}
	if c.Rounds <= 0 && c.Duration <= 0 {
		c.Rounds = 1
	}
	if len(c.Methods) == 0 {
		c.Methods = DefaultMethods()
	}
	if c.RequestTimeout <= 0 {
		c.RequestTimeout = 20 * time.Second
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = 8
	}
	if c.RetryPause <= 0 {
		c.RetryPause = 100 * time.Millisecond
	}
	if c.ProgressInterval <= 0 {
		c.ProgressInterval = 5 * time.Second
		if c.ProgressBar {
			c.ProgressInterval = 200 * time.Millisecond
		}
	}
	if c.URL == "" {
		return c, errors.New("sim: load: no URL")
	}
	if c.Patients > 0 && (c.Admin == nil || c.PatientGroup == "") {
		return c, errors.New("sim: load: patients need Admin and PatientGroup")
	}
	if c.ChaosRate < 0 || c.ChaosRate >= 1 {
		return c, fmt.Errorf("sim: load: chaos rate %g is not in [0, 1)", c.ChaosRate)
	}
	return c, nil
}

// RunLoad registers cfg.Tablets tablets and has each upload cfg.Rounds
// times (or until cfg.Duration has passed), changing its data with Mutate
// before every upload but the first, at most cfg.Concurrency tablets at a
// time. A sequence that fails with no reply, a 5xx or a non-API reply is
// retried whole with a new session, as a tablet would, up to MaxAttempts;
// a tablet whose sequence still fails stops.
//
// It first fills the tablets, which fails if their client version may not
// upload any task of the schema (see NewTablet). It then probes the server
// (see Probe) and registers the first tablet on its own, so that a bad
// URL, a server that is down or not tabletapi, or a refused login ends the
// run at once with that error and a nil Summary.
// If ctx is cancelled, RunLoad stops and returns the summary so far with
// ctx's error. Otherwise the error is nil, and failures are in the Summary.
func RunLoad(ctx context.Context, cfg LoadConfig) (*Summary, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	r, err := newRunner(cfg)
	if err != nil {
		return nil, err
	}
	probeTimeout := min(cfg.RequestTimeout, 10*time.Second)
	if err := Probe(ctx, cfg.URL, cfg.User, cfg.Password, NewHTTPClient(probeTimeout, 1, 0, 0, cfg.TLS)); err != nil {
		return nil, err
	}
	if err := r.setupPatients(ctx); err != nil {
		return nil, err
	}
	start := time.Now()
	if err := r.register(ctx, r.tablets[0]); err != nil {
		return nil, fmt.Errorf("sim: registering a tablet: %w", err)
	}
	stopProgress := r.showProgress(start)
	r.runAll(ctx, start)
	stopProgress()
	return r.summary(start), ctx.Err()
}
