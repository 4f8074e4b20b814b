package patient

import (
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
)

// InfoJSON returns the patient_info value of register_patient and
// get_task_schedules (PROTOCOL 6.3): a JSON array of one object with
// surname, forename, sex, dob, email, address, gp and other (each a string
// or null), then idnum<N> for each ID number in ascending N. It is written
// as the reference's Python json.dumps writes it: ", " and ": " between
// items, and every character outside printable ASCII escaped, so the value
// is one line of ASCII.
func InfoJSON(p *ServerPatient) string {
	var b strings.Builder
	b.WriteString("[{")
	for i, f := range []struct {
		key string
		val *string
	}{
		{"surname", p.Surname}, {"forename", p.Forename}, {"sex", p.Sex}, {"dob", p.DOB},
		{"email", p.Email}, {"address", p.Address}, {"gp", p.GP}, {"other", p.Other},
	} {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(`"` + f.key + `": `)
		if f.val == nil {
			b.WriteString("null")
		} else {
			writeJSONString(&b, *f.val)
		}
	}
	for _, n := range slices.Sorted(maps.Keys(p.IDNums)) {
		b.WriteString(`, "idnum` + strconv.FormatInt(n, 10) + `": ` + strconv.FormatInt(p.IDNums[n], 10))
	}
	b.WriteString("}]")
	return b.String()
}

// writeJSONString writes s as a JSON string in the form of Python's
// json.dumps with ensure_ascii: the short escapes where JSON has them, and
// \uXXXX (a surrogate pair beyond the BMP) for other control characters and
// everything beyond ASCII.
func writeJSONString(b *strings.Builder, s string) {
	const hex = "0123456789abcdef"
	u := func(r rune) {
		b.WriteString(`\u`)
		for shift := 12; shift >= 0; shift -= 4 {
			b.WriteByte(hex[r>>shift&0xf])
		}
	}
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\b':
			b.WriteString(`\b`)
		case r == '\f':
			b.WriteString(`\f`)
		case r < 0x20 || r > 0x7e && r <= 0xffff:
			u(r)
		case r > 0xffff:
			hi, lo := utf16.EncodeRune(r)
			u(hi)
			u(lo)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
}
