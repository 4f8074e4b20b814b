package sim

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"
)

// runner is the state of one load run.
type runner struct {
	cfg     LoadConfig
	stats   *stats
	tablets []*loadTablet
}

// loadTablet is a tablet and the run's choices for it.
type loadTablet struct {
	*Tablet
	rng    *rand.Rand // for choices and Mutate; used by one goroutine at a time
	rounds int        // uploads done
	done   bool       // stopped after a failure

	patient bool           // a single-patient tablet
	key     string         // its access key
	items   []ScheduleItem // its schedule items, fetched at registration
}

// newRunner fills the run's tablets.
func newRunner(cfg LoadConfig) (*runner, error) {
	r := &runner{cfg: cfg, stats: newStats()}
	hc := NewHTTPClient(cfg.RequestTimeout, cfg.Concurrency, cfg.ChaosRate, cfg.Seed, cfg.TLS)
	for i := range cfg.Tablets {
		seed := cfg.Seed*1_000_003 + uint64(i)
		t, err := NewTablet(Config{
			URL: cfg.URL, User: cfg.User, Password: cfg.Password,
			FriendlyName: fmt.Sprintf("tabletsim %d", i+1), CamcopsVersion: cfg.CamcopsVersion, Schema: cfg.Schema,
			HTTPClient: hc, Records: cfg.Records, Seed: seed, Observe: r.stats.observe,
		})
		if err != nil {
			return nil, err
		}
		r.tablets = append(r.tablets, &loadTablet{Tablet: t, rng: rand.New(rand.NewPCG(seed, 0x5eed))})
	}
	for i := range cfg.Patients {
		seed := cfg.Seed*1_000_003 + uint64(cfg.Tablets+i)
		t, err := NewTablet(Config{
			URL: cfg.URL, FriendlyName: fmt.Sprintf("tabletsim patient %d", i+1), CamcopsVersion: cfg.CamcopsVersion,
			Schema: cfg.Schema, HTTPClient: hc, Records: 1, Seed: seed, Observe: r.stats.observe,
		})
		if err != nil {
			return nil, err
		}
		r.tablets = append(r.tablets, &loadTablet{Tablet: t, rng: rand.New(rand.NewPCG(seed, 0x5eed)), patient: true})
	}
	return r, nil
}

// runAll runs every tablet's sequences with cfg.Concurrency workers. A
// worker takes a tablet, runs its next sequence and puts it back while it
// has rounds to go, so tablets interleave.
func (r *runner) runAll(ctx context.Context, start time.Time) {
	queue := make(chan *loadTablet, len(r.tablets))
	for _, t := range r.tablets {
		queue <- t
	}
	var pending sync.WaitGroup
	pending.Add(len(r.tablets))
	go func() {
		pending.Wait()
		close(queue)
	}()
	var workers sync.WaitGroup
	for range r.cfg.Concurrency {
		workers.Go(func() {
			for t := range queue {
				if ctx.Err() == nil && r.step(ctx, t) && r.more(t, start) {
					queue <- t
					continue
				}
				pending.Done()
			}
		})
	}
	workers.Wait()
}

// more reports whether the tablet should run another round.
func (r *runner) more(t *loadTablet, start time.Time) bool {
	if t.done || (r.cfg.Rounds > 0 && t.rounds >= r.cfg.Rounds) {
		return false
	}
	return r.cfg.Duration <= 0 || time.Since(start) < r.cfg.Duration
}

// step runs a tablet's next sequence: its registration, or one round (a
// Mutate after the first, then an upload). It reports whether the tablet
// may go on.
func (r *runner) step(ctx context.Context, t *loadTablet) bool {
	if t.patient {
		return r.patientStep(ctx, t)
	}
	if !t.Registered() {
		t.done = r.register(ctx, t) != nil
		return !t.done
	}
	if t.rounds > 0 {
		t.Mutate(t.rng)
	}
	m := r.cfg.Methods[t.rng.IntN(len(r.cfg.Methods))]
	oneStep := r.cfg.Steps == OneStepOnly || r.cfg.Steps == MixedSteps && t.rng.IntN(2) == 0
	t.done = r.upload(ctx, t, m, oneStep, "upload") != nil
	return !t.done
}

