package inventory_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"kitloan/internal/db"
	"kitloan/inventory"
)

// addUnits adds n units of a chair with a service interval and returns their tags in the
// order they were made.
func addUnits(t *testing.T, s *inventory.Store, n int) []string {
	t.Helper()
	ctx := context.Background()
	p, err := s.CreateProduct(ctx, inventory.ProductInput{Name: "Chair", Category: "Seating", Kind: "returnable", ServiceIntervalDays: 365})
	if err != nil {
		t.Fatal(err)
	}
	items, err := s.CreateItems(ctx, inventory.ItemInput{ProductID: p.ID, Quantity: n})
	if err != nil {
		t.Fatal(err)
	}
	tags := make([]string, len(items))
	for i, it := range items {
		tags[i] = it.Tag
	}
	return tags
}

func dueTags(items []inventory.DueItem) []string {
	var out []string
	for _, d := range items {
		out = append(out, d.Tag)
	}
	return out
}

// TestMaintenanceDueListsShowTheFirstRowsAndCountThemAll: each list holds the first rows,
// most overdue first and in tag order on the same day, with the count of the whole list;
// items due after the window and retired items are neither listed nor counted.
func TestMaintenanceDueListsShowTheFirstRowsAndCountThemAll(t *testing.T) {
	d, s := openStore(t)
	ctx := context.Background()
	tags := addUnits(t, s, 9)
	day := func(offset int) string { return d.Now().AddDate(0, 0, offset).Format(db.DateLayout) }
	due := map[string]string{
		// Overdue, made in the opposite order to their dates, two on the same day.
		tags[0]: day(-1), tags[1]: day(-2), tags[2]: day(-9), tags[3]: day(-9),
		// Due soon, and due after the 30 days.
		tags[4]: day(10), tags[5]: day(0), tags[6]: day(30), tags[7]: day(31),
		// Retired: never serviced again.
		tags[8]: day(-20),
	}
	for tag, date := range due {
		if _, err := d.Write.Exec(`UPDATE items SET next_service_due = ? WHERE tag = ?`, date, tag); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := d.Write.Exec(`UPDATE items SET status = 'retired' WHERE tag = ?`, tags[8]); err != nil {
		t.Fatal(err)
	}

	lists, err := s.ServiceDueLists(ctx, 30, 3, 3)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := dueTags(lists.OverdueInStore.Items), []string{tags[2], tags[3], tags[1]}; !slices.Equal(got, want) || lists.OverdueInStore.Total != 4 {
		t.Errorf("overdue in the store: %v of %d, want %v of 4", got, lists.OverdueInStore.Total, want)
	}
	if got, want := dueTags(lists.DueInStore.Items), []string{tags[5], tags[4], tags[6]}; !slices.Equal(got, want) || lists.DueInStore.Total != 3 {
		t.Errorf("due in the store: %v of %d, want %v of 3", got, lists.DueInStore.Total, want)
	}
	if len(lists.OverdueOnLoan.Items)+len(lists.DueOnLoan.Items)+lists.OverdueOnLoan.Total+lists.DueOnLoan.Total != 0 {
		t.Errorf("nothing is on loan: %+v", lists)
	}

	// With the limits past the lists' ends, they are ServiceDue's lists, overdue first.
	all, err := s.ServiceDueLists(ctx, 30, 100, 100)
	if err != nil {
		t.Fatal(err)
	}
	whole, _, err := s.ServiceDue(ctx, 30)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := append(dueTags(all.OverdueInStore.Items), dueTags(all.DueInStore.Items)...), dueTags(whole); !slices.Equal(got, want) {
		t.Errorf("the lists in full: %v, ServiceDue: %v", got, want)
	}

	// A limit of 0 counts the lists without reading them.
	counted, err := s.ServiceDueLists(ctx, 30, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if counted.OverdueInStore.Items != nil || counted.OverdueInStore.Total != 4 || counted.DueInStore.Total != 3 {
		t.Errorf("counted alone: %+v", counted)
	}
}

// TestMaintenanceQueuesShowTheOldestAndCountThemAll: each after-return queue holds its
// oldest rows with the count of the whole queue.
func TestMaintenanceQueuesShowTheOldestAndCountThemAll(t *testing.T) {
	d, s := openStore(t)
	tags := addUnits(t, s, 6)
	start := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	// Returned in the opposite order to their tags; the first four wait for cleaning.
	for i, tag := range tags[:5] {
		at := start.Add(time.Duration(5-i) * time.Hour).Format(time.RFC3339)
		if _, err := d.Write.Exec(`UPDATE items SET status = 'returned', awaiting_cleaning = ?, updated_at = ? WHERE tag = ?`, i < 4, at, tag); err != nil {
			t.Fatal(err)
		}
	}
	q, err := s.AfterReturnQueues(context.Background(), 2)
	if err != nil {
		t.Fatal(err)
	}
	var cleaning, inspection []string
	for _, it := range q.Cleaning.Items {
		cleaning = append(cleaning, it.Tag)
	}
	for _, it := range q.Inspection.Items {
		inspection = append(inspection, it.Tag)
	}
	if want := []string{tags[3], tags[2]}; !slices.Equal(cleaning, want) || q.Cleaning.Total != 4 {
		t.Errorf("waiting for cleaning: %v of %d, want %v of 4", cleaning, q.Cleaning.Total, want)
	}
	if want := []string{tags[4]}; !slices.Equal(inspection, want) || q.Inspection.Total != 1 {
		t.Errorf("waiting for inspection: %v of %d, want %v of 1", inspection, q.Inspection.Total, want)
	}
}
