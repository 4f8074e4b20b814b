package account

// ReservedUsername is the username the API refuses (PROTOCOL 2.1).
const ReservedUsername = "system"

// maxNameLen is the length of the name columns, VARCHAR(191).
const maxNameLen = 191

// validGroupName reports whether name matches ^[A-Za-z0-9_-]{1,191}$.
func validGroupName(name string) bool {
	return validName(name, func(c byte) bool { return c == '_' || c == '-' })
}

// validUsername reports whether name follows PROTOCOL 2.1: 1–191 characters
// from A–Z a–z 0–9 , _ - { }, and is not the reserved "system".
func validUsername(name string) bool {
	if name == ReservedUsername {
		return false
	}
	return validName(name, func(c byte) bool {
		switch c {
		case ',', '_', '-', '{', '}':
			return true
		}
		return false
	})
}

// validName checks the length and that every byte is an ASCII letter or
// digit or accepted by extra. Working on bytes is right: every allowed
// character is ASCII, so any byte of a multi-byte rune is refused.
func validName(name string, extra func(byte) bool) bool {
	if len(name) < 1 || len(name) > maxNameLen {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9', extra(c):
		default:
			return false
		}
	}
	return true
}
