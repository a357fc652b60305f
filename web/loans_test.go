package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"kitloan/web/webtest"
)

// world is a service with store staff, two therapists, a chair with units and a consumable.
type world struct {
	env              *webtest.Env
	store, ot, other string // API tokens
	chair, grip      float64
	tags             []string
}

func newWorld(t *testing.T, units int) *world {
	t.Helper()
	env := webtest.New(t)
	w := &world{env: env,
		store: env.Token(env.User("store", "store@test", "Sam Store")),
		ot:    env.Token(env.User("therapist", "ot@test", "Olu Therapist")),
		other: env.Token(env.User("therapist", "ot2@test", "Tia Other")),
	}
	w.chair = w.must(t, w.store, "POST", "/api/v1/products", map[string]any{"name": "Classroom chair", "category": "Seating", "kind": "returnable"}, 201)["id"].(float64)
	w.grip = w.must(t, w.store, "POST", "/api/v1/products", map[string]any{"name": "Pencil grip", "category": "Grips", "kind": "consumable", "stock": 10}, 201)["id"].(float64)
	for range units {
		w.tags = append(w.tags, w.must(t, w.store, "POST", "/api/v1/items", map[string]any{"product_id": w.chair, "condition": "good"}, 201)["tag"].(string))
	}
	return w
}

// must sends a request and fails the test unless the status is as expected.
func (w *world) must(t *testing.T, token, method, path string, body any, status int) map[string]any {
	t.Helper()
	r := w.env.API(token, method, path, body)
	if r.Status != status {
		t.Fatalf("%s %s: %d, want %d: %s", method, path, r.Status, status, r.Body)
	}
	if r.Body == "" {
		return nil
	}
	return r.JSON(t)
}

func (w *world) child(t *testing.T, token string, name string) float64 {
	t.Helper()
	given, family, _ := strings.Cut(name, " ")
	return w.must(t, token, "POST", "/api/v1/children", map[string]any{"given_name": given, "family_name": family,
		"date_of_birth": "2017-03-14", "nhs_number": "943 476 5919", "address": "1 Fictional Road, Testtown", "setting": "Hilltop Primary",
		"carers": []map[string]any{{"name": "Pat " + family, "relationship": "mother", "phone": "07700 900123"}}}, 201)["id"].(float64)
}

func (w *world) itemStatus(t *testing.T, tag string) string {
	return w.must(t, w.store, "GET", "/api/v1/items/"+tag, nil, 200)["status"].(string)
}

func TestChildrenRulesAndTherapistScope(t *testing.T) {
	w := newWorld(t, 0)
	zoe := w.child(t, w.ot, "Zoë Łukasiewicz-Nguyễn")
	c := w.must(t, w.ot, "GET", fmt.Sprintf("/api/v1/children/%v", zoe), nil, 200)
	if c["nhs_number"] != "9434765919" || c["therapist_email"] != "ot@test" || len(c["carers"].([]any)) != 1 || c["reference"] == "" {
		t.Fatalf("child: %v", c)
	}
	// Another therapist's child does not exist for them.
	w.must(t, w.other, "GET", fmt.Sprintf("/api/v1/children/%v", zoe), nil, 404)
	w.must(t, w.other, "PATCH", fmt.Sprintf("/api/v1/children/%v", zoe), map[string]any{"address": "2 Elsewhere"}, 404)
	if l := w.must(t, w.other, "GET", "/api/v1/children", nil, 200); l["total"] != float64(0) {
		t.Fatalf("other therapist lists %v", l)
	}
	if l := w.must(t, w.store, "GET", "/api/v1/children?q=zo", nil, 200); l["total"] != float64(1) {
		t.Fatalf("store search: %v", l)
	}
	// The store adds children for a named therapist; a therapist only for themselves.
	w.must(t, w.store, "POST", "/api/v1/children", map[string]any{"given_name": "Ольга", "family_name": "Петренко", "date_of_birth": "2015-01-02", "therapist_email": "ot2@test"}, 201)
	for name, body := range map[string]map[string]any{
		"NHS check digit":    {"given_name": "A", "family_name": "B", "date_of_birth": "2015-01-02", "nhs_number": "943 476 5918"},
		"NHS all the same":   {"given_name": "A", "family_name": "B", "date_of_birth": "2015-01-02", "nhs_number": "0000000000"},
		"NHS too short":      {"given_name": "A", "family_name": "B", "date_of_birth": "2015-01-02", "nhs_number": "943 476 591"},
		"NHS letters":        {"given_name": "A", "family_name": "B", "date_of_birth": "2015-01-02", "nhs_number": "94347659A9"},
		"birth in future":    {"given_name": "A", "family_name": "B", "date_of_birth": time.Now().AddDate(0, 0, 2).Format("2006-01-02")},
		"birth not a date":   {"given_name": "A", "family_name": "B", "date_of_birth": "14/03/2017"},
		"no given name":      {"family_name": "B", "date_of_birth": "2015-01-02"},
		"carer without name": {"given_name": "A", "family_name": "B", "date_of_birth": "2015-01-02", "carers": []map[string]any{{"phone": "0123"}}},
		"other therapist":    {"given_name": "A", "family_name": "B", "date_of_birth": "2015-01-02", "therapist_email": "ot2@test"},
	} {
		r := w.env.API(w.ot, "POST", "/api/v1/children", body)
		if r.Status != 422 {
			t.Errorf("%s: %d, want 422: %s", name, r.Status, r.Body)
		}
	}
	if l := w.must(t, w.ot, "GET", "/api/v1/children", nil, 200); l["total"] != float64(1) {
		t.Fatalf("a refused child was added: %v", l)
	}
}

