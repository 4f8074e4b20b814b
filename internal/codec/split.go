package codec

import "strings"

// Split cuts s into its items (PROTOCOL.md, 7.2 step 1). Items are separated
// by commas outside SQL single quotes; inside quotes, a doubled quote is one
// quote, and commas, CR and LF are ordinary characters. An unterminated quote
// runs to the end of s. Each item is trimmed of white space. An empty s gives
// no items; a trailing comma gives a final empty item.
func Split(s string) []string {
	if s == "" {
		return nil
	}
	items := make([]string, 0, countItems(s))
	for start := 0; start <= len(s); {
		item, next := nextItem(s, start)
		items = append(items, item)
		start = next
	}
	return items
}

// nextItem returns the trimmed item that starts at byte start of s and the
// start of the item after it, which is len(s)+1 after the last item.
func nextItem(s string, start int) (item string, next int) {
	end := itemEnd(s, start)
	return strings.TrimSpace(s[start:end]), end + 1
}

// countItems returns the number of items of a non-empty s.
func countItems(s string) int {
	n := 0
	for start := 0; start <= len(s); start = itemEnd(s, start) + 1 {
		n++
	}
	return n
}

// itemEnd returns the index of the comma that ends the item starting at byte
// start of s, or len(s) for the last item. It is the loop of the protocol's
// pseudo-code, stopped at a separator; a quoted stretch is skipped with
// IndexByte, which is much faster than the loop on long text.
func itemEnd(s string, start int) int {
	for i := start; i < len(s); i++ {
		switch s[i] {
		case ',':
			return i
		case '\'':
			for {
				j := strings.IndexByte(s[i+1:], '\'')
				if j < 0 {
					return len(s) // an unterminated quote runs to the end
				}
				i += 1 + j
				if i+1 < len(s) && s[i+1] == '\'' {
					i++ // a doubled quote: still inside
					continue
				}
				break // the closing quote
			}
		}
	}
	return len(s)
}
