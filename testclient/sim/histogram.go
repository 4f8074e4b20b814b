package sim

import (
	"math"
	"time"
)

// Bucket bounds of a histogram: from histMin up, each bucket 2% wider
// than the one before, which covers 10 µs to over ten minutes in about 900
// buckets. Quantiles are exact to within 2%.
const (
	histMin    = 10 * time.Microsecond
	histGrowth = 1.02
)

// histogram records durations in a bounded amount of memory, so that long
// load runs can report quantiles.
type histogram struct {
	counts []uint64
	n      uint64
	max    time.Duration
}

// add records one duration.
func (h *histogram) add(d time.Duration) {
	i := 0
	if d > histMin {
		i = int(math.Ceil(math.Log(float64(d)/float64(histMin)) / math.Log(histGrowth)))
	}
	if i >= len(h.counts) {
		h.counts = append(h.counts, make([]uint64, i+1-len(h.counts))...)
	}
	h.counts[i]++
	h.n++
	h.max = max(h.max, d)
}

// quantile returns the upper bound of the bucket that holds the q-quantile
// (0 < q ≤ 1), capped at the largest duration seen; 0 if h is empty.
func (h *histogram) quantile(q float64) time.Duration {
	rank := uint64(math.Ceil(q * float64(h.n)))
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank && c > 0 {
			return min(time.Duration(float64(histMin)*math.Pow(histGrowth, float64(i))), h.max)
		}
	}
	return h.max
}
