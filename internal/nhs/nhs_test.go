package nhs

import (
	"strings"
	"testing"

	"kitloan/internal/errs"
)

// nhsValid is the rule of the NHS number written out again: ten ASCII digits, a
// modulus-11 check digit (weights 10 down to 2; 11 counts as 0 and 10 is never issued),
// and not ten of the same digit.
func nhsValid(d string) bool {
	if len(d) != 10 {
		return false
	}
	sum := 0
	for i := range 10 {
		if d[i] < '0' || d[i] > '9' {
			return false
		}
		if i < 9 {
			sum += int(d[i]-'0') * (10 - i)
		}
	}
	check := (11 - sum%11) % 11
	return check != 10 && check == int(d[9]-'0') && strings.Count(d, d[:1]) != 10
}

// FuzzNHSNumber: Normalize never panics; what it accepts is ten digits passing
// the modulus-11 check and not all the same, and normal already; what it refuses is a
// field error on nhs_number. A number that passes the check is accepted however it is
// spaced: 943 476 5919, 943-476-5919.
func FuzzNHSNumber(f *testing.F) {
	for _, s := range []string{"9434765919", "943 476 5919", "943-476-5919", " 9434765919\t", "9434765918", "0000000000",
		"1111111111", "943476591", "94347659199", "94347659A9", "９４３４７６５９１９", "943 476 591٩", "4010232137", "", "--", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := Normalize(s)
		if err != nil {
			if got != "" {
				t.Fatalf("Normalize(%q) refused it but returned %q", s, got)
			}
			if e := errs.As(err); e.Code != errs.Invalid || e.Fields["nhs_number"] == "" {
				t.Fatalf("Normalize(%q): %v, want a field error on nhs_number", s, err)
			}
		} else {
			if !nhsValid(got) {
				t.Fatalf("Normalize(%q) accepted %q, which is not a valid NHS number", s, got)
			}
			if again, err := Normalize(got); err != nil || again != got {
				t.Fatalf("Normalize(%q) = %q, but that normalises to %q, %v", s, got, again, err)
			}
		}
		// Ten digits written any usual way are judged by the rule alone.
		var digits strings.Builder
		for _, r := range s {
			if r >= '0' && r <= '9' {
				digits.WriteRune(r)
			}
		}
		if d := digits.String(); len(d) == 10 {
			for _, written := range []string{d, d[:3] + " " + d[3:6] + " " + d[6:], d[:3] + "-" + d[3:6] + "-" + d[6:], "  " + d + "\n"} {
				got, err := Normalize(written)
				if nhsValid(d) != (err == nil) || (err == nil && got != d) {
					t.Fatalf("Normalize(%q) = %q, %v; the rule says valid=%v", written, got, err, nhsValid(d))
				}
			}
		}
	})
}
