package reports

import (
	"context"
	"database/sql"
	"slices"
	"time"

	"kitloan/loans"
)

// Figures are a period's numbers. Percentages are nil when there is nothing to divide by
// (no returns, no requests delivered): "none" is not "0%".
type Figures struct {
	Period
	// Loans and items issued in the period (a loan lends one or more items), items
	// returned, and consumables handed out (their quantity).
	LoansIssued       int `json:"loans_issued"`
	ItemsIssued       int `json:"items_issued"`
	ItemsReturned     int `json:"items_returned"`
	ConsumablesIssued int `json:"consumables_issued"`
	// ReturnedReissued counts the returns of the period whose item went out again on a
	// later loan by the end of the period; RecyclingRate is that share of ItemsReturned.
	ReturnedReissued int      `json:"returned_reissued"`
	RecyclingRate    *float64 `json:"recycling_rate_percent"`
	// Requests fulfilled in the period, how many within their priority's target of working
	// days (loans.Targets), and the median working days from request to issue.
	RequestsDelivered    int                 `json:"requests_delivered"`
	RequestsWithinTarget int                 `json:"requests_within_target"`
	WithinTarget         *float64            `json:"within_target_percent"`
	MedianWorkingDays    *float64            `json:"median_working_days"`
	ByPriority           []PriorityFigures   `json:"by_priority"`
	ByCategory           []CategoryFigures   `json:"loans_by_category"`
	Months               []MonthFigures      `json:"months"`
	StockValue           StockValue          `json:"stock_value"`
	Reorder              []ReorderConsumable `json:"reorder"`
}

// PriorityFigures is turnaround for one priority.
type PriorityFigures struct {
	Priority     string `json:"priority"`
	TargetDays   int    `json:"target_days"`
	Delivered    int    `json:"delivered"`
	WithinTarget int    `json:"within_target"`
}

// CategoryFigures counts the loans of the period that lent something of a category, and
// the items of the category lent.
type CategoryFigures struct {
	Category string `json:"category"`
	Loans    int    `json:"loans"`
	Items    int    `json:"items"`
}

// MonthFigures are one month's part of the period. The recycling rate of a month is the
// share of that month's returns that went out again by the end of the whole period.
type MonthFigures struct {
	Month            string   `json:"month"`
	LoansIssued      int      `json:"loans_issued"`
	ItemsIssued      int      `json:"items_issued"`
	ItemsReturned    int      `json:"items_returned"`
	ReturnedReissued int      `json:"returned_reissued"`
	RecyclingRate    *float64 `json:"recycling_rate_percent"`
}

// StockValue is what the stock is worth today, at the products' unit costs: every item
// not retired, and every consumable's stock count. Units whose product has no unit cost
// count as nothing and are counted apart, so a person knows the total is short.
type StockValue struct {
	TotalPence             int64 `json:"total_pence"`
	ItemsPence             int64 `json:"items_pence"`
	ConsumablesPence       int64 `json:"consumables_pence"`
	ItemsWithoutCost       int   `json:"items_without_cost"`
	ConsumablesWithoutCost int   `json:"consumables_without_cost"`
}

// ReorderConsumable is a consumable whose stock is at or below its reorder level.
type ReorderConsumable struct {
	ProductID    int64  `json:"product_id"`
	Name         string `json:"name"`
	Stock        int    `json:"stock"`
	ReorderLevel int    `json:"reorder_level"`
}

func percent(n, of int) *float64 {
	if of == 0 {
		return nil
	}
	v := float64(n) * 100 / float64(of)
	return &v
}

