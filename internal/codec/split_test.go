package codec_test

import (
	"slices"
	"testing"

	"github.com/tabletapi/tabletapi/internal/codec"
)

func TestSplit(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"Empty", "", nil},
		{"One", "1", []string{"1"}},
		{"EmptyMiddle", "1,,2", []string{"1", "", "2"}},
		{"TrailingComma", "1,", []string{"1", ""}},
		{"OnlyComma", ",", []string{"", ""}},
		{"OnlySpace", "   ", []string{""}},
		{"Trim", " a ,\tb\n, c\r\n", []string{"a", "b", "c"}},
		{"TrimUnicodeSpace", "\u00a01\u2003,2", []string{"1", "2"}},
		{"CommaInQuotes", "'a, b',c", []string{"'a, b'", "c"}},
		{"NewlinesInQuotes", "'x\r\ny',1", []string{"'x\r\ny'", "1"}},
		{"DoubledQuote", "'it''s',2", []string{"'it''s'", "2"}},
		{"DoubledQuoteThenComma", "'a'',b'", []string{"'a'',b'"}},
		{"OnlyDoubledQuotes", "'''',1", []string{"''''", "1"}},
		{"EmptyQuoted", "'',''", []string{"''", "''"}},
		{"Unterminated", "'a,b", []string{"'a,b"}},
		{"UnterminatedAfterDoubled", "1,'a'',b,c", []string{"1", "'a'',b,c"}},
		{"QuoteInsideBareItem", "a'b,c'd,e", []string{"a'b,c'd", "e"}},
		{"SpaceInsideQuotesKept", " ' a ' ", []string{"' a '"}},
		{"Blob", "64'Af8=',X'01FF'", []string{"64'Af8='", "X'01FF'"}},
		{"QuotedWithSpaceAfter", "'a' ,'b'", []string{"'a'", "'b'"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := codec.Split(tt.in)
			if !slices.Equal(got, tt.want) || len(got) != len(tt.want) {
				t.Errorf("Split(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if n := len(codec.Decode(tt.in)); n != len(tt.want) {
				t.Errorf("len(Decode(%q)) = %d, want %d", tt.in, n, len(tt.want))
			}
		})
	}
}
