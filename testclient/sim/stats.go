package sim

import (
	"errors"
	"maps"
	"slices"
	"sync"
	"time"
)

// stats collects the figures of a load run from many goroutines.
type stats struct {
	mu sync.Mutex

	requests, dropped int
	latency           map[string]*histogram
	errors            map[string]*ErrorGroup

	registrations, uploads, oneStep int
	byMethod                        map[string]int
	failed, retries                 int
	recordsSent                     int
	tablesWritten                   map[string]bool // by successful uploads
	failures                        []string
}

func newStats() *stats {
	return &stats{
		latency: map[string]*histogram{}, errors: map[string]*ErrorGroup{}, byMethod: map[string]int{},
		tablesWritten: map[string]bool{},
	}
}

// observe records one request; it is a Config.Observe.
func (s *stats) observe(op string, d time.Duration, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests++
	h := s.latency[op]
	if h == nil {
		h = &histogram{}
		s.latency[op] = h
	}
	h.add(d)
	if err == nil {
		return
	}
	msg, injected := err.Error(), false
	var rerr *RequestError
	if errors.As(err, &rerr) && rerr.Injected {
		msg, injected = rerr.Message, true
		s.dropped++
	}
	g := s.errors[msg]
	if g == nil {
		g = &ErrorGroup{Message: msg, Injected: injected}
		s.errors[msg] = g
	}
	g.Count++
}

// sequenceDone records a finished sequence: a registration (res nil) or an
// upload, successful when err is nil.
func (s *stats) sequenceDone(res *UploadResult, err error, failure string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if res != nil {
		s.recordsSent += res.RecordsSent
	}
	switch {
	case err != nil:
		s.failed++
		if len(s.failures) < maxFailures {
			s.failures = append(s.failures, failure)
		}
	case res == nil:
		s.registrations++
	default:
		s.uploads++
		s.byMethod[res.Method.String()]++
		for _, t := range res.Tables {
			s.tablesWritten[t] = true
		}
		if res.OneStep {
			s.oneStep++
		}
	}
}

// attemptSent records the records sent by an attempt that will be retried.
func (s *stats) attemptSent(res *UploadResult) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.retries++
	if res != nil {
		s.recordsSent += res.RecordsSent
	}
}

// maxFailures bounds the failed sequences a summary lists.
const maxFailures = 20

// progressState is what the progress display shows.
type progressState struct {
	sequences, requests, records, errors int
}

func (s *stats) progress() progressState {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, g := range s.errors {
		n += g.Count
	}
	return progressState{s.registrations + s.uploads + s.failed, s.requests, s.recordsSent, n}
}

// fill copies the figures into a summary.
func (s *stats) fill(sum *Summary) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sum.Registrations, sum.Uploads, sum.OneStepUploads = s.registrations, s.uploads, s.oneStep
	sum.UploadsByMethod = maps.Clone(s.byMethod)
	sum.SequencesFailed, sum.Retries = s.failed, s.retries
	sum.Requests, sum.Dropped, sum.RecordsSent = s.requests, s.dropped, s.recordsSent
	sum.TablesWritten = len(s.tablesWritten)
	sum.Failures = slices.Clone(s.failures)
	for _, g := range s.errors {
		sum.Errors = append(sum.Errors, *g)
	}
	slices.SortFunc(sum.Errors, func(a, b ErrorGroup) int {
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		if a.Message < b.Message {
			return -1
		}
		return 1
	})
	ops := slices.Sorted(maps.Keys(s.latency))
	slices.SortStableFunc(ops, func(a, b string) int { return opRank(a) - opRank(b) })
	for _, op := range ops {
		h := s.latency[op]
		sum.Latency = append(sum.Latency, OpLatency{
			Operation: op, Count: int(h.n),
			P50: ms(h.quantile(0.50)), P95: ms(h.quantile(0.95)), P99: ms(h.quantile(0.99)), Max: ms(h.max),
		})
	}
}

// ms converts a duration to milliseconds.
func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
