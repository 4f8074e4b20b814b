package sim

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// progress shows a load run as it goes: a bar redrawn in place on a
// terminal, or a plain line now and then otherwise.
type progress struct {
	w        io.Writer
	bar      bool
	total    int           // sequences expected; 0 if the run is timed
	duration time.Duration // length of a timed run
	start    time.Time
}

// draw writes the state once; final ends a bar's line.
func (p *progress) draw(st progressState, final bool) {
	elapsed := time.Since(p.start)
	rate := 0.0
	if s := elapsed.Seconds(); s > 0 {
		rate = float64(st.records) / s
	}
	count := fmt.Sprintf("%d sequences", st.sequences)
	if p.total > 0 {
		count = fmt.Sprintf("%d/%d sequences", st.sequences, p.total)
	}
	figures := fmt.Sprintf("%s, %d requests, %.0f records/s, %d errors, %s",
		count, st.requests, rate, st.errors, elapsed.Truncate(time.Second))
	if !p.bar {
		fmt.Fprintf(p.w, "tabletsim: %s\n", figures)
		return
	}
	const width = 30
	done := 0.0
	switch {
	case p.total > 0:
		done = float64(st.sequences) / float64(p.total)
	case p.duration > 0:
		done = elapsed.Seconds() / p.duration.Seconds()
	}
	n := int(min(max(done, 0), 1) * width)
	end := ""
	if final {
		end = "\n"
	}
	// \r returns to the start of the line and \x1b[K clears what is left
	// of a longer previous line.
	fmt.Fprintf(p.w, "\r[%s%s] %s\x1b[K%s", strings.Repeat("#", n), strings.Repeat(".", width-n), figures, end)
}
