package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"kitloan/web/webtest"
)

func TestAdminChangesSettingsAndCategories(t *testing.T) {
	w := newWorld(t, 1)
	w.env.User("admin", "admin@test", "Ada Admin")
	b := w.env.Browser()
	b.Login("admin@test", webtest.Password)
	r := b.Get("/settings")
	if r.Status != http.StatusOK || !strings.Contains(r.Body, "We are lending you this equipment") {
		t.Fatalf("settings page: %d", r.Status)
	}
	form := url.Values{"service_name": {"Testshire Children's Equipment"}, "service_phone": {"0300 555 0101"}, "base_url": {"ftp://nowhere"},
		"tag_prefix": {"ts-"}, "paper_size": {"Letter"}, "unsigned_after_days": {"10"}, "retention_years_after_birth": {"26"}}
	r = b.Post("/settings", form)
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, `href="#f-base_url"`) || !strings.Contains(r.Body, `value="0300 555 0101"`) {
		t.Fatalf("a bad base URL: %d %.300s", r.Status, r.Body)
	}
	form.Set("base_url", "https://kit.testshire.example/")
	if r = b.Post("/settings", form); !strings.Contains(r.Body, "Settings saved") {
		t.Fatalf("save: %d %.300s", r.Status, r.Body)
	}
	svc, _ := w.env.Server.Settings.Get(t.Context())
	if svc.ServiceName != "Testshire Children's Equipment" || svc.BaseURL != "https://kit.testshire.example" || svc.TagPrefix != "TS-" || svc.PaperSize != "Letter" || svc.RetentionYears() != 26 {
		t.Fatalf("stored: %+v", svc)
	}
	// The public scan page and new tags use them at once.
	if r := w.env.Browser().Get("/t/" + w.tags[0]); !strings.Contains(r.Body, "0300 555 0101") {
		t.Error("the scan page does not show the new phone number")
	}
	if it := w.must(t, w.store, "POST", "/api/v1/items", map[string]any{"product_id": w.chair}, 201); !strings.HasPrefix(it["tag"].(string), "TS-") {
		t.Errorf("new tag %v", it["tag"])
	}
	// Categories: seating's review period and checklist; a duplicate name is refused.
	b.Get("/settings")
	r = b.Post("/settings/categories/1", url.Values{"name": {"Seating"}, "review_months": {"4"}, "checklist": {"Frame\n\nStraps\n"}})
	if !strings.Contains(r.Body, "Category Seating saved") {
		t.Fatalf("category: %.300s", r.Body)
	}
	var months int
	var checklist string
	w.env.DB.Read.QueryRow(`SELECT review_months, checklist FROM categories WHERE id = 1`).Scan(&months, &checklist)
	if months != 4 || checklist != "Frame\nStraps" {
		t.Fatalf("stored category: %d %q", months, checklist)
	}
	if r = b.Post("/settings/categories/2", url.Values{"name": {"seating"}, "review_months": {"12"}}); r.Status != http.StatusConflict || !strings.Contains(r.Body, "already another category") {
		t.Fatalf("duplicate name: %d", r.Status)
	}
	if r = b.Post("/settings/categories", url.Values{"name": {"Hoists"}, "review_months": {"6"}, "checklist": {"Sling\nBattery"}}); !strings.Contains(r.Body, "Category Hoists saved") {
		t.Fatalf("new category: %.300s", r.Body)
	}
	// Store staff cannot change settings.
	s := w.env.Browser()
	s.Login("store@test", webtest.Password)
	if r := s.Get("/settings"); r.Status != http.StatusForbidden {
		t.Fatalf("store on settings: %d", r.Status)
	}
}
