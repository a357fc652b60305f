package inventory

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"kitloan/internal/db"
)

// TestHotQueriesUseIndexes checks with EXPLAIN QUERY PLAN that the queries on the hot
// paths (the scan and lookup of a tag, list pages, searches, an item's history) find
// their rows through an index instead of reading every item or event.
func TestHotQueriesUseIndexes(t *testing.T) {
	d, err := db.Open(context.Background(), filepath.Join(t.TempDir(), "k.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	tag := "KL-000001"
	for name, q := range map[string]struct {
		sql  string
		args []any
	}{
		"item by tag":        {itemSelect + ` WHERE i.tag = ?`, []any{tag}},
		"items by status":    {itemSelect + ` WHERE i.status = ? ORDER BY i.id DESC LIMIT 50`, []any{"available"}},
		"items of a product": {itemSelect + ` WHERE i.product_id = ? ORDER BY i.id DESC LIMIT 50`, []any{1}},
		"items search": {itemSelect + ` WHERE (i.tag >= ? AND i.tag < ? OR i.serial >= ? AND i.serial < ?
			OR i.product_id IN (SELECT id FROM products WHERE name LIKE ? ESCAPE '\' OR model LIKE ? ESCAPE '\')) ORDER BY i.id DESC LIMIT 50`,
			[]any{"CH", "CH\uffff", "ch", "ch\uffff", "%ch%", "%ch%"}},
		"history":     {`SELECT id FROM events WHERE entity = ? AND entity_id = ? ORDER BY id DESC LIMIT 20`, []any{"item", 1}},
		"service due": {`SELECT id FROM items i WHERE i.next_service_due IS NOT NULL AND i.next_service_due <= ?`, []any{"2026-12-01"}},
		"open loan of an item": {`SELECT loan_id FROM loan_items WHERE item_id = ? AND returned_at IS NULL`, []any{1}},
	} {
		rows, err := d.Read.Query(`EXPLAIN QUERY PLAN `+q.sql, q.args...)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		for _, step := range plan {
			// Products and categories are the small catalogue; reading them whole is fine.
			if strings.HasPrefix(step, "SCAN ") && !strings.HasPrefix(step, "SCAN products") && !strings.HasPrefix(step, "SCAN categories") {
				t.Errorf("%s reads a whole table: %q in plan %q", name, step, plan)
			}
		}
	}
}
