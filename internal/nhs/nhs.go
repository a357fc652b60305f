// Package nhs checks NHS numbers, the ten digits that name a patient in the NHS of
// England, Wales and the Isle of Man, as people type them.
package nhs

import (
	"strings"

	"kitloan/internal/errs"
)

// Normalize checks an NHS number (spaces and hyphens allowed) and returns its ten
// digits: it must pass the modulus-11 check and must not be ten identical digits.
func Normalize(s string) (string, error) {
	digits := strings.NewReplacer(" ", "", "-", "").Replace(strings.TrimSpace(s))
	if len(digits) != 10 {
		return "", errs.Field("nhs_number", "must be 10 digits, like 943 476 5919")
	}
	sum := 0
	for i, r := range digits {
		if r < '0' || r > '9' {
			return "", errs.Field("nhs_number", "must be 10 digits, like 943 476 5919")
		}
		if i < 9 {
			sum += int(r-'0') * (10 - i)
		}
	}
	if strings.Count(digits, digits[:1]) == 10 {
		return "", errs.Field("nhs_number", "is not a real NHS number: check it")
	}
	check := 11 - sum%11
	if check == 11 {
		check = 0
	}
	if check == 10 || check != int(digits[9]-'0') {
		return "", errs.Field("nhs_number", "is not a valid NHS number: check the digits")
	}
	return digits, nil
}
