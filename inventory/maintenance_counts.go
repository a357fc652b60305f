package inventory

import (
	"context"

	"kitloan/internal/db"
)

// MaintenanceCounts is how much maintenance work is waiting, for the home page's cards.
type MaintenanceCounts struct {
	AwaitingCleaning   int
	AwaitingInspection int
	ServiceOverdue     int
}

// CountMaintenance counts the returned items waiting for cleaning and for inspection, and
// the items whose service is overdue (as ServiceDue and AfterReturn list them), without
// reading the items themselves: on a large store those lists run to thousands of rows.
func (s *Store) CountMaintenance(ctx context.Context) (MaintenanceCounts, error) {
	var m MaintenanceCounts
	today := s.db.Now().Format(db.DateLayout)
	err := s.db.QueryRow(ctx, countMaintenance, today).Scan(&m.AwaitingCleaning, &m.AwaitingInspection, &m.ServiceOverdue)
	return m, err
}

const countMaintenance = `SELECT
	(SELECT count(*) FROM items WHERE status = 'returned' AND awaiting_cleaning = 1),
	(SELECT count(*) FROM items WHERE status = 'returned' AND awaiting_cleaning = 0),
	(SELECT count(*) FROM items WHERE next_service_due IS NOT NULL AND next_service_due < ? AND status NOT IN ('retired', 'lost'))`
