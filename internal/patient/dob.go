package patient

import "github.com/tabletapi/tabletapi/internal/codec"

// dobDate returns the YYYY-MM-DD date part of a non-empty DOB (PROTOCOL.md
// 6.10): a date or a date-time of 7.6, whose grammar codec.DatePart owns.
// The date is the one written; a zone does not move it. The year 0000
// passes, as the grammar allows: a DOB here is only compared and quoted,
// never stored as a date.
func dobDate(s string) (string, bool) {
	if _, ok := codec.DatePart(s); !ok {
		return "", false
	}
	return s[:10], true
}
