package api

import (
	"fmt"
	"testing"

	"github.com/tabletapi/tabletapi/internal/extrastrings"
)

// BenchmarkExtraStringsReply is what building the get_extra_strings reply
// would cost each request if New did not build it once: 7,560 strings,
// about the size of the CamCOPS server's folder (BENCHMARKS.md).
func BenchmarkExtraStringsReply(b *testing.B) {
	strs := make([]extrastrings.String, 0, 84*90)
	for t := range 84 {
		for s := range 90 {
			strs = append(strs, extrastrings.String{
				Task: fmt.Sprintf("task%02d", t), Name: fmt.Sprintf("q%d", s),
				Value: "Question: how often have you felt “low” or 'down'? <b>Rate</b> 0–3.\nSee the notes &amp; the manual.",
			})
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		extraStringsReply(strs).encode()
	}
}
