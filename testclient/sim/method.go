package sim

import "fmt"

// Method is the client's upload method (PROTOCOL 12.3).
type Method int

// The three upload methods of the real client.
const (
	Copy Method = iota
	MoveKeepingPatients
	Move
)

// Methods returns every method, in the order of the client's menu.
func Methods() []Method { return []Method{Copy, MoveKeepingPatients, Move} }

// String returns the method's name, e.g. "MoveKeepingPatients".
func (m Method) String() string {
	switch m {
	case Copy:
		return "Copy"
	case MoveKeepingPatients:
		return "MoveKeepingPatients"
	case Move:
		return "Move"
	}
	return fmt.Sprintf("Method(%d)", int(m))
}

// Moves reports whether the method preserves (moves off the tablet)
// everything it uploads.
func (m Method) Moves() bool { return m == MoveKeepingPatients || m == Move }

// ParseMethod parses a method name as written by String, or its short form
// copy, move-keep or move (case-sensitive). The error names the accepted
// forms.
func ParseMethod(s string) (Method, error) {
	switch s {
	case "Copy", "copy":
		return Copy, nil
	case "MoveKeepingPatients", "move-keep":
		return MoveKeepingPatients, nil
	case "Move", "move":
		return Move, nil
	}
	return 0, fmt.Errorf("sim: unknown upload method %q (want copy, move-keep or move)", s)
}
