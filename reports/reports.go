// Package reports reads across the domain to report on it: the figures managers watch over
// a period (issues and returns, the recycling rate, turnaround against the request
// targets, loans by category, the value of stock), the counts of work waiting for the
// home page, the CSV exports of each kind of record, and the full export of the whole
// service as a zip of CSVs with a manifest.
//
// It writes nothing but the history events that record an export of personal data, and
// it holds no rules of its own about the things it counts: working days and targets come
// from package loans, so that a request's "past target" and the turnaround figures agree.
// It sits beside inventory and loans, not inside either, because every figure crosses
// both (a loan's items and their categories, a return and the next issue of the same
// item). The SQL is plain (no SQLite date functions): timestamps are RFC 3339 text in UTC
// and dates ISO text, compared as strings, which PostgreSQL does the same way.
package reports

import (
	"context"
	"database/sql"
	"time"

	"kitloan/internal/db"
	"kitloan/internal/errs"
)

// Store reads the figures and writes the exports.
type Store struct {
	db *db.DB
}

// NewStore returns a reports store over d.
func NewStore(d *db.DB) *Store { return &Store{db: d} }

// MaxPeriodYears bounds a report's period, so its monthly charts stay readable.
const MaxPeriodYears = 5

// Period is a span of whole days, From and To included, as ISO dates. Days are UTC days,
// as the stored timestamps are.
type Period struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// DefaultPeriod is the last 12 months as whole calendar months: from the first day of the
// month eleven months before today, to today.
func DefaultPeriod(today time.Time) Period {
	first := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -11, 0)
	return Period{From: first.Format(db.DateLayout), To: today.Format(db.DateLayout)}
}

// ParsePeriod reads a period from its two dates; an empty date takes the default's.
func ParsePeriod(from, to string, today time.Time) (Period, error) {
	p := DefaultPeriod(today)
	fields := errs.FieldsError{}
	var f, t time.Time
	var err error
	if from != "" {
		if f, err = time.Parse(db.DateLayout, from); err != nil {
			fields.Add("from", "must be a date like 2026-04-01")
		}
		p.From = from
	}
	if to != "" {
		if t, err = time.Parse(db.DateLayout, to); err != nil {
			fields.Add("to", "must be a date like 2026-04-30")
		}
		p.To = to
	}
	if err := fields.Err(); err != nil {
		return p, err
	}
	f, _ = time.Parse(db.DateLayout, p.From)
	t, _ = time.Parse(db.DateLayout, p.To)
	if t.Before(f) {
		return p, errs.Field("to", "must be the same as or after the start date")
	}
	if t.After(f.AddDate(MaxPeriodYears, 0, 0)) {
		return p, errs.Field("to", "must be within 5 years of the start date: choose a shorter period")
	}
	return p, nil
}

// bounds returns the period as the half-open range [lo, hi) that a stored RFC 3339
// timestamp falls in when it is on one of the period's days.
func (p Period) bounds() (lo, hi string) {
	t, _ := time.Parse(db.DateLayout, p.To)
	return p.From, t.AddDate(0, 0, 1).Format(db.DateLayout)
}

// Months lists the months ("2026-04") the period touches, in order.
func (p Period) Months() []string {
	f, _ := time.Parse(db.DateLayout, p.From)
	t, _ := time.Parse(db.DateLayout, p.To)
	var out []string
	for m := time.Date(f.Year(), f.Month(), 1, 0, 0, 0, 0, time.UTC); !m.After(t); m = m.AddDate(0, 1, 0) {
		out = append(out, m.Format("2006-01"))
	}
	return out
}

// readTx begins a read-only transaction on the read pool, so that every figure of one
// report, or every table of one export, comes from the same snapshot of the database.
func (s *Store) readTx(ctx context.Context) (*sql.Tx, error) {
	return s.db.Read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
}