// Figures works out the period's figures from one snapshot of the database.
func (s *Store) Figures(ctx context.Context, p Period) (Figures, error) {
	f := Figures{Period: p, ByPriority: []PriorityFigures{}, ByCategory: []CategoryFigures{}, Months: []MonthFigures{}, Reorder: []ReorderConsumable{}}
	tx, err := s.readTx(ctx)
	if err != nil {
		return f, err
	}
	defer tx.Rollback()
	lo, hi := p.bounds()
	months := map[string]*MonthFigures{}
	for _, m := range p.Months() {
		f.Months = append(f.Months, MonthFigures{Month: m})
	}
	for i := range f.Months {
		months[f.Months[i].Month] = &f.Months[i]
	}

	// Issues by month. substr of an RFC 3339 stamp is its year and month.
	err = eachRow(ctx, tx, `SELECT substr(l.issued_at, 1, 7), count(DISTINCT l.id), count(*)
		FROM loan_items li JOIN loans l ON l.id = li.loan_id
		WHERE l.issued_at >= ? AND l.issued_at < ? GROUP BY substr(l.issued_at, 1, 7)`, []any{lo, hi}, func(r *sql.Rows) error {
		var m string
		var loansN, items int
		if err := r.Scan(&m, &loansN, &items); err != nil {
			return err
		}
		if mf := months[m]; mf != nil {
			mf.LoansIssued, mf.ItemsIssued = loansN, items
		}
		f.LoansIssued += loansN
		f.ItemsIssued += items
		return nil
	})
	if err != nil {
		return f, err
	}

	// Returns by month, and how many of them went out again on another loan issued after
	// the return and before the period ended.
	err = eachRow(ctx, tx, `SELECT substr(r.returned_at, 1, 7), count(*),
		sum(CASE WHEN EXISTS (SELECT 1 FROM loan_items n JOIN loans nl ON nl.id = n.loan_id
			WHERE n.item_id = r.item_id AND n.loan_id <> r.loan_id AND nl.issued_at >= r.returned_at AND nl.issued_at < ?)
			THEN 1 ELSE 0 END)
		FROM loan_items r WHERE r.returned_at >= ? AND r.returned_at < ? GROUP BY substr(r.returned_at, 1, 7)`, []any{hi, lo, hi}, func(r *sql.Rows) error {
		var m string
		var returned, again int
		if err := r.Scan(&m, &returned, &again); err != nil {
			return err
		}
		if mf := months[m]; mf != nil {
			mf.ItemsReturned, mf.ReturnedReissued = returned, again
		}
		f.ItemsReturned += returned
		f.ReturnedReissued += again
		return nil
	})
	if err != nil {
		return f, err
	}
	for i := range f.Months {
		f.Months[i].RecyclingRate = percent(f.Months[i].ReturnedReissued, f.Months[i].ItemsReturned)
	}
	f.RecyclingRate = percent(f.ReturnedReissued, f.ItemsReturned)

	if err := tx.QueryRowContext(ctx, `SELECT coalesce(sum(quantity), 0) FROM consumable_issues WHERE issued_on >= ? AND issued_on <= ?`,
		p.From, p.To).Scan(&f.ConsumablesIssued); err != nil {
		return f, err
	}

	if err := s.turnaround(ctx, tx, &f, lo, hi); err != nil {
		return f, err
	}
	if err := s.byCategory(ctx, tx, &f, lo, hi); err != nil {
		return f, err
	}
	if f.StockValue, err = stockValue(ctx, tx); err != nil {
		return f, err
	}
	f.Reorder, err = reorder(ctx, tx)
	return f, err
}

// turnaround measures the requests fulfilled in the period against their targets.
func (s *Store) turnaround(ctx context.Context, tx *sql.Tx, f *Figures, lo, hi string) error {
	byPriority := map[string]*PriorityFigures{}
	for _, pr := range []string{"urgent", "standard"} {
		f.ByPriority = append(f.ByPriority, PriorityFigures{Priority: pr, TargetDays: loans.Targets[pr]})
	}
	for i := range f.ByPriority {
		byPriority[f.ByPriority[i].Priority] = &f.ByPriority[i]
	}
	var days []int
	err := eachRow(ctx, tx, `SELECT priority, created_at, fulfilled_at FROM requests
		WHERE status = 'fulfilled' AND fulfilled_at >= ? AND fulfilled_at < ?`, []any{lo, hi}, func(r *sql.Rows) error {
		var priority, created, fulfilled string
		if err := r.Scan(&priority, &created, &fulfilled); err != nil {
			return err
		}
		c, _ := time.Parse(time.RFC3339, created)
		d, _ := time.Parse(time.RFC3339, fulfilled)
		n := loans.WorkingDays(c, d)
		days = append(days, n)
		within := n <= loans.Targets[priority]
		if pf := byPriority[priority]; pf != nil {
			pf.Delivered++
			if within {
				pf.WithinTarget++
			}
		}
		f.RequestsDelivered++
		if within {
			f.RequestsWithinTarget++
		}
		return nil
	})
	if err != nil {
		return err
	}
	f.WithinTarget = percent(f.RequestsWithinTarget, f.RequestsDelivered)
	f.MedianWorkingDays = median(days)
	return nil
}