func TestRequestAllocateIssueReturn(t *testing.T) {
	w := newWorld(t, 3)
	zoe := w.child(t, w.ot, "Zoë Adams")
	req := w.must(t, w.ot, "POST", "/api/v1/requests", map[string]any{"child_id": zoe, "product_id": w.chair, "quantity": 1,
		"priority": "urgent", "deliver_to": "school", "reason": "Needs upright sitting for handwriting", "needed_by": time.Now().AddDate(0, 0, 7).Format("2006-01-02")}, 201)
	id := req["id"]
	if req["status"] != "submitted" || req["waiting"] != false || !strings.Contains(req["delivery_address"].(string), "Hilltop Primary") {
		t.Fatalf("request: %v", req)
	}
	// Another therapist cannot see or cancel it; the therapist cannot approve it.
	w.must(t, w.other, "GET", fmt.Sprintf("/api/v1/requests/%v", id), nil, 404)
	w.must(t, w.other, "POST", fmt.Sprintf("/api/v1/requests/%v/cancel", id), map[string]any{}, 404)
	w.must(t, w.ot, "POST", fmt.Sprintf("/api/v1/requests/%v/approve", id), nil, 403)
	// Allocation waits for approval.
	w.must(t, w.store, "POST", fmt.Sprintf("/api/v1/requests/%v/allocate", id), map[string]any{"tags": []string{w.tags[0]}}, 409)
	w.must(t, w.store, "POST", fmt.Sprintf("/api/v1/requests/%v/approve", id), nil, 200)
	r := w.must(t, w.store, "POST", fmt.Sprintf("/api/v1/requests/%v/allocate", id), map[string]any{"tags": []string{strings.ToLower(w.tags[0])}}, 200)
	if r["status"] != "allocated" || w.itemStatus(t, w.tags[0]) != "reserved" {
		t.Fatalf("after allocate: %v, item %s", r, w.itemStatus(t, w.tags[0]))
	}
	// Releasing makes the item available again; allocate another.
	r = w.must(t, w.store, "POST", fmt.Sprintf("/api/v1/requests/%v/release", id), map[string]any{"tag": w.tags[0]}, 200)
	if r["status"] != "approved" || w.itemStatus(t, w.tags[0]) != "available" {
		t.Fatalf("after release: %v", r)
	}
	w.must(t, w.store, "POST", fmt.Sprintf("/api/v1/requests/%v/allocate", id), map[string]any{"tags": []string{w.tags[1]}}, 200)
	// A reserved item cannot go to someone else.
	ben := w.child(t, w.ot, "Ben Brown")
	e := w.must(t, w.store, "POST", "/api/v1/loans", map[string]any{"child_id": ben, "tags": []string{w.tags[1]}, "location": "home", "recipient": "Pat Brown"}, 409)
	if !strings.Contains(fmt.Sprint(e), "reserved for request") {
		t.Fatalf("reserved item to another child: %v", e)
	}
	loan := w.must(t, w.store, "POST", "/api/v1/loans", map[string]any{"child_id": zoe, "tags": []string{w.tags[1]}, "request_id": id,
		"location": "school", "recipient": "Mrs Head (SENCO)"}, 201)
	lid := loan["id"]
	if loan["status"] != "open" || len(loan["items"].([]any)) != 1 {
		t.Fatalf("loan: %v", loan)
	}
	// Seating is reviewed after 6 months by default.
	if want := time.Now().AddDate(0, 6, 0).Format("2006-01-02"); loan["review_date"] != want {
		t.Fatalf("review date %v, want %s", loan["review_date"], want)
	}
	if r := w.must(t, w.ot, "GET", fmt.Sprintf("/api/v1/requests/%v", id), nil, 200); r["status"] != "fulfilled" {
		t.Fatalf("request after issue: %v", r)
	}
	it := w.must(t, w.store, "GET", "/api/v1/items/"+w.tags[1], nil, 200)
	if it["status"] != "on_loan" || it["loan_id"] != lid {
		t.Fatalf("item on loan: %v", it)
	}
	// The therapist sees the loan of their child; the other therapist does not.
	w.must(t, w.ot, "GET", fmt.Sprintf("/api/v1/loans/%v", lid), nil, 200)
	w.must(t, w.other, "GET", fmt.Sprintf("/api/v1/loans/%v", lid), nil, 404)
	// Extend the review and move the loan home.
	w.must(t, w.store, "PATCH", fmt.Sprintf("/api/v1/loans/%v", lid), map[string]any{"review_date": time.Now().AddDate(0, 9, 0).Format("2006-01-02"), "reason": "growing slowly"}, 200)
	moved := w.must(t, w.store, "PATCH", fmt.Sprintf("/api/v1/loans/%v", lid), map[string]any{"location": "home", "address": "9 New Street", "recipient": "Pat Adams"}, 200)
	if moved["location"] != "home" || moved["address"] != "9 New Street" {
		t.Fatalf("moved: %v", moved)
	}
	// Return it: the item awaits cleaning and the loan closes.
	back := w.must(t, w.store, "POST", fmt.Sprintf("/api/v1/loans/%v/return", lid), map[string]any{"items": []map[string]any{{"tag": w.tags[1], "condition": "fair"}}}, 200)
	if back["status"] != "closed" {
		t.Fatalf("after return: %v", back)
	}
	it = w.must(t, w.store, "GET", "/api/v1/items/"+w.tags[1], nil, 200)
	if it["status"] != "returned" || it["condition"] != "fair" || it["loan_id"] != nil {
		t.Fatalf("returned item: %v", it)
	}
	w.must(t, w.store, "POST", fmt.Sprintf("/api/v1/loans/%v/return", lid), map[string]any{"items": []map[string]any{{"tag": w.tags[1], "condition": "fair"}}}, 409)
}

