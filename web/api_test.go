package web_test

import (
	"net/http"
	"strings"
	"testing"

	"kitloan/web/webtest"
)

// counts returns how many products, items and events there are, to prove nothing changed.
func counts(t *testing.T, env *webtest.Env) [3]int {
	t.Helper()
	var c [3]int
	if err := env.DB.Read.QueryRow(`SELECT (SELECT count(*) FROM products), (SELECT count(*) FROM items), (SELECT count(*) FROM events)`).Scan(&c[0], &c[1], &c[2]); err != nil {
		t.Fatal(err)
	}
	return c
}

func storeToken(t *testing.T, env *webtest.Env) string {
	return env.Token(env.User("store", "store@test", "Sam Store"))
}

func TestProductAndItemAPI(t *testing.T) {
	env := webtest.New(t)
	tok := storeToken(t, env)
	r := env.API(tok, "POST", "/api/v1/products", map[string]any{"name": "Adjustable classroom chair", "category": "seating",
		"kind": "returnable", "manufacturer": "Sitwell", "model": "ClassFit", "size": "Size 2", "service_interval_days": 365,
		"needs_decontamination": true, "reorder_level": 0, "stock": 0})
	if r.Status != http.StatusCreated {
		t.Fatalf("create product: %d %s", r.Status, r.Body)
	}
	p := r.JSON(t)
	if p["id"] == nil || p["category"] != "Seating" || p["service_interval_days"] != float64(365) {
		t.Fatalf("product: %v", p)
	}
	// The category may also be given by id.
	if r := env.API(tok, "POST", "/api/v1/products", map[string]any{"name": "Pencil grip", "category": 3, "kind": "consumable", "stock": 40}); r.Status != http.StatusCreated || r.JSON(t)["category"] != "Grips" {
		t.Fatalf("category by id: %d %s", r.Status, r.Body)
	}
	r = env.API(tok, "POST", "/api/v1/items", map[string]any{"product_id": p["id"], "serial": "SW-1001", "condition": "good"})
	if r.Status != http.StatusCreated {
		t.Fatalf("create item: %d %s", r.Status, r.Body)
	}
	tag := r.JSON(t)["tag"].(string)
	if tag != "KL-000001" {
		t.Fatalf("first generated tag %q", tag)
	}
	// Tags are case-insensitive and trimmed wherever they are typed.
	r = env.API(tok, "GET", "/api/v1/items/%20kl-000001%20", nil)
	if r.Status != http.StatusOK {
		t.Fatalf("get item: %d %s", r.Status, r.Body)
	}
	it := r.JSON(t)
	for _, k := range []string{"tag", "status", "condition", "serial", "product", "next_service_due", "loan_id"} {
		if _, ok := it[k]; !ok {
			t.Errorf("item has no %q: %v", k, it)
		}
	}
	if it["status"] != "available" || it["loan_id"] != nil || it["serial"] != "SW-1001" {
		t.Errorf("item: %v", it)
	}
	// The product's name is its name, as the catalogue has it; the size comes apart, and
	// the two together as pages show them (the name used to carry the size).
	if prod, _ := it["product"].(map[string]any); prod["id"] != p["id"] || prod["name"] != "Adjustable classroom chair" ||
		prod["size"] != "Size 2" || prod["display_name"] != "Adjustable classroom chair (Size 2)" {
		t.Errorf("item product: %v", it["product"])
	}
	if due, _ := it["next_service_due"].(string); len(due) != 10 {
		t.Errorf("next_service_due %v, want a YYYY-MM-DD date", it["next_service_due"])
	}
	r = env.API(tok, "POST", "/api/v1/items/"+tag+"/actions", map[string]any{"action": "send_to_repair", "note": "wobbly leg"})
	if r.Status != http.StatusOK || r.JSON(t)["status"] != "in_repair" {
		t.Fatalf("action: %d %s", r.Status, r.Body)
	}
	r = env.API(tok, "GET", "/api/v1/items/"+tag+"/history", nil)
	h := r.JSON(t)
	results := h["results"].([]any)
	if h["total"] != float64(2) || len(results) != 2 {
		t.Fatalf("history: %s", r.Body)
	}
	newest := results[0].(map[string]any)
	if newest["action"] != "send_to_repair" || newest["actor"] != "Sam Store" || newest["at"] == nil {
		t.Fatalf("newest event: %v", newest)
	}
	r = env.API(tok, "GET", "/api/v1/items?q=sw-1001", nil)
	if l := r.JSON(t); l["total"] != float64(1) {
		t.Fatalf("search by serial: %s", r.Body)
	}
	r = env.API(tok, "GET", "/api/v1/items?status=available", nil)
	if l := r.JSON(t); l["total"] != float64(0) || len(l["results"].([]any)) != 0 {
		t.Fatalf("filter by status: %s", r.Body)
	}
}