// median is the middle value, or the mean of the two middle values; nil for none.
func median(v []int) *float64 {
	if len(v) == 0 {
		return nil
	}
	slices.Sort(v)
	m := float64(v[len(v)/2])
	if len(v)%2 == 0 {
		m = float64(v[len(v)/2-1]+v[len(v)/2]) / 2
	}
	return &m
}

// byCategory counts the period's loans and items lent by category, every category listed.
func (s *Store) byCategory(ctx context.Context, tx *sql.Tx, f *Figures, lo, hi string) error {
	index := map[int64]int{}
	err := eachRow(ctx, tx, `SELECT id, name FROM categories ORDER BY position, name`, nil, func(r *sql.Rows) error {
		var id int64
		var name string
		if err := r.Scan(&id, &name); err != nil {
			return err
		}
		index[id] = len(f.ByCategory)
		f.ByCategory = append(f.ByCategory, CategoryFigures{Category: name})
		return nil
	})
	if err != nil {
		return err
	}
	return eachRow(ctx, tx, `SELECT p.category_id, count(DISTINCT l.id), count(*)
		FROM loan_items li JOIN loans l ON l.id = li.loan_id JOIN items i ON i.id = li.item_id JOIN products p ON p.id = i.product_id
		WHERE l.issued_at >= ? AND l.issued_at < ? GROUP BY p.category_id`, []any{lo, hi}, func(r *sql.Rows) error {
		var id int64
		var loansN, items int
		if err := r.Scan(&id, &loansN, &items); err != nil {
			return err
		}
		if i, ok := index[id]; ok {
			f.ByCategory[i].Loans, f.ByCategory[i].Items = loansN, items
		}
		return nil
	})
}

// stockValue is the value of the stock today.
func stockValue(ctx context.Context, tx *sql.Tx) (StockValue, error) {
	var v StockValue
	err := tx.QueryRowContext(ctx, `SELECT coalesce(sum(p.unit_cost_pence), 0),
		coalesce(sum(CASE WHEN p.unit_cost_pence IS NULL THEN 1 ELSE 0 END), 0)
		FROM items i JOIN products p ON p.id = i.product_id WHERE i.status <> 'retired'`).Scan(&v.ItemsPence, &v.ItemsWithoutCost)
	if err != nil {
		return v, err
	}
	err = tx.QueryRowContext(ctx, `SELECT coalesce(sum(stock * unit_cost_pence), 0),
		coalesce(sum(CASE WHEN unit_cost_pence IS NULL AND stock > 0 THEN 1 ELSE 0 END), 0)
		FROM products WHERE kind = 'consumable'`).Scan(&v.ConsumablesPence, &v.ConsumablesWithoutCost)
	v.TotalPence = v.ItemsPence + v.ConsumablesPence
	return v, err
}

// reorder lists the consumables at or below their reorder level, emptiest first.
func reorder(ctx context.Context, q querier) ([]ReorderConsumable, error) {
	out := []ReorderConsumable{}
	err := eachRow(ctx, q, `SELECT id, name, size, stock, reorder_level FROM products
		WHERE kind = 'consumable' AND stock <= reorder_level ORDER BY stock, name, id`, nil, func(r *sql.Rows) error {
		var c ReorderConsumable
		var size string
		if err := r.Scan(&c.ProductID, &c.Name, &size, &c.Stock, &c.ReorderLevel); err != nil {
			return err
		}
		if size != "" {
			c.Name += " (" + size + ")"
		}
		out = append(out, c)
		return nil
	})
	return out, err
}

// querier is a read transaction or the read pool.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// eachRow runs a query and calls fn for each row.
func eachRow(ctx context.Context, q querier, query string, args []any, fn func(*sql.Rows) error) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}
