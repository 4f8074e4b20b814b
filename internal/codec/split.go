package codec

import "strings"

// Split cuts s into its items (PROTOCOL.md, 7.2 step 1). Items are separated
// by commas outside SQL single quotes; inside quotes, a doubled quote is one quote,
// and commas, CR and LF are ordinary characters. An unterminated quote runs
// to the end of s. Each item is trimmed of white space. An empty s gives no
// items; a trailing comma gives a final empty item.
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
// start of the item after it, which is len(s)+1 after the last item. It is
// the loop of the protocol's pseudo-code, stopped at each separator.
func nextItem(s string, start int) (item string, next int) {
	inQuote := false
	for i := start; i < len(s); i++ {
		c := s[i]
		if !inQuote {
			switch c {
			case ',':
				return strings.TrimSpace(s[start:i]), i + 1
			case '\'':
				inQuote = true
			}
		} else if c == '\'' {
			if i+1 < len(s) && s[i+1] == '\'' {
				i++
			} else {
				inQuote = false
			}
		}
	}
	return strings.TrimSpace(s[start:]), len(s) + 1
}

// countItems returns the number of items Split finds in a non-empty s.
func countItems(s string) int {
	n := 1
	inQuote := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !inQuote {
			switch c {
			case ',':
				n++
			case '\'':
				inQuote = true
			}
		} else if c == '\'' {
			// An escaped '' toggles twice, which leaves inQuote unchanged,
			// exactly as skipping the second quote does.
			inQuote = false
		}
	}
	return n
}