func TestBadInputChangesNothing(t *testing.T) {
	env := webtest.New(t)
	tok := storeToken(t, env)
	r := env.API(tok, "POST", "/api/v1/products", map[string]any{"name": "Chair", "category": "Seating", "kind": "returnable"})
	pid := r.JSON(t)["id"]
	r = env.API(tok, "POST", "/api/v1/products", map[string]any{"name": "Grip", "category": "Grips", "kind": "consumable"})
	consumable := r.JSON(t)["id"]
	if r := env.API(tok, "POST", "/api/v1/items", map[string]any{"product_id": pid, "serial": "S-1", "tag": "KL-900000"}); r.Status != http.StatusCreated {
		t.Fatalf("setup item: %s", r.Body)
	}
	long := strings.Repeat("x", 201)
	cases := []struct {
		name, path string
		body       any
		ctype      string
		status     int
		field      string
	}{
		{"empty name", "/api/v1/products", map[string]any{"name": "  ", "category": "Seating", "kind": "returnable"}, "", 422, "name"},
		{"long name", "/api/v1/products", map[string]any{"name": long, "category": "Seating", "kind": "returnable"}, "", 422, "name"},
		{"unknown category", "/api/v1/products", map[string]any{"name": "X", "category": "Spaceships", "kind": "returnable"}, "", 422, "category"},
		{"unknown kind", "/api/v1/products", map[string]any{"name": "X", "category": "Seating", "kind": "rental"}, "", 422, "kind"},
		{"negative stock", "/api/v1/products", map[string]any{"name": "X", "category": "Seating", "kind": "consumable", "stock": -1}, "", 422, "stock"},
		{"negative interval", "/api/v1/products", map[string]any{"name": "X", "category": "Seating", "kind": "returnable", "service_interval_days": -5}, "", 422, "service_interval_days"},
		{"stock as text", "/api/v1/products", `{"name":"X","category":"Seating","kind":"consumable","stock":"lots"}`, "", 400, "stock"},
		{"unknown field", "/api/v1/products", `{"name":"X","category":"Seating","kind":"returnable","colour":"red"}`, "", 400, "colour"},
		{"malformed JSON", "/api/v1/products", `{"name": "X",`, "", 400, ""},
		{"not an object", "/api/v1/products", `[1,2]`, "", 400, ""},
		{"empty body", "/api/v1/products", ``, "", 400, ""},
		{"wrong content type", "/api/v1/products", `name=X`, "application/x-www-form-urlencoded", 415, ""},
		{"body over 1 MiB", "/api/v1/products", `{"name":"` + strings.Repeat("x", 1<<20) + `"}`, "", 413, ""},
		{"unknown product", "/api/v1/items", map[string]any{"product_id": 999}, "", 422, "product_id"},
		{"no product", "/api/v1/items", map[string]any{"serial": "A"}, "", 422, "product_id"},
		{"consumable item", "/api/v1/items", map[string]any{"product_id": consumable}, "", 422, "product_id"},
		{"bad condition", "/api/v1/items", map[string]any{"product_id": pid, "condition": "shiny"}, "", 422, "condition"},
		{"bad tag", "/api/v1/items", map[string]any{"product_id": pid, "tag": "KL 1/2"}, "", 422, "tag"},
		{"duplicate tag", "/api/v1/items", map[string]any{"product_id": pid, "tag": " kl-900000"}, "", 409, "tag"},
		{"duplicate serial", "/api/v1/items", map[string]any{"product_id": pid, "serial": "S-1"}, "", 409, "serial"},
		{"bad date", "/api/v1/items", map[string]any{"product_id": pid, "acquired_on": "31/12/2025"}, "", 422, "acquired_on"},
		{"unknown action", "/api/v1/items/KL-900000/actions", map[string]any{"action": "teleport"}, "", 422, "action"},
		{"loan action by hand", "/api/v1/items/KL-900000/actions", map[string]any{"action": "issue"}, "", 422, "action"},
		{"refused action", "/api/v1/items/KL-900000/actions", map[string]any{"action": "repaired"}, "", 409, "tag"},
		{"unknown tag action", "/api/v1/items/KL-404404/actions", map[string]any{"action": "retire"}, "", 404, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := counts(t, env)
			var r webtest.Response
			if tc.ctype != "" {
				req, _ := http.NewRequest("POST", env.HTTP.URL+tc.path, strings.NewReader(tc.body.(string)))
				req.Header.Set("Content-Type", tc.ctype)
				req.Header.Set("Authorization", "Bearer "+tok)
				res, err := (&http.Client{Transport: webtest.Transport(t)}).Do(req)
				if err != nil {
					t.Fatal(err)
				}
				res.Body.Close()
				r.Status = res.StatusCode
			} else {
				r = env.API(tok, "POST", tc.path, tc.body)
			}
			if r.Status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.Status, tc.status, r.Body)
			}
			if r.Body != "" {
				e, _ := r.JSON(t)["error"].(map[string]any)
				if e == nil || e["code"] == "" || e["message"] == "" {
					t.Fatalf("error shape: %s", r.Body)
				}
				if tc.field != "" {
					fields, _ := e["fields"].(map[string]any)
					if fields[tc.field] == nil {
						t.Fatalf("error does not name %q: %s", tc.field, r.Body)
					}
				}
			}
			if after := counts(t, env); after != before {
				t.Fatalf("bad input changed the database: %v → %v", before, after)
			}
		})
	}
	if r := env.API(tok, "GET", "/api/v1/items/KL-404404", nil); r.Status != http.StatusNotFound {
		t.Fatalf("unknown tag: %d", r.Status)
	}
	if r := env.API(tok, "GET", "/api/v1/products/abc", nil); r.Status != http.StatusNotFound {
		t.Fatalf("product id abc: %d", r.Status)
	}
	if r := env.API("klt_wrong", "GET", "/api/v1/items", nil); r.Status != http.StatusUnauthorized {
		t.Fatalf("bad token: %d", r.Status)
	}
}

func TestRevokedTokenStopsWorking(t *testing.T) {
	env := webtest.New(t)
	u := env.User("store", "store@test", "Sam Store")
	secret, tokRec, err := env.Server.Accounts.CreateToken(t.Context(), u.ID, "scanner")
	if err != nil {
		t.Fatal(err)
	}
	if r := env.API(secret, "GET", "/api/v1/items", nil); r.Status != http.StatusOK {
		t.Fatalf("live token: %d", r.Status)
	}
	if err := env.Server.Accounts.RevokeToken(t.Context(), u.ID, tokRec.ID); err != nil {
		t.Fatal(err)
	}
	if r := env.API(secret, "GET", "/api/v1/items", nil); r.Status != http.StatusUnauthorized {
		t.Fatalf("revoked token: %d, want 401", r.Status)
	}
	var stored string
	env.DB.Read.QueryRow(`SELECT token_hash FROM api_tokens`).Scan(&stored)
	if stored == secret || strings.Contains(stored, secret[4:]) {
		t.Fatal("the token is stored in the clear")
	}
}
