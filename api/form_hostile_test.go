package api

import (
	"bytes"
	"errors"
	"fmt"
	"mime/multipart"
	"runtime"
	"testing"
)

// hostileBodies are bodies built to make a form decoder amplify: millions
// of keys no operation reads, of record numbers, or of parts. Each is
// about size bytes and ends with the parameters of a valid request, so the
// decoder must get through all of it.
func hostileBodies(size int) map[string]struct {
	contentType string
	body        []byte
} {
	const tail = "operation=check_device_registered&camcops_version=2.4.24"
	repeat := func(unit string) []byte {
		var b bytes.Buffer
		for b.Len() < size {
			b.WriteString(unit)
		}
		b.WriteString(tail)
		return b.Bytes()
	}
	sequence := func(format string, next func(int) int) []byte {
		var b bytes.Buffer
		for i := 0; b.Len() < size; i = next(i) {
			fmt.Fprintf(&b, format, i)
		}
		b.WriteString(tail)
		return b.Bytes()
	}
	var mp bytes.Buffer
	mw := multipart.NewWriter(&mp)
	for mp.Len() < size {
		mw.WriteField("k", "")
	}
	mw.WriteField("operation", "check_device_registered")
	mw.WriteField("camcops_version", "2.4.24")
	mw.Close()
	const form = "application/x-www-form-urlencoded"
	return map[string]struct {
		contentType string
		body        []byte
	}{
		"EmptyKeys":           {form, repeat("k&")},
		"EmptyKeysWithEquals": {form, repeat("=&")},
		"UnusedKeys":          {form, repeat("colour=red&")},
		"EncodedUnusedKeys":   {form, repeat("%63olour=%72ed&")},
		"RepeatedParameter":   {form, repeat("user=alice&")},
		"ManyRecords":         {form, sequence("record%d=1,,&", func(i int) int { return i + 1 })},
		// Record numbers that double each time make the index grow by
		// doubling; the first is sparse at once.
		"DoublingRecords": {form, sequence("record%d=x&", func(i int) int { return 2*i + 1 })},
		"SparseRecord":    {form, append([]byte(fmt.Sprintf("record%d=x&", size/12)), repeat("k&")...)},
		"MultipartParts":  {mw.FormDataContentType(), mp.Bytes()},
	}
}

// TestDecodeForm_Hostile: whatever the body, decoding it takes memory
// within twice the body (PROTOCOL 1.2; the hardening issue found 28× for a
// body of 7.6 million empty keys), and keys no operation reads cost no
// allocation at all.
func TestDecodeForm_Hostile(t *testing.T) {
	const size = 4 << 20
	for name, hb := range hostileBodies(size) {
		t.Run(name, func(t *testing.T) {
			body := bytes.Clone(hb.body)
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			f, err := decodeForm(hb.contentType, body, noLimit())
			runtime.ReadMemStats(&after)
			if err != nil {
				t.Fatal(err)
			}
			if f.Get("operation") != "check_device_registered" || f.Get("camcops_version") != "2.4.24" {
				t.Fatalf("the valid parameters at the end were lost: operation %q", f.Get("operation"))
			}
			if got := after.TotalAlloc - before.TotalAlloc; got > 2*uint64(len(hb.body)) {
				t.Errorf("decoding %d bytes allocated %d bytes (%.2f×), want at most 2×",
					len(hb.body), got, float64(got)/float64(len(hb.body)))
			}
		})
	}
	// Keys no operation reads cost no allocation: decoding a body of 16
	// times as many allocates exactly as often (the clone and the form's
	// few fixed allocations).
	allocs := func(name string, size int) float64 {
		hb := hostileBodies(size)[name]
		l := noLimit()
		return testing.AllocsPerRun(3, func() {
			if _, err := decodeForm(hb.contentType, bytes.Clone(hb.body), l); err != nil {
				t.Fatal(err)
			}
		})
	}
	for _, name := range []string{"EmptyKeys", "EmptyKeysWithEquals", "UnusedKeys", "EncodedUnusedKeys", "RepeatedParameter", "MultipartParts"} {
		if small, large := allocs(name, 64<<10), allocs(name, 1<<20); large != small || large > 10 {
			t.Errorf("%s: %v allocations per decode of 64 KiB, %v of 1 MiB; unused keys must cost none", name, small, large)
		}
	}
}

// TestDecodeForm_IndexWithinBudget: the record index counts against the
// memory bodies may take, as the body itself does; past it the decoder
// refuses (503 Server busy).
func TestDecodeForm_IndexWithinBudget(t *testing.T) {
	hb := hostileBodies(1 << 20)["ManyRecords"]
	budget := &bodyBudget{limit: int64(len(hb.body)) / 4}
	l := budget.lease()
	if _, err := decodeForm(hb.contentType, bytes.Clone(hb.body), l); !errors.Is(err, errBodiesBusy) {
		t.Fatalf("err = %v, want errBodiesBusy: an index of %d records passed a budget of %d bytes",
			err, len(hb.body)/12, budget.limit)
	}
	l.release()
	if budget.used.Load() != 0 {
		t.Fatalf("%d bytes still reserved after release", budget.used.Load())
	}
	l = (&bodyBudget{limit: int64(len(hb.body))}).lease()
	if _, err := decodeForm(hb.contentType, bytes.Clone(hb.body), l); err != nil {
		t.Fatalf("a budget of the body's size: %v", err)
	}
}

// BenchmarkDecodeForm_Hostile decodes each hostile body of 64 MiB, the
// default body limit; BENCHMARKS.md records time and bytes per decode.
func BenchmarkDecodeForm_Hostile(b *testing.B) {
	for name, hb := range hostileBodies(64 << 20) {
		b.Run(name, func(b *testing.B) {
			body := make([]byte, len(hb.body))
			b.SetBytes(int64(len(hb.body)))
			b.ReportAllocs()
			for b.Loop() {
				copy(body, hb.body) // decoding is in place
				if _, err := decodeForm(hb.contentType, body, noLimit()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
