package codec

// Decode splits s into items and classifies each (PROTOCOL.md, 7.2). An empty
// s gives no values. It never fails: type errors are found by Convert.
//
// It allocates the result once; text without quotes or backslashes to undo
// shares memory with s.
func Decode(s string) []Value {
	if s == "" {
		return nil
	}
	vs := make([]Value, countItems(s))
	start := 0
	for i := range vs {
		var item string
		item, start = nextItem(s, start)
		vs[i] = Classify(item)
	}
	return vs
}
