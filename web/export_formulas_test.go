package web_test

import (
	"archive/zip"
	"io"
	"slices"
	"strings"
	"testing"

	"kitloan/internal/csvfile"
	"kitloan/web/webtest"
)

// formula is a name a therapist or the store could type that a spreadsheet would run.
const formula = `=cmd|' /C calc'!A0`

// formulaCells lists the cells of a CSV a spreadsheet would run as a formula.
func formulaCells(rows [][]string) []string {
	var out []string
	for _, r := range rows {
		for _, c := range r {
			if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
				out = append(out, c)
			}
		}
	}
	return out
}

// Every CSV kitloan writes, from a page, the API and the full export, quotes the cells a
// spreadsheet would run; unquoted, each cell gives back the value typed.
func TestExportsNeutraliseFormulas(t *testing.T) {
	w := newWorld(t, 1)
	admin := w.env.Token(w.env.User("admin", "admin@test", "Ada Admin"))
	child := w.must(t, w.ot, "POST", "/api/v1/children", map[string]any{"given_name": formula, "family_name": "+1",
		"date_of_birth": "2017-03-14", "address": "-2+3", "setting": "@SUM(A1)", "setting_address": "'quoted", "notes": "''double",
		"carers": []map[string]any{{"name": "@Pat", "relationship": "-mother", "phone": "+44 7700 900123"}}}, 201)["id"].(float64)
	product := w.must(t, w.store, "POST", "/api/v1/products", map[string]any{"name": "+Chair", "category": "Seating", "kind": "returnable",
		"manufacturer": "@x", "model": "-x", "size": "'quoted", "notes": formula}, 201)["id"].(float64)
	tag := w.must(t, w.store, "POST", "/api/v1/items", map[string]any{"product_id": product, "serial": "-2+3", "location": "@SUM(A1)",
		"notes": "\tx"}, 201)["tag"].(string)
	w.must(t, w.store, "POST", "/api/v1/loans", map[string]any{"child_id": child, "tags": []string{tag}, "location": "home",
		"address": formula, "recipient": "=HYPERLINK(\"http://x\")", "recipient_relationship": "''double"}, 201)
	w.must(t, w.store, "POST", "/api/v1/items/"+w.tags[0]+"/maintenance", map[string]any{"kind": "service", "outcome": "pass",
		"parts": "-1 strap", "notes": "@note"}, 201)

	b := w.env.Browser()
	b.Login("ot@test", webtest.Password)
	pageChildren := readCSV(t, b.Get("/exports/children.csv").Body)
	apiLoans := readCSV(t, w.env.API(w.store, "GET", "/api/v1/exports/loans.csv", nil).Body)
	csvs := map[string][][]string{
		"/exports/children.csv":           pageChildren,
		"/exports/loans.csv":              readCSV(t, b.Get("/exports/loans.csv").Body),
		"/api/v1/exports/loans.csv":       apiLoans,
		"/api/v1/exports/products.csv":    readCSV(t, w.env.API(w.store, "GET", "/api/v1/exports/products.csv", nil).Body),
		"/api/v1/exports/items.csv":       readCSV(t, w.env.API(w.store, "GET", "/api/v1/exports/items.csv", nil).Body),
		"/api/v1/exports/maintenance.csv": readCSV(t, w.env.API(w.store, "GET", "/api/v1/exports/maintenance.csv", nil).Body),
	}
	r := w.env.API(admin, "GET", "/api/v1/exports/all.zip", nil)
	zr, err := zip.NewReader(strings.NewReader(r.Body), int64(len(r.Body)))
	if err != nil {
		t.Fatalf("full export: %d %v", r.Status, err)
	}
	for _, f := range zr.File {
		if !strings.HasSuffix(f.Name, ".csv") {
			continue
		}
		rc, _ := f.Open()
		body, _ := io.ReadAll(rc)
		rc.Close()
		csvs["all.zip "+f.Name] = readCSV(t, string(body))
	}
	if len(csvs) < 10 {
		t.Fatalf("only %d CSVs", len(csvs))
	}
	for name, rows := range csvs {
		if bad := formulaCells(rows); len(bad) > 0 {
			t.Errorf("%s has cells a spreadsheet runs: %q", name, bad)
		}
	}

	// Unquoted, the cells are the values typed.
	unquoted := func(rows [][]string, col string) []string {
		var out []string
		for _, c := range column(t, rows, col) {
			out = append(out, csvfile.Unescape(c))
		}
		return out
	}
	for col, want := range map[string]string{"given_name": formula, "family_name": "+1", "address": "-2+3", "setting": "@SUM(A1)",
		"setting_address": "'quoted", "notes": "''double", "carers": "@Pat (-mother) +44 7700 900123"} {
		if got := unquoted(pageChildren, col); !slices.Equal(got, []string{want}) {
			t.Errorf("children.csv %s: %q, want %q", col, got, want)
		}
	}
	for col, want := range map[string]string{"child_name": formula + " +1", "address": formula, "recipient": "=HYPERLINK(\"http://x\")",
		"recipient_relationship": "''double", "product": "+Chair ('quoted)"} {
		if got := unquoted(apiLoans, col); !slices.Equal(got, []string{want}) {
			t.Errorf("loans.csv %s: %q, want %q", col, got, want)
		}
	}
	for col, want := range map[string]string{"name": "+Chair", "manufacturer": "@x", "model": "-x", "size": "'quoted", "notes": formula} {
		if got := unquoted(csvs["all.zip products.csv"], col); !slices.Contains(got, want) {
			t.Errorf("all.zip products.csv %s: %q, want %q among them", col, got, want)
		}
	}
	if got := unquoted(csvs["/api/v1/exports/maintenance.csv"], "parts"); !slices.Equal(got, []string{"-1 strap"}) {
		t.Errorf("maintenance.csv parts: %q", got)
	}
}
