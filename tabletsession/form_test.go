package tabletsession_test

import (
	"fmt"
	"testing"

	"github.com/tabletapi/tabletapi/tabletsession"
)

// add offers key=value to f, appending value to src, f's source.
func add(f *tabletsession.Form, src *[]byte, key, value string) bool {
	*src = append(*src, value...)
	f.SetSource(*src)
	return f.Add([]byte(key), len(*src)-len(value), len(value))
}

func TestForm(t *testing.T) {
	t.Run("KeepsOnlyWhatOperationsRead", func(t *testing.T) {
		f, src := tabletsession.NewForm(1<<10, nil), []byte{}
		for key, kept := range map[string]bool{
			"operation": true, "dbdata": true, "move_off_tablet_values": true, "record0": true, "record84": true,
			"colour": false, "Operation": false, "record": false, "record01": false, "record-1": false,
			"record+1": false, "recordx": false, "record1234567890": false,
		} {
			if got := f.Wants([]byte(key)); got != kept {
				t.Errorf("Wants(%q) = %v, want %v", key, got, kept)
			}
			if got := add(f, &src, key, "v"); got != kept {
				t.Errorf("Add(%q) = %v, want %v", key, got, kept)
			}
		}
		if v, ok := f.Raw("colour"); ok || v != "" {
			t.Errorf(`Raw("colour") = %q, %v; a dropped key must read as absent`, v, ok)
		}
		if f.Get("record84") != "v" || f.Get("record83") != "" {
			t.Errorf("records: 84 = %q, 83 = %q", f.Get("record84"), f.Get("record83"))
		}
	})
	t.Run("LastRepeatWins", func(t *testing.T) {
		f, src := tabletsession.NewForm(1<<10, nil), []byte{}
		add(f, &src, "record3", "a")
		add(f, &src, "user", "bob")
		add(f, &src, "record3", "b")
		add(f, &src, "user", "alice")
		if f.Get("record3") != "b" || f.Get("user") != "alice" {
			t.Fatalf("record3 = %q, user = %q", f.Get("record3"), f.Get("user"))
		}
	})
	t.Run("BlankDiffersFromAbsentInRaw", func(t *testing.T) {
		f, src := tabletsession.NewForm(1<<10, nil), []byte{}
		add(f, &src, "move_off_tablet_values", " ")
		if v, ok := f.Raw("move_off_tablet_values"); !ok || v != " " {
			t.Fatalf("Raw = %q, %v; want a present blank", v, ok)
		}
		if f.Get("move_off_tablet_values") != "" {
			t.Fatal("Get of a blank value must read as absent")
		}
		if _, ok := f.Raw("pkvalues"); ok {
			t.Fatal("Raw of an absent key reports it present")
		}
	})
	t.Run("RecordsBoundedByBodySize", func(t *testing.T) {
		// A 1,200-byte body has room for at most 100 good record
		// parameters (12 bytes each), so record<N> numbered past that can
		// never be read, and a hostile number cannot size the index.
		f, src := tabletsession.NewForm(1200, nil), []byte{}
		if !add(f, &src, "record100", "x") {
			t.Fatal("record100 dropped; a 1,200-byte body can hold 101 records' worth of numbering")
		}
		if add(f, &src, "record101", "x") || add(f, &src, "record999999999", "x") {
			t.Fatal("a record numbered beyond what the body can hold was kept")
		}
	})
	t.Run("EveryRecordOfATightBodyKept", func(t *testing.T) {
		// The smallest records that can pass the record checks, as many
		// as fit: each is kept.
		var body []byte
		for i := range 1000 {
			body = fmt.Appendf(body, "record%d=1,,&", i)
		}
		f, src := tabletsession.NewForm(len(body), nil), []byte{}
		for i := range 1000 {
			if !add(f, &src, fmt.Sprintf("record%d", i), "1,,") {
				t.Fatalf("record%d of a %d-byte body dropped", i, len(body))
			}
		}
	})
}
