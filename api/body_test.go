package api

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

// TestReadBody: the buffer ends at the body's size, a body without a
// declared length is judged against the limit by one byte read outside
// the buffer, and the budget holds what was reserved until release.
func TestReadBody(t *testing.T) {
	const limit = 100 << 10
	for _, tc := range []struct {
		name     string
		size     int
		declared bool
		want     error
	}{
		{"DeclaredAtLimit", limit, true, nil},
		{"DeclaredOverLimit", limit + 1, true, errBodyTooLarge},
		{"ChunkedAtLimit", limit, false, nil},
		{"ChunkedOverLimit", limit + 1, false, errBodyTooLarge},
		{"ChunkedSmall", 10, false, nil},
		{"Empty", 0, true, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// A budget of exactly the limit: a body at the limit must fit.
			budget := &bodyBudget{limit: limit}
			l := budget.lease()
			declared := int64(-1)
			if tc.declared {
				declared = int64(tc.size)
			}
			body, err := readBody(io.LimitReader(strings.NewReader(strings.Repeat("x", limit+10)), int64(tc.size)), declared, limit, l)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if err == nil && (len(body) != tc.size || !bytes.Equal(body, bytes.Repeat([]byte("x"), tc.size))) {
				t.Fatalf("read %d bytes, want %d", len(body), tc.size)
			}
			if err == nil && tc.declared && int64(cap(body)) != declared {
				t.Errorf("buffer of %d bytes for a body of %d", cap(body), declared)
			}
			if held := budget.used.Load(); err == nil && held < int64(tc.size) {
				t.Errorf("%d bytes reserved for a body of %d", held, tc.size)
			}
			l.release()
			if budget.used.Load() != 0 {
				t.Errorf("%d bytes still reserved after release", budget.used.Load())
			}
		})
	}
}
