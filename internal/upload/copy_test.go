package upload

import (
	"io"
	"math"
	"testing"
	"time"

	"github.com/tabletapi/tabletapi/internal/registry"
)

func TestAppendCopyValue(t *testing.T) {
	when := time.Date(2024, 5, 1, 9, 31, 12, 345000000, time.FixedZone("", 3600))
	for _, c := range []struct {
		v    any
		want string
	}{
		{nil, `\N`},
		{int64(-7), `-7`},
		{1.5, `1.5`},
		{math.NaN(), `\N`},
		{math.Inf(-1), `\N`},
		{true, `t`},
		{false, `f`},
		{"", ``},
		{"a\tb\nc\rd\\e 'f' \"g\" ü", `a\tb\nc\rd\\e 'f' "g" ü`},
		{[]byte{1, 0xff}, `\\x01ff`},
		{[]byte{}, `\\x`},
		{when, `2024-05-01 08:31:12.345+00:00`},
	} {
		if got := string(appendCopyValue(nil, c.v)); got != c.want {
			t.Errorf("appendCopyValue(%#v) = %s, want %s", c.v, got, c.want)
		}
	}
}

// TestCopyReader: the rows come out whole and in order, however small the
// reads, with the _pk first and the constant columns last.
func TestCopyReader(t *testing.T) {
	fields := []registry.Field{{Name: "id", Type: registry.Integer}, {Name: "note", Type: registry.Text}}
	var rows []newRow
	var pks []int64
	want := ""
	for i := range 3000 {
		rec := &Record{PK: int64(i), Fields: fields, Values: []any{int64(i), "x\ty"}}
		rows = append(rows, newRow{rec: rec, pred: int64(i % 2)})
		pks = append(pks, int64(100+i))
		pred := `\N`
		if i%2 == 1 {
			pred = "1"
		}
		want += itoa(100+i) + "\t" + itoa(i) + "\tx\\ty\t" + pred + "\tNOW\n"
	}
	r := &copyReader{rows: rows, pks: pks, fields: fields, tail: []byte("\tNOW\n")}
	got, err := io.ReadAll(io.LimitReader(&oneByteReader{r}, int64(len(want)+1)))
	if err != nil || string(got) != want {
		t.Fatalf("copyReader gave %d bytes (err %v), want %d; first difference at %d", len(got), err, len(want), firstDiff(string(got), want))
	}
}

type oneByteReader struct{ r io.Reader }

func (o *oneByteReader) Read(p []byte) (int, error) { return o.r.Read(p[:min(len(p), 7)]) }

func itoa(i int) string { return string(appendCopyValue(nil, int64(i))) }

func firstDiff(a, b string) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}
