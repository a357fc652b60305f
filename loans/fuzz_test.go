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
// requests, items, maintenance, recalls) and validDate (discharge), agree with each other
// and with time.Parse; neither panics; a refusal names the field; and an accepted date is
// exactly a real calendar date written YYYY-MM-DD.
func FuzzDates(f *testing.F) {
	for _, s := range []string{"", "2026-11-22", "2024-02-29", "2023-02-29", "2026-13-01", "2026-00-10", "2026-1-2", "14/03/2017",
		"2026-11-22T10:00:00Z", " 2026-11-22", "+026-11-22", "0000-01-01", "9999-12-31", "2026-11-31", "２０２６-11-22", "2026-11-22\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		verr := errs.Validate(dated{On: s})
		derr := validDate("on", s)
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
	})
}
