package api

import (
	"errors"
	"io"
	"sync/atomic"

	"github.com/tabletapi/tabletapi/internal/fault"
)

// firstBodyChunk is the buffer a body starts with. The buffer then doubles
// each time it fills, up to the declared length, so memory follows what a
// client has sent (at most twice it), not what it says it will send. A
// larger growth factor would leave less behind, but lets a client that
// stalls hold more for what it sent, and measured no better for a large
// upload's peak (BENCHMARKS.md, hostile bodies).
const (
	firstBodyChunk = 64 << 10
	bodyGrowth     = 2
)

var (
	// errBodyTooLarge: the body is, or says it is, over the limit (413).
	errBodyTooLarge = errors.New("api: request body too large")
	// errBodiesBusy: the bodies being held already take the whole budget.
	// A bounded resource is full, so it is a Busy fault (errors.go).
	errBodiesBusy = &fault.Error{Kind: fault.Busy, Message: "api: memory for request bodies exhausted"}
)

// bodyBudget bounds the memory of all the request bodies held at once
// (--max-inflight-body-bytes), with what their forms index: without it,
// slow clients that each declare a large body and send it a byte at a time
// could make the server reserve far more than it has.
type bodyBudget struct {
	limit int64
	used  atomic.Int64
}

// lease is one request's share of the budget, returned with release.
type lease struct {
	budget *bodyBudget
	held   int64
}

func (b *bodyBudget) lease() *lease { return &lease{budget: b} }

// take reserves n more bytes, or reports false, reserving nothing, when
// that would pass the budget's limit.
func (l *lease) take(n int64) bool {
	if l.budget.used.Add(n) > l.budget.limit {
		l.budget.used.Add(-n)
		return false
	}
	l.held += n
	return true
}

// release returns everything the lease holds; it may be called again.
func (l *lease) release() {
	l.budget.used.Add(-l.held)
	l.held = 0
}

// readBody reads a request body of at most limit bytes. A declared
// Content-Length over the limit fails at once, before anything is read.
// The buffer grows as bytes arrive, each growth taken from l first.
// Errors: errBodyTooLarge, errBodiesBusy, or the read's error.
//
// With a Content-Length the buffer ends exactly that size: io.ReadAll's
// growth would leave up to twice a large upload's bytes (BENCHMARKS.md, F6).
func readBody(r io.Reader, declared, limit int64, l *lease) ([]byte, error) {
	if declared > limit {
		return nil, errBodyTooLarge
	}
	ceiling := limit
	if declared >= 0 {
		ceiling = declared
	}
	var buf []byte
	for int64(len(buf)) < ceiling {
		if len(buf) == cap(buf) {
			size := min(max(bodyGrowth*int64(cap(buf)), firstBodyChunk), ceiling)
			if !l.take(size - int64(cap(buf))) {
				return nil, errBodiesBusy
			}
			grown := make([]byte, len(buf), size)
			copy(grown, buf)
			buf = grown
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if errors.Is(err, io.EOF) {
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
	if declared < 0 {
		// Without a length, a body that fills the limit may go on: one
		// byte more, read outside the buffer, tells.
		var probe [1]byte
		if n, _ := io.ReadFull(r, probe[:]); n > 0 {
			return nil, errBodyTooLarge
		}
	}
	return buf, nil
}
