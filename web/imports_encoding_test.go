package web_test

import (
	"html"
	"regexp"
	"strings"
	"testing"

	"kitloan/web/webtest"
)

func TestImportPageReadsTheChosenEncoding(t *testing.T) {
	env := webtest.New(t)
	env.User("store", "desk@test", "Dee Desk")
	b := env.Browser()
	b.Login("desk@test", webtest.Password)
	if r := b.Get("/imports"); !strings.Contains(r.Body, `<option value="utf-8">UTF-8</option>`) || !strings.Contains(r.Body, `<option value="windows-1252">`) {
		t.Fatalf("the page offers no choice of encoding: %.2000s", r.Body)
	}
	latin1 := "name,category,kind\nCaf\xe9 chair,Seating,returnable\n"
	// Read as UTF-8, the default: refused by line and column, with the way out.
	r := upload(t, env, b, map[string]string{"action": "check", "kind": "products"}, latin1)
	if r.Status != 422 || !strings.Contains(r.Body, `<td data-label="Line">2</td><td data-label="Column">name</td><td data-label="Problem">is not UTF-8 text: `) ||
		!strings.Contains(r.Body, "Windows-1252") {
		t.Fatalf("a Latin-1 file read as UTF-8: %d %.3000s", r.Status, r.Body)
	}
	// Read as Windows-1252: checked, and the confirmation carries the file as text.
	r = upload(t, env, b, map[string]string{"action": "check", "kind": "products", "encoding": "windows-1252"}, latin1)
	m := regexp.MustCompile(`name="csv" value="([^"]*)"`).FindStringSubmatch(r.Body)
	if r.Status != 200 || m == nil || html.UnescapeString(m[1]) != "name,category,kind\nCafé chair,Seating,returnable\n" {
		t.Fatalf("a Latin-1 file read as Windows-1252: %d %v %.3000s", r.Status, m, r.Body)
	}
	r = upload(t, env, b, map[string]string{"action": "import", "kind": "products", "csv": html.UnescapeString(m[1])}, "")
	var name string
	env.DB.Read.QueryRow(`SELECT name FROM products`).Scan(&name)
	if r.Status != 200 || !strings.Contains(r.Body, "1 product imported") || name != "Café chair" {
		t.Fatalf("import: %d %q %.1500s", r.Status, name, r.Body)
	}
	// An encoding kitloan does not read is named beside its field.
	r = upload(t, env, b, map[string]string{"action": "check", "kind": "products", "encoding": "ebcdic"}, latin1)
	if r.Status != 422 || !strings.Contains(r.Body, `href="#f-encoding"`) || !strings.Contains(r.Body, `id="f-encoding"`) {
		t.Fatalf("an unknown encoding: %d %.3000s", r.Status, r.Body)
	}
}
