package inventory

import (
	"context"
	"fmt"
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
	// Plans depend on the data: fill a catalogue and 5,000 items, as a small service has.
	// The service does not run ANALYZE, so neither does the test.
	tx, _ := d.Write.Begin()
	for p := 1; p <= 40; p++ {
		tx.Exec(`INSERT INTO products (name, category_id, kind, created_at, updated_at) VALUES (?, 1 + ? % 8, 'returnable', '', '')`, fmt.Sprintf("Product %d", p), p)
	}
	for i := 1; i <= 5000; i++ {
		tx.Exec(`INSERT INTO items (tag, product_id, serial, condition, status, created_at, updated_at) VALUES (?, ?, ?, 'good', ?, '', '')`,
			fmt.Sprintf("KL-%06d", i), 1+i%40, fmt.Sprintf("SN%d-%05d", i%40, i), []string{"available", "on_loan", "returned"}[i%3])
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	tag := "KL-000001"
	for name, q := range map[string]struct {
		sql  string
		args []any
	}{
		"item by tag":          {itemSelect + ` WHERE i.tag = ?`, []any{tag}},
		"items by status":      {itemSelect + ` WHERE i.status = ? ORDER BY i.id DESC LIMIT 50`, []any{"available"}},
		"items of a product":   {itemSelect + ` WHERE i.product_id = ? ORDER BY i.id DESC LIMIT 50`, []any{1}},
		"history":              {`SELECT id FROM events WHERE entity = ? AND entity_id = ? ORDER BY id DESC LIMIT 20`, []any{"item", 1}},
		"service due":          {`SELECT id FROM items i WHERE i.next_service_due IS NOT NULL AND i.next_service_due <= ?`, []any{"2026-12-01"}},
		"open loan of an item": {`SELECT loan_id FROM loan_items WHERE item_id = ? AND returned_at IS NULL`, []any{1}},
		"service due counts":   {dueListCounts, []any{"2026-11-01", "2026-11-01", "2026-11-01", "2026-11-01", "2026-12-01"}},
		"after-return counts":  {returnQueueCounts, nil},
		"after-return queue":   {returnQueueIDs, []any{true, 200}},
		"safety notices":       {safetyNoticesOf, []any{1}},
	} {
		checkPlan(t, d, name, q.sql, q.args)
	}
	// A service-due list walks the due dates in order and stops at its limit; through the
	// status index it would read every item on loan to sort them.
	if plan := checkPlan(t, d, "service due list", dueListIDs, []any{"", "2026-12-01", true, 200}); !strings.Contains(strings.Join(plan, "\n"), "items_service_due") {
		t.Errorf("a service-due list should walk the due-date index: %q", plan)
	}
	// A search's page of ids and its count, as Items builds them for a sparse search.
	for _, f := range []ItemFilter{{Query: "ch"}, {Query: "sn-1", Status: Available, CategoryID: 1}} {
		where, args := itemConditions(f)
		cond := " WHERE " + strings.Join(where, " AND ")
		checkPlan(t, d, "items search "+f.Query, `SELECT i.id FROM items i`+cond+` ORDER BY i.id DESC LIMIT 50`, args)
		checkPlan(t, d, "items search count "+f.Query, `SELECT count(*) FROM items i`+cond, args)
	}
	// A product's counts of units and of free units read the index alone.
	if plan := checkPlan(t, d, "a product with its counts", productSelect+` WHERE p.id = ?`, []any{1}); strings.Count(strings.Join(plan, "\n"), "COVERING INDEX items_product_status") != 2 {
		t.Errorf("both unit counts should read only the product-and-status index: %q", plan)
	}
	// The home page's maintenance counts read indexes alone.
	plan := strings.Join(checkPlan(t, d, "maintenance counts", countMaintenance, []any{"2026-12-01"}), "\n")
	for _, index := range []string{"COVERING INDEX items_service_due", "COVERING INDEX items_returned"} {
		if !strings.Contains(plan, index) {
			t.Errorf("the maintenance counts should use %s: %q", index, plan)
		}
	}
	// The capped count of a list page counts each search term through its own index.
	terms, targs := searchTerms("ch")
	for i, term := range terms {
		checkPlan(t, d, "capped count of "+term, `SELECT count(*) FROM (SELECT 1 FROM items i WHERE `+term+` AND i.status = ? LIMIT 1001)`, append(targs[i], "available"))
	}
}

// checkPlan fails the test if the query's plan reads a whole table other than the
// catalogue's, and returns the plan's steps.
func checkPlan(t *testing.T, d *db.DB, name, query string, args []any) []string {
	t.Helper()
	{
		rows, err := d.Read.Query(`EXPLAIN QUERY PLAN `+query, args...)
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
			// Products and categories are the small catalogue; reading them whole is fine,
			// as is the one row of a SELECT of sub-selects.
			if strings.HasPrefix(step, "SCAN ") && !strings.HasPrefix(step, "SCAN products") && !strings.HasPrefix(step, "SCAN categories") &&
				!strings.HasPrefix(step, "SCAN (subquery") && step != "SCAN CONSTANT ROW" {
				t.Errorf("%s reads a whole table: %q in plan %q", name, step, plan)
			}
		}
		return plan
	}
}
