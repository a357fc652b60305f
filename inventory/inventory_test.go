package inventory_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"kitloan/internal/db"
	"kitloan/internal/errs"
	"kitloan/inventory"
)

func openStore(t *testing.T) (*db.DB, *inventory.Store) {
	t.Helper()
	d, err := db.Open(context.Background(), filepath.Join(t.TempDir(), "k.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d, inventory.NewStore(d)
}

func addItem(t *testing.T, s *inventory.Store, interval int) inventory.Item {
	t.Helper()
	ctx := context.Background()
	p, err := s.CreateProduct(ctx, inventory.ProductInput{Name: "Chair", Category: "Seating", Kind: "returnable", ServiceIntervalDays: interval})
	if err != nil {
		t.Fatal(err)
	}
	items, err := s.CreateItems(ctx, inventory.ItemInput{ProductID: p.ID})
	if err != nil {
		t.Fatal(err)
	}
	return items[0]
}

// allowed is the state machine of docs/DOMAIN.md §2, written out by hand so that the code's
// table is checked against the design rather than against itself.
var allowed = map[inventory.Action]map[inventory.Status]inventory.Status{
	inventory.Allocate:        {"available": "reserved"},
	inventory.Release:         {"reserved": "available"},
	inventory.Issue:           {"available": "on_loan", "reserved": "on_loan"},
	inventory.Return:          {"on_loan": "returned"},
	inventory.ReportLost:      {"on_loan": "lost"},
	inventory.Found:           {"lost": "on_loan"},
	inventory.InspectPass:     {"returned": "available"},
	inventory.InspectFail:     {"returned": "in_repair"},
	inventory.SendToRepair:    {"available": "in_repair"},
	inventory.Repaired:        {"in_repair": "available"},
	inventory.Quarantine:      {"available": "quarantined", "reserved": "quarantined", "returned": "quarantined", "in_repair": "quarantined"},
	inventory.ClearQuarantine: {"quarantined": "available"},
	inventory.Retire:          {"available": "retired", "returned": "retired", "in_repair": "retired", "quarantined": "retired", "lost": "retired"},
}

func TestEveryTransitionAllowedOrRefused(t *testing.T) {
	d, s := openStore(t)
	ctx := context.Background()
	it := addItem(t, s, 0)
	if len(inventory.Actions()) != len(allowed) {
		t.Fatalf("the code has %d actions, the design %d", len(inventory.Actions()), len(allowed))
	}
	for _, action := range inventory.Actions() {
		for _, from := range inventory.Statuses {
			want, ok := allowed[action][from]
			t.Run(string(action)+"/"+string(from), func(t *testing.T) {
				if _, err := d.Write.Exec(`UPDATE items SET status = ?, awaiting_cleaning = 0 WHERE id = ?`, from, it.ID); err != nil {
					t.Fatal(err)
				}
				var before int
				d.Write.QueryRow(`SELECT count(*) FROM events WHERE entity = 'item' AND entity_id = ?`, it.ID).Scan(&before)
				err := d.InTx(ctx, func(tx *db.Tx) error {
					_, err := inventory.Transition(tx, it.Tag, action, nil)
					return err
				})
				got, gerr := s.Item(ctx, it.Tag)
				if gerr != nil {
					t.Fatal(gerr)
				}
				var after int
				d.Write.QueryRow(`SELECT count(*) FROM events WHERE entity = 'item' AND entity_id = ?`, it.ID).Scan(&after)
				if ok {
					if err != nil {
						t.Fatalf("%s from %s: want %s, got error %v", action, from, want, err)
					}
					if got.Status != want {
						t.Fatalf("%s from %s: status %s, want %s", action, from, got.Status, want)
					}
					if after != before+1 {
						t.Fatalf("%s from %s wrote %d events, want 1", action, from, after-before)
					}
					return
				}
				if errs.CodeOf(err) != errs.Conflict {
					t.Fatalf("%s from %s: want a conflict, got %v", action, from, err)
				}
				if got.Status != from || after != before {
					t.Fatalf("%s from %s was refused but changed the item: status %s, %d events", action, from, got.Status, after-before)
				}
				if msg := err.Error(); !strings.Contains(msg, it.Tag) || !strings.Contains(msg, "cannot be") {
					t.Fatalf("refusal should name the item and the action: %q", msg)
				}
			})
		}
	}
}

func TestIssueRefusedWhenServiceOverdue(t *testing.T) {
	d, s := openStore(t)
	ctx := context.Background()
	it := addItem(t, s, 30)
	if it.NextServiceDue == nil {
		t.Fatal("an item of a product with a service interval should have a next service date")
	}
	// Forty days on, the 30-day service is overdue.
	d.Now = func() time.Time { return time.Now().AddDate(0, 0, 40) }
	err := d.InTx(ctx, func(tx *db.Tx) error {
		_, err := inventory.Transition(tx, it.Tag, inventory.Issue, nil)
		return err
	})
	if errs.CodeOf(err) != errs.Conflict || !strings.Contains(err.Error(), "overdue for service") {
		t.Fatalf("want a conflict naming the overdue service, got %v", err)
	}
	got, _ := s.Item(ctx, it.Tag)
	if got.Status != inventory.Available {
		t.Fatalf("status changed to %s", got.Status)
	}
}

func TestHistoryNewestFirst(t *testing.T) {
	_, s := openStore(t)
	ctx := context.Background()
	it := addItem(t, s, 0)
	for _, a := range []inventory.Action{inventory.SendToRepair, inventory.Repaired, inventory.Retire} {
		if _, err := s.Act(ctx, it.Tag, a, ""); err != nil {
			t.Fatal(err)
		}
	}
	events, total, err := s.History(ctx, it.Tag, 10, 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range events {
		got = append(got, string(e.Action))
	}
	want := []string{"retire", "repaired", "send_to_repair", "created"}
	if total != 4 || len(got) != 4 || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] || got[3] != want[3] {
		t.Fatalf("history %v (total %d), want %v", got, total, want)
	}
}

func TestNormalizeTag(t *testing.T) {
	for in, want := range map[string]string{
		"  kl-000123 ":                        "KL-000123",
		"https://store.example/t/kl-000123":   "KL-000123",
		"http://127.0.0.1:8080/t/KL-7?from=x": "KL-7",
		"KL-000123\n":                         "KL-000123",
	} {
		if got := inventory.NormalizeTag(in); got != want {
			t.Errorf("NormalizeTag(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestGeneratedTagsUseThePrefixAndSkipTakenTags(t *testing.T) {
	_, s := openStore(t)
	ctx := context.Background()
	p, err := s.CreateProduct(ctx, inventory.ProductInput{Name: "Slope", Category: "Writing aids", Kind: "returnable"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateItems(ctx, inventory.ItemInput{ProductID: p.ID, Tag: "kl-000002"}); err != nil {
		t.Fatal(err)
	}
	items, err := s.CreateItems(ctx, inventory.ItemInput{ProductID: p.ID, Quantity: 3})
	if err != nil {
		t.Fatal(err)
	}
	var tags []string
	for _, it := range items {
		tags = append(tags, it.Tag)
	}
	if len(tags) != 3 || tags[0] != "KL-000001" || tags[1] != "KL-000003" || tags[2] != "KL-000004" {
		t.Fatalf("tags %v: want KL-000001, KL-000003, KL-000004", tags)
	}
}

// TestItemsCountUpTo checks the capped count of list pages against the exact one, for a
// search with terms that overlap, and for a plain filter.
func TestItemsCountUpTo(t *testing.T) {
	_, s := openStore(t)
	ctx := context.Background()
	p, err := s.CreateProduct(ctx, inventory.ProductInput{Name: "Chair", Category: "Seating", Kind: "returnable"})
	if err != nil {
		t.Fatal(err)
	}
	other, _ := s.CreateProduct(ctx, inventory.ProductInput{Name: "Slope", Category: "Writing aids", Kind: "returnable"})
	for i := range 30 {
		if _, err := s.CreateItems(ctx, inventory.ItemInput{ProductID: p.ID, Serial: fmt.Sprintf("CHAIR-%02d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.CreateItems(ctx, inventory.ItemInput{ProductID: other.ID, Quantity: 5}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		f    inventory.ItemFilter
		want int
	}{
		{inventory.ItemFilter{Query: "chair", CountUpTo: 100}, 30}, // name and serial match the same 30: counted once
		{inventory.ItemFilter{Query: "chair", CountUpTo: 20}, 21},  // more than 20
		{inventory.ItemFilter{Query: "chair", CountUpTo: 0}, 30},   // exact
		{inventory.ItemFilter{Status: inventory.Available, CountUpTo: 10}, 11},
		{inventory.ItemFilter{Query: "slope", CountUpTo: 10}, 5},
		{inventory.ItemFilter{Query: "kl-00003", CountUpTo: 10}, 6}, // the start of a tag: KL-000030 to KL-000035
	} {
		items, total, err := s.Items(ctx, c.f)
		if err != nil {
			t.Fatal(err)
		}
		if total != c.want {
			t.Errorf("%+v: total %d, want %d", c.f, total, c.want)
		}
		if capped := c.f.CountUpTo > 0 && total > c.f.CountUpTo; !capped && len(items) != min(c.want, 50) {
			t.Errorf("%+v: %d items on the page", c.f, len(items))
		}
	}
}
