package patient

// ValidationUKNHSNumber is the validation method of UK NHS numbers.
const ValidationUKNHSNumber = "uk_nhs_number"

// IDNumType is what the ID-number checks need to know about one defined ID
// number type: its number and its validation method, "" for none or
// ValidationUKNHSNumber.
type IDNumType struct {
	Which            int64
	ValidationMethod string
}

// Check returns "" when v passes t's validation method, and otherwise the
// <why> of "For ID type <n>, ID number <v> is invalid: <why>" (PROTOCOL.md
// 8.4.2): "Invalid UK NHS number" or "Unknown validation method".
func (t IDNumType) Check(v int64) string {
	switch t.ValidationMethod {
	case "":
		return ""
	case ValidationUKNHSNumber:
		if ValidNHSNumber(v) {
			return ""
		}
		return "Invalid UK NHS number"
	}
	return "Unknown validation method"
}

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
