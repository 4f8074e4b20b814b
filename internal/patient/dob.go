package patient

// dobDate returns the YYYY-MM-DD date part of s when s is a date or a
// date-time of PROTOCOL.md 7.6, with every field in range:
//
//	datetime = date [ sep time [ zone ] ]
//	date     = 4DIGIT "-" 2DIGIT "-" 2DIGIT
//	sep      = "T" / "t" / " "
//	time     = 2DIGIT ":" 2DIGIT [ ":" 2DIGIT [ ( "." / "," ) 1*9DIGIT ] ]
//	zone     = "Z" / "z" / ( "+" / "-" ) 2DIGIT [ ":" ] 2DIGIT
//
// The date part is the date as written; a zone does not move it.
func dobDate(s string) (string, bool) {
	if len(s) < 10 || s[4] != '-' || s[7] != '-' {
		return "", false
	}
	year, ok1 := num(s[0:4])
	month, ok2 := num(s[5:7])
	day, ok3 := num(s[8:10])
	if !ok1 || !ok2 || !ok3 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month) {
		return "", false
	}
	rest := s[10:]
	if rest == "" {
		return s, true
	}
	if rest[0] != 'T' && rest[0] != 't' && rest[0] != ' ' {
		return "", false
	}
	rest, ok := timeOfDay(rest[1:])
	if !ok || !zone(rest) {
		return "", false
	}
	return s[:10], true
}

// timeOfDay consumes the time production from the start of s and returns
// what follows it.
func timeOfDay(s string) (string, bool) {
	if len(s) < 5 || s[2] != ':' {
		return "", false
	}
	hour, ok1 := num(s[0:2])
	minute, ok2 := num(s[3:5])
	if !ok1 || !ok2 || hour > 23 || minute > 59 {
		return "", false
	}
	s = s[5:]
	if len(s) == 0 || s[0] != ':' {
		return s, true
	}
	if len(s) < 3 {
		return "", false
	}
	if second, ok := num(s[1:3]); !ok || second > 59 {
		return "", false
	}
	s = s[3:]
	if len(s) == 0 || (s[0] != '.' && s[0] != ',') {
		return s, true
	}
	n := 1
	for n < len(s) && n <= 9 && isDigit(s[n]) {
		n++
	}
	if n == 1 {
		return "", false
	}
	return s[n:], true
}

// zone reports whether s is empty or exactly one zone production.
func zone(s string) bool {
	switch {
	case s == "" || s == "Z" || s == "z":
		return true
	case s[0] != '+' && s[0] != '-':
		return false
	}
	s = s[1:]
	if len(s) == 5 && s[2] == ':' {
		s = s[:2] + s[3:]
	}
	if len(s) != 4 {
		return false
	}
	hours, ok1 := num(s[0:2])
	minutes, ok2 := num(s[2:4])
	return ok1 && ok2 && hours <= 23 && minutes <= 59
}

// num parses s, which must be ASCII digits only.
func num(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}

// isDigit reports whether c is an ASCII decimal digit.
func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// daysIn returns the number of days in a month of the proleptic Gregorian
// calendar.
func daysIn(year, month int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}
