package reports_test

import (
	"strings"
	"testing"
	"time"

	"kitloan/internal/errs"
	"kitloan/reports"
)

func TestPeriods(t *testing.T) {
	jan := time.Date(2026, 1, 15, 9, 0, 0, 0, time.UTC)
	// The last 12 months are whole months: from the first of February last year to today.
	p := reports.DefaultPeriod(jan)
	if p.From != "2025-02-01" || p.To != "2026-01-15" {
		t.Errorf("default period: %+v", p)
	}
	if m := p.Months(); len(m) != 12 || m[0] != "2025-02" || m[11] != "2026-01" {
		t.Errorf("months: %v", m)
	}
	if m := (reports.Period{From: "2025-01-31", To: "2025-03-01"}).Months(); strings.Join(m, ",") != "2025-01,2025-02,2025-03" {
		t.Errorf("months of a period that starts late in a month: %v", m)
	}
	p, err := reports.ParsePeriod("2025-04-01", "", jan)
	if err != nil || p != (reports.Period{From: "2025-04-01", To: "2026-01-15"}) {
		t.Errorf("from alone: %+v %v", p, err)
	}
	if p, err := reports.ParsePeriod("2025-04-01", "2025-04-01", jan); err != nil || len(p.Months()) != 1 {
		t.Errorf("one day: %+v %v", p, err)
	}
	for _, c := range []struct{ from, to, field string }{
		{"2025-04-31", "", "from"},
		{"", "next week", "to"},
		{"2025-05-01", "2025-04-30", "to"},
		{"2019-01-01", "2024-01-02", "to"},
	} {
		_, err := reports.ParsePeriod(c.from, c.to, jan)
		if e := errs.As(err); e.Code != errs.Invalid || e.Fields[c.field] == "" {
			t.Errorf("%s to %s: %v", c.from, c.to, err)
		}
	}
	if _, err := reports.ParsePeriod("2019-01-01", "2024-01-01", jan); err != nil {
		t.Errorf("exactly 5 years: %v", err)
	}
}