func TestIssueIsAllOrNothing(t *testing.T) {
	w := newWorld(t, 3)
	zoe := w.child(t, w.ot, "Zoë Adams")
	w.must(t, w.store, "POST", "/api/v1/items/"+w.tags[1]+"/actions", map[string]any{"action": "send_to_repair"}, 200)
	before := counts(t, w.env)
	var loansBefore int
	w.env.DB.Read.QueryRow(`SELECT count(*) FROM loans`).Scan(&loansBefore)
	e := w.must(t, w.store, "POST", "/api/v1/loans", map[string]any{"child_id": zoe, "tags": []string{w.tags[0], w.tags[1], "KL-999999"},
		"location": "home", "recipient": "Pat Adams"}, 409)["error"].(map[string]any)
	fields := e["fields"].(map[string]any)
	if fields[w.tags[1]] == nil || fields["KL-999999"] == nil || fields[w.tags[0]] != nil {
		t.Fatalf("the refusal should name each item that cannot be issued, and only those: %v", e)
	}
	if !strings.Contains(e["message"].(string), "in repair") {
		t.Fatalf("message should say why: %v", e["message"])
	}
	var loansAfter int
	w.env.DB.Read.QueryRow(`SELECT count(*) FROM loans`).Scan(&loansAfter)
	if counts(t, w.env) != before || loansAfter != loansBefore || w.itemStatus(t, w.tags[0]) != "available" {
		t.Fatal("a refused issue changed something")
	}
	// Partial return keeps the loan open; lost and found.
	l := w.must(t, w.store, "POST", "/api/v1/loans", map[string]any{"child_id": zoe, "tags": []string{w.tags[0], w.tags[2]}, "location": "home", "recipient": "Pat Adams"}, 201)
	lid := l["id"]
	if r := w.must(t, w.store, "POST", fmt.Sprintf("/api/v1/loans/%v/return", lid), map[string]any{"items": []map[string]any{{"tag": w.tags[0], "condition": "good"}}}, 200); r["status"] != "open" {
		t.Fatalf("partial return closed the loan: %v", r)
	}
	w.must(t, w.store, "POST", fmt.Sprintf("/api/v1/loans/%v/lost", lid), map[string]any{"tag": w.tags[2], "note": "left at swimming pool"}, 200)
	if s := w.itemStatus(t, w.tags[2]); s != "lost" {
		t.Fatalf("lost item is %s", s)
	}
	w.must(t, w.store, "POST", fmt.Sprintf("/api/v1/loans/%v/found", lid), map[string]any{"tag": w.tags[2]}, 200)
	if s := w.itemStatus(t, w.tags[2]); s != "on_loan" {
		t.Fatalf("found item is %s", s)
	}
	// Bad return lines name the field.
	for _, body := range []map[string]any{
		{"items": []map[string]any{}},
		{"items": []map[string]any{{"tag": w.tags[2]}}},
		{"items": []map[string]any{{"tag": w.tags[2], "condition": "sparkling"}}},
	} {
		w.must(t, w.store, "POST", fmt.Sprintf("/api/v1/loans/%v/return", lid), body, 422)
	}
}

