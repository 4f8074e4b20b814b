package patient

// ValidNHSNumber reports whether v is a valid UK NHS number (PROTOCOL.md
// 8.4.2): exactly 10 digits, the first not zero, and a check digit equal to
// 11 − (Σ dᵢ·(11−i) mod 11) over the first nine digits, where 11 counts as
// 0 and 10 makes the number invalid.
func ValidNHSNumber(v int64) bool {
	if v < 1_000_000_000 || v > 9_999_999_999 {
		return false
	}
	check := int(v % 10)
	sum := 0
	rest := v / 10
	for weight := 2; weight <= 10; weight++ { // from the ninth digit back to the first
		sum += int(rest%10) * weight
		rest /= 10
	}
	want := 11 - sum%11
	switch want {
	case 11:
		want = 0
	case 10:
		return false
	}
	return check == want
}
