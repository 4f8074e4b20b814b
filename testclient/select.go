package testclient

import (
	"fmt"
	"strconv"
	"strings"
)

// SelectBlock is the SELECT block of a reply (PROTOCOL 6.1): the field names
// and, for each record, one Value per field.
type SelectBlock struct {
	Fields  []string
	Records [][]Value
}

// Select parses the reply's SELECT block as the client's getRecordList does:
// nfields, fields (split at commas), nrecords, then record0 …
// record<nrecords-1>, each a CSV of literals read by ParseReplyLiterals.
// nrecords:0 gives no records and no error.
//
// The error reports a missing key, a count that is not a non-negative
// integer, a record whose number of values differs from nfields, or a
// malformed literal. Unlike the client, which only warns, Select also fails
// when nfields differs from the number of names in fields.
func (r *Reply) Select() (*SelectBlock, error) {
	for _, k := range []string{"nrecords", "nfields", "fields"} {
		if _, ok := r.Values[k]; !ok {
			return nil, fmt.Errorf("testclient: select: missing key %s", k)
		}
	}
	nrecords, err := count(r.Values["nrecords"])
	if err != nil {
		return nil, fmt.Errorf("testclient: select: nrecords: %w", err)
	}
	nfields, err := count(r.Values["nfields"])
	if err != nil {
		return nil, fmt.Errorf("testclient: select: nfields: %w", err)
	}
	b := &SelectBlock{Fields: strings.Split(r.Values["fields"], ",")}
	if nfields != len(b.Fields) {
		return nil, fmt.Errorf("testclient: select: nfields is %d but fields has %d names", nfields, len(b.Fields))
	}
	for i := range nrecords {
		key := "record" + strconv.Itoa(i)
		csv, ok := r.Values[key]
		if !ok {
			return nil, fmt.Errorf("testclient: select: missing key %s", key)
		}
		values, err := ParseReplyLiterals(csv)
		if err != nil {
			return nil, fmt.Errorf("testclient: select: %s: %w", key, err)
		}
		if len(values) != nfields {
			return nil, fmt.Errorf("testclient: select: %s has %d values, want %d", key, len(values), nfields)
		}
		b.Records = append(b.Records, values)
	}
	return b, nil
}

// Maps returns each record as a map from field name to value.
func (b *SelectBlock) Maps() []map[string]Value {
	out := make([]map[string]Value, len(b.Records))
	for i, rec := range b.Records {
		m := make(map[string]Value, len(b.Fields))
		for j, f := range b.Fields {
			m[f] = rec[j]
		}
		out[i] = m
	}
	return out
}

// count parses a non-negative decimal count, ignoring surrounding white space
// as the client does.
func count(s string) (int, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 32)
	if err != nil {
		return 0, err
	}
	if n < 0 {
		return 0, fmt.Errorf("negative count %d", n)
	}
	return int(n), nil
}
