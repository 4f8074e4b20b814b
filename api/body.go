package api

import (
	"errors"
	"io"
	"sync/atomic"
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
	// errBodiesBusy: the bodies being held already take the whole budget
	// (503 Server busy).
	errBodiesBusy = errors.New("api: memory for request bodies exhausted")
)

// bodyBudget bounds the memory of all the request bodies held at once
// (--max-inflight-body-bytes): without it, slow clients that each declare a
// large body and send it a byte at a time could make the server reserve
// far more than it has.
type bodyBudget struct {
	limit int64
	used  atomic.Int64
}

// take reserves n bytes, or reports false, reserving nothing, when that
// would pass the limit.
func (b *bodyBudget) take(n int64) bool {
	if b.used.Add(n) > b.limit {
		b.used.Add(-n)
		return false
	}
	return true
}

// give returns n reserved bytes.
func (b *bodyBudget) give(n int64) { b.used.Add(-n) }

// readBody reads a request body of at most limit bytes. A declared
// Content-Length over the limit fails at once, before anything is read.
// The buffer grows as bytes arrive, each growth reserved from budget first;
// the caller must call release once it no longer uses the body, also after
// an error. Errors: errBodyTooLarge, errBodiesBusy, or the read's error.
//
// With a Content-Length the buffer ends exactly that size: io.ReadAll's
// growth would leave up to twice a large upload's bytes (BENCHMARKS.md, F6).
func readBody(r io.Reader, declared, limit int64, budget *bodyBudget) (body []byte, release func(), err error) {
	var reserved int64
	release = func() { budget.give(reserved); reserved = 0 }
	if declared > limit {
		return nil, release, errBodyTooLarge
	}
	ceiling := limit + 1 // without a length: room to see one byte too many
	if declared >= 0 {
		ceiling = declared
	}
	var buf []byte
	for int64(len(buf)) < ceiling {
		if len(buf) == cap(buf) {
			size := min(max(bodyGrowth*int64(cap(buf)), firstBodyChunk), ceiling)
			if !budget.take(size - int64(cap(buf))) {
				return nil, release, errBodiesBusy
			}
			reserved += size - int64(cap(buf))
			grown := make([]byte, len(buf), size)
			copy(grown, buf)
			buf = grown
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, release, err
		}
	}
	if int64(len(buf)) > limit {
		return nil, release, errBodyTooLarge
	}
	return buf, release, nil
}
