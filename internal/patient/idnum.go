package patient

import (
	"fmt"

	"github.com/tabletapi/tabletapi/internal/account"
)

// InvalidIDNumMessage is the wire text of an ID number that its type's
// validation method refuses (PROTOCOL 11): value as the reference writes
// it, why as IDNumProblem gives it.
func InvalidIDNumMessage(which int64, value, why string) string {
	return fmt.Sprintf("For ID type %d, ID number %s is invalid: %s", which, value, why)
}

// IDNumProblem returns why value is not a valid ID number under a type's
// validation method (PROTOCOL 8.4.2 and 11), or "" if it is valid:
// "Unknown validation method", "Not an integer" or "Invalid UK NHS
// number". method is "" for none; value is nil (NULL, always valid), an
// int64, or anything else, which is not an integer.
func IDNumProblem(method string, value any) string {
	v, isInt := value.(int64)
	switch {
	case value == nil, method == "":
		return ""
	case method != account.ValidationUKNHSNumber:
		return "Unknown validation method"
	case !isInt:
		return "Not an integer"
	case !ValidNHSNumber(v):
		return "Invalid UK NHS number"
	}
	return ""
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