func TestConsumablesAndStock(t *testing.T) {
	w := newWorld(t, 0)
	zoe := w.child(t, w.ot, "Zoë Adams")
	out := w.must(t, w.store, "POST", "/api/v1/consumables/issue", map[string]any{"product_id": w.grip, "child_id": zoe, "quantity": 4}, 201)
	if out["stock_after"] != float64(6) {
		t.Fatalf("issue: %v", out)
	}
	e := w.must(t, w.store, "POST", "/api/v1/consumables/issue", map[string]any{"product_id": w.grip, "child_id": zoe, "quantity": 7}, 409)
	if !strings.Contains(fmt.Sprint(e), "only 6 in stock") {
		t.Fatalf("short stock: %v", e)
	}
	w.must(t, w.store, "POST", "/api/v1/consumables/issue", map[string]any{"product_id": w.chair, "child_id": zoe, "quantity": 1}, 422)
	w.must(t, w.store, "POST", "/api/v1/consumables/issue", map[string]any{"product_id": w.grip, "child_id": zoe, "quantity": 0}, 422)
	if p := w.must(t, w.store, "GET", fmt.Sprintf("/api/v1/products/%v", w.grip), nil, 200); p["stock"] != float64(6) {
		t.Fatalf("stock after refusal: %v", p["stock"])
	}
	for _, step := range []struct {
		body map[string]any
		want float64
	}{
		{map[string]any{"kind": "received", "quantity": 20, "reason": "delivery 123"}, 26},
		{map[string]any{"kind": "written_off", "quantity": 2, "reason": "damaged in store"}, 24},
		{map[string]any{"kind": "counted", "quantity": 23, "reason": "stock take"}, 23},
	} {
		if r := w.must(t, w.store, "POST", fmt.Sprintf("/api/v1/products/%v/stock", w.grip), step.body, 200); r["stock"] != step.want {
			t.Fatalf("%v: %v", step.body, r)
		}
	}
	w.must(t, w.store, "POST", fmt.Sprintf("/api/v1/products/%v/stock", w.grip), map[string]any{"kind": "received", "quantity": 5}, 422)
	w.must(t, w.store, "POST", fmt.Sprintf("/api/v1/products/%v/stock", w.grip), map[string]any{"kind": "written_off", "quantity": 50, "reason": "x"}, 409)
	eq := w.must(t, w.ot, "GET", fmt.Sprintf("/api/v1/children/%v/equipment", zoe), nil, 200)
	if cs := eq["consumables"].([]any); len(cs) != 1 || cs[0].(map[string]any)["quantity"] != float64(4) {
		t.Fatalf("child's consumables: %v", eq)
	}
}