// upload runs one upload sequence of a tablet, with retries, and counts
// it; what names the sequence in a failure.
func (r *runner) upload(ctx context.Context, t *loadTablet, m Method, oneStep bool, what string) error {
	var res *UploadResult
	err := r.retry(ctx, t, func(ctx context.Context) error {
		var err error
		res, err = t.Upload(ctx, m, oneStep)
		return err
	}, func() { r.stats.attemptSent(res) })
	t.rounds++
	r.stats.sequenceDone(res, err, fmt.Sprintf("%s %s %d (%s): %v", t.Device(), what, t.rounds, m, err))
	return err
}

// register registers a tablet, with retries.
func (r *runner) register(ctx context.Context, t *loadTablet) error {
	return r.registerWith(ctx, t, t.Register, "registration")
}

// registerWith runs the registration sequence f of a tablet, with
// retries, and counts it; what names the sequence in a failure.
func (r *runner) registerWith(ctx context.Context, t *loadTablet, f func(context.Context) error, what string) error {
	err := r.retry(ctx, t, f, func() { r.stats.attemptSent(nil) })
	r.stats.sequenceDone(nil, err, fmt.Sprintf("%s %s: %v", t.Device(), what, err))
	return err
}

// retry runs a sequence until it succeeds, fails in a way a tablet would
// not retry, or has had cfg.MaxAttempts attempts; retried is called before
// each retry. Chaos may disturb only the first chaosAttempts attempts. The
// pause between attempts grows from about cfg.RetryPause to 20 times that,
// with jitter; it also gives the server time to finish a request whose
// connection was dropped.
func (r *runner) retry(ctx context.Context, t *loadTablet, f func(context.Context) error, retried func()) error {
	for attempt := 1; ; attempt++ {
		err := f(WithChaos(ctx, r.cfg.ChaosRate > 0 && attempt <= chaosAttempts))
		var rerr *RequestError
		if err == nil || ctx.Err() != nil || !errors.As(err, &rerr) || !rerr.Retryable() || attempt >= r.cfg.MaxAttempts {
			return err
		}
		retried()
		pause := min(r.cfg.RetryPause<<(attempt-1), 20*r.cfg.RetryPause)
		pause = pause/2 + time.Duration(t.rng.Int64N(int64(pause)))
		select {
		case <-ctx.Done():
			return err
		case <-time.After(pause):
		}
	}
}

// showProgress starts the progress display and returns the function that
// draws the final state and stops it.
func (r *runner) showProgress(start time.Time) func() {
	if r.cfg.Progress == nil {
		return func() {}
	}
	p := &progress{w: r.cfg.Progress, bar: r.cfg.ProgressBar, duration: r.cfg.Duration, start: start}
	if r.cfg.Duration <= 0 {
		p.total = r.cfg.Tablets*(r.cfg.Rounds+1) + 2*r.cfg.Patients
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(r.cfg.ProgressInterval)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				p.draw(r.stats.progress(), true)
				return
			case <-tick.C:
				p.draw(r.stats.progress(), false)
			}
		}
	})
	return func() {
		close(stop)
		wg.Wait()
	}
}

// summary builds the run's summary.
func (r *runner) summary(start time.Time) *Summary {
	elapsed := time.Since(start).Seconds()
	s := &Summary{
		URL: r.cfg.URL, TabletCount: r.cfg.Tablets, PatientCount: r.cfg.Patients, Records: r.cfg.Records, Concurrency: r.cfg.Concurrency,
		Rounds: r.cfg.Rounds, ChaosRate: r.cfg.ChaosRate, Seed: r.cfg.Seed, ElapsedSeconds: elapsed,
		Tables: r.cfg.Schema.RegistryTables(),
	}
	if r.cfg.Duration > 0 {
		s.Duration = r.cfg.Duration.String()
	}
	r.stats.fill(s)
	if elapsed > 0 {
		s.RequestsPerSecond = float64(s.Requests) / elapsed
		s.RecordsPerSecond = float64(s.RecordsSent) / elapsed
	}
	for _, t := range r.tablets {
		s.Tablets = append(s.Tablets, t.Tablet)
		if t.patient && t.Registered() {
			s.PatientRegistrations++
			s.TasksCompleted += len(t.completed)
		}
		if t.Unsettled() {
			s.Unsettled = append(s.Unsettled, t.Device())
		}
	}
	return s
}
