package reports

import (
	"context"
	"database/sql"
	"time"

	"kitloan/loans"
)

// Workload is the store's work waiting now, for its home page: open requests and how many
// of them are past their target, and the consumables to reorder. (Returns to clean and
// inspect and services due are inventory's counts; unsigned agreements are the loans
// store's list.)
type Workload struct {
	OpenRequests       int `json:"open_requests"`
	RequestsPastTarget int `json:"requests_past_target"`
	ConsumablesToOrder int `json:"consumables_to_reorder"`
}

// Workload counts the work waiting now.
func (s *Store) Workload(ctx context.Context) (Workload, error) {
	var w Workload
	now := s.db.Now()
	err := eachRow(ctx, s.db.Read, `SELECT priority, created_at FROM requests WHERE status IN ('submitted', 'approved', 'allocated')`, nil,
		func(r *sql.Rows) error {
			var priority, created string
			if err := r.Scan(&priority, &created); err != nil {
				return err
			}
			w.OpenRequests++
			c, _ := time.Parse(time.RFC3339, created)
			if loans.WorkingDays(c, now) > loans.Targets[priority] {
				w.RequestsPastTarget++
			}
			return nil
		})
	if err != nil {
		return w, err
	}
	err = s.db.QueryRow(ctx, `SELECT count(*) FROM products WHERE kind = 'consumable' AND stock <= reorder_level`).Scan(&w.ConsumablesToOrder)
	return w, err
}

// Reorder lists the consumables at or below their reorder level, emptiest first.
func (s *Store) Reorder(ctx context.Context) ([]ReorderConsumable, error) {
	return reorder(ctx, s.db.Read)
}