func TestReviewLists(t *testing.T) {
	w := newWorld(t, 3)
	zoe := w.child(t, w.ot, "Zoë Adams")
	soon := time.Now().AddDate(0, 0, 10).Format("2006-01-02")
	later := time.Now().AddDate(0, 3, 0).Format("2006-01-02")
	w.must(t, w.store, "POST", "/api/v1/loans", map[string]any{"child_id": zoe, "tags": []string{w.tags[0]}, "location": "home", "recipient": "Pat", "review_date": soon}, 201)
	w.must(t, w.store, "POST", "/api/v1/loans", map[string]any{"child_id": zoe, "tags": []string{w.tags[1]}, "location": "home", "recipient": "Pat", "review_date": later}, 201)
	old := w.must(t, w.store, "POST", "/api/v1/loans", map[string]any{"child_id": zoe, "tags": []string{w.tags[2]}, "location": "school", "recipient": "SENCO", "review_date": soon}, 201)
	w.env.DB.Write.Exec(`UPDATE loans SET review_date = ? WHERE id = ?`, time.Now().AddDate(0, 0, -3).Format("2006-01-02"), old["id"])
	if l := w.must(t, w.store, "GET", "/api/v1/loans?review_within_days=30", nil, 200); l["total"] != float64(2) {
		t.Fatalf("reviews due in 30 days (overdue included): %v", l["total"])
	}
	if l := w.must(t, w.store, "GET", "/api/v1/loans?overdue=true", nil, 200); l["total"] != float64(1) {
		t.Fatalf("overdue reviews: %v", l["total"])
	}
	if l := w.must(t, w.store, "GET", "/api/v1/loans?setting=Hilltop%20Primary", nil, 200); l["total"] != float64(1) {
		t.Fatalf("loans at a setting: %v", l["total"])
	}
	if l := w.must(t, w.other, "GET", "/api/v1/loans?active=true", nil, 200); l["total"] != float64(0) {
		t.Fatalf("another therapist sees %v loans", l["total"])
	}
}

// TestConcurrentIssueOfOneItem races 100 clients to issue the same item through the real
// server: exactly one wins and the item is on exactly one loan.
func TestConcurrentIssueOfOneItem(t *testing.T) {
	w := newWorld(t, 1)
	var children []float64
	for i := range 10 {
		children = append(children, w.child(t, w.ot, fmt.Sprintf("Child%d Test", i)))
	}
	var wg sync.WaitGroup
	statuses := make([]int, 100)
	start := make(chan struct{})
	for i := range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			statuses[i] = w.env.API(w.store, "POST", "/api/v1/loans", map[string]any{"child_id": children[i%10], "tags": []string{w.tags[0]},
				"location": "home", "recipient": "Carer"}).Status
		}()
	}
	close(start)
	wg.Wait()
	got := map[int]int{}
	for _, s := range statuses {
		got[s]++
	}
	if got[http.StatusCreated] != 1 || got[http.StatusConflict] != 99 {
		t.Fatalf("statuses: %v, want one 201 and 99 409", got)
	}
	var loans, open int
	w.env.DB.Read.QueryRow(`SELECT count(*) FROM loans`).Scan(&loans)
	w.env.DB.Read.QueryRow(`SELECT count(*) FROM loan_items WHERE returned_at IS NULL`).Scan(&open)
	if loans != 1 || open != 1 {
		t.Fatalf("%d loans, %d open loan items", loans, open)
	}
}
