package demo_test

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"kitloan/demo"
	"kitloan/internal/db"
	"kitloan/reports"
)

// loadSmall loads the small demo into a new database whose clock stands still at now.
func loadSmall(t *testing.T, now time.Time) *db.DB {
	t.Helper()
	d, err := db.Open(context.Background(), filepath.Join(t.TempDir(), "demo.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	d.Now = func() time.Time { return now }
	if loaded, err := demo.Load(context.Background(), d, demo.Small); err != nil || !loaded {
		t.Fatalf("loading the demo: %v (loaded %v)", err, loaded)
	}
	return d
}

// fulfilment is a fulfilled request as the request page and the reports see it.
type fulfilment struct {
	Request, Child, Product int64
	Priority, Note          string
	Created, Fulfilled      string
	Loan                    int64
	LoanChild               int64
	LoanIssued              string
	Events                  string
}

func fulfilments(t *testing.T, d *db.DB) []fulfilment {
	t.Helper()
	rows, err := d.Read.Query(`SELECT r.id, r.child_id, r.product_id, r.priority, r.status_note, r.created_at, r.fulfilled_at,
			l.id, l.child_id, l.issued_at,
			(SELECT group_concat(action, ' ') FROM (SELECT action FROM events WHERE entity = 'request' AND entity_id = r.id ORDER BY at, id))
		FROM requests r JOIN loans l ON l.request_id = r.id WHERE r.status = 'fulfilled' ORDER BY r.id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []fulfilment
	for rows.Next() {
		var f fulfilment
		if err := rows.Scan(&f.Request, &f.Child, &f.Product, &f.Priority, &f.Note, &f.Created, &f.Fulfilled,
			&f.Loan, &f.LoanChild, &f.LoanIssued, &f.Events); err != nil {
			t.Fatal(err)
		}
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestDemoHasFulfilledRequests: the demo's reports show turnaround ("within target",
// "median working days"), which needs requests fulfilled by loans the way the store
// fulfils them, and the same demo every time.
func TestDemoHasFulfilledRequests(t *testing.T) {
	now := time.Date(2026, 5, 14, 10, 30, 0, 0, time.UTC)
	d := loadSmall(t, now)
	got := fulfilments(t, d)
	if len(got) < 10 {
		t.Fatalf("%d fulfilled requests, want at least 10", len(got))
	}
	var all int
	d.Read.QueryRow(`SELECT count(*) FROM requests WHERE status = 'fulfilled'`).Scan(&all)
	if all != len(got) {
		t.Errorf("%d fulfilled requests, %d of them met by a loan", all, len(got))
	}
	for _, f := range got {
		// As IssueLoan leaves it: the loan's reference as the note, fulfilled when issued.
		if f.LoanChild != f.Child || f.Note != fmt.Sprintf("L-%06d", f.Loan) || f.Fulfilled != f.LoanIssued || f.Created >= f.Fulfilled {
			t.Errorf("request %d is not fulfilled as the store would: %+v", f.Request, f)
		}
		if f.Events != "submitted approved fulfilled" {
			t.Errorf("request %d's history: %q", f.Request, f.Events)
		}
	}

	figures, err := reports.NewStore(d).Figures(context.Background(), reports.DefaultPeriod(now))
	if err != nil {
		t.Fatal(err)
	}
	if figures.RequestsDelivered == 0 || figures.WithinTarget == nil || figures.MedianWorkingDays == nil {
		t.Fatalf("the reports' turnaround is empty: %d delivered, within target %v, median %v",
			figures.RequestsDelivered, figures.WithinTarget, figures.MedianWorkingDays)
	}
	if figures.RequestsWithinTarget == 0 || figures.RequestsWithinTarget == figures.RequestsDelivered {
		t.Errorf("%d of %d requests within target: want some within and some not", figures.RequestsWithinTarget, figures.RequestsDelivered)
	}
	for _, p := range figures.ByPriority {
		if p.Delivered == 0 {
			t.Errorf("no %s request delivered", p.Priority)
		}
	}

	if again := fulfilments(t, loadSmall(t, now)); !reflect.DeepEqual(again, got) {
		t.Error("a second load of the demo fulfilled other requests")
	}
}
