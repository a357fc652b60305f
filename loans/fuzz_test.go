package loans

import (
	"strings"
	"testing"
	"time"

	"kitloan/internal/db"
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

// FuzzNHSNumber: NormalizeNHSNumber never panics; what it accepts is ten digits passing
// the modulus-11 check and not all the same, and normal already; what it refuses is a
// field error on nhs_number. A number that passes the check is accepted however it is
// spaced: 943 476 5919, 943-476-5919.
func FuzzNHSNumber(f *testing.F) {
	for _, s := range []string{"9434765919", "943 476 5919", "943-476-5919", " 9434765919\t", "9434765918", "0000000000",
		"1111111111", "943476591", "94347659199", "94347659A9", "９４３４７６５９１９", "943 476 591٩", "4010232137", "", "--", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := NormalizeNHSNumber(s)
		if err != nil {
			if got != "" {
				t.Fatalf("NormalizeNHSNumber(%q) refused it but returned %q", s, got)
			}
			if e := errs.As(err); e.Code != errs.Invalid || e.Fields["nhs_number"] == "" {
				t.Fatalf("NormalizeNHSNumber(%q): %v, want a field error on nhs_number", s, err)
			}
		} else {
			if !nhsValid(got) {
				t.Fatalf("NormalizeNHSNumber(%q) accepted %q, which is not a valid NHS number", s, got)
			}
			if again, err := NormalizeNHSNumber(got); err != nil || again != got {
				t.Fatalf("NormalizeNHSNumber(%q) = %q, but that normalises to %q, %v", s, got, again, err)
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
				got, err := NormalizeNHSNumber(written)
				if nhsValid(d) != (err == nil) || (err == nil && got != d) {
					t.Fatalf("NormalizeNHSNumber(%q) = %q, %v; the rule says valid=%v", written, got, err, nhsValid(d))
				}
			}
		}
	})
}

// dated is an input with an optional ISO date, validated as every input's dates are.
type dated struct {
	On string `json:"on" validate:"omitempty,datetime=2006-01-02"`
}

// FuzzDates: the two ways dates are checked, errs.Validate with the datetime tag (loans,
// requests, items, maintenance, recalls) and errs.DateWithin (each date's window), agree
// with each other and with time.Parse; neither panics; a refusal names the field; an
// accepted date is exactly a real calendar date written YYYY-MM-DD; and a window lets in
// just the dates within it.
func FuzzDates(f *testing.F) {
	for _, s := range []string{"", "2026-11-22", "2024-02-29", "2023-02-29", "2026-13-01", "2026-00-10", "2026-1-2", "14/03/2017",
		"2026-11-22T10:00:00Z", " 2026-11-22", "+026-11-22", "0000-01-01", "9999-12-31", "2026-11-31", "２０２６-11-22", "2026-11-22\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		verr := errs.Validate(dated{On: s})
		derr := errs.DateWithin("on", s, time.Time{}, time.Time{})
		_, perr := time.Parse(db.DateLayout, s)
		want := s == "" || perr == nil
		if (verr == nil) != want || (derr == nil) != want {
			t.Fatalf("date %q: Validate says %v, validDate says %v, time.Parse says %v", s, verr, derr, perr)
		}
		for _, err := range []error{verr, derr} {
			if err != nil {
				if e := errs.As(err); e.Code != errs.Invalid || !strings.Contains(e.Fields["on"], "must be a date like") {
					t.Fatalf("date %q: %v, want a field error on the field", s, err)
				}
			}
		}
		if s != "" && want {
			d, _ := time.Parse(db.DateLayout, s)
			if d.Format(db.DateLayout) != s {
				t.Fatalf("date %q was accepted but is %s", s, d.Format(db.DateLayout))
			}
		}
		werr := errs.DateWithin("on", s, time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2030, 12, 31, 0, 0, 0, 0, time.UTC))
		if within := want && (s == "" || "2000-01-01" <= s && s <= "2030-12-31"); (werr == nil) != within {
			t.Fatalf("date %q in 2000–2030: DateWithin says %v", s, werr)
		}
		if werr != nil && errs.As(werr).Fields["on"] == "" {
			t.Fatalf("date %q: %v names no field", s, werr)
		}
	})
}
