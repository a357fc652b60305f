package loans

import (
	"strings"
	"testing"
	"time"

	"kitloan/internal/db"
	"kitloan/internal/errs"
)

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
