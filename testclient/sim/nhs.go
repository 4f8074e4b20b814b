package sim

import "math/rand/v2"

// NHSNumber returns a random valid NHS number: ten digits, the first not
// zero, the last the mod-11 check digit of the first nine with weights 10 …
// 2 (PROTOCOL 8.4.2).
func NHSNumber(rng *rand.Rand) int64 {
	for {
		var digits [9]int64
		digits[0] = 1 + rng.Int64N(9)
		for i := 1; i < 9; i++ {
			digits[i] = rng.Int64N(10)
		}
		check, ok := nhsCheckDigit(digits)
		if !ok {
			continue
		}
		var n int64
		for _, d := range digits {
			n = n*10 + d
		}
		return n*10 + check
	}
}

// nhsCheckDigit returns the check digit of nine digits, and false when they
// have none (the remainder gives 10).
func nhsCheckDigit(digits [9]int64) (int64, bool) {
	var sum int64
	for i, d := range digits {
		sum += d * int64(10-i)
	}
	check := 11 - sum%11
	switch check {
	case 11:
		return 0, true
	case 10:
		return 0, false
	}
	return check, true
}

// ValidNHSNumber reports whether n passes the uk_nhs_number check.
func ValidNHSNumber(n int64) bool {
	if n < 1_000_000_000 || n > 9_999_999_999 {
		return false
	}
	var digits [9]int64
	rest := n / 10
	for i := 8; i >= 0; i-- {
		digits[i] = rest % 10
		rest /= 10
	}
	check, ok := nhsCheckDigit(digits)
	return ok && check == n%10
}
