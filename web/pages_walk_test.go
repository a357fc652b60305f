package web_test

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"kitloan/demo"
	"kitloan/web/webtest"
)

// TestEveryPageRendersForEveryRole draws every page, for every role, on real data: the
// real server on the demo database, with what the demo lacks added through the API (a
// recall, an allocated, a declined and a cancelled request, a discharged child, a signed
// agreement, a maintenance record), each role signed in through the form.
//
//   - Every GET route of the route table that a role may use is opened by that role, once
//     for each kind of record it can name (an item in each status and an unknown tag, a
//     request in each status, an open, a closed and a signed loan, a child on the
//     caseload, a discharged one and another therapist's...), with the query strings that
//     change what a page shows; a download is fetched for its first record.
//   - Every form is sent a refusal (empty or wrong input), which draws its page again with
//     the errors beside the fields; each must answer 4xx, drawn, not a redirect.
//
// Any 5xx fails, and so does anything the server logs as an error: the renderer logs a
// template that reads a field its view struct lacks and answers 500, so a misspelt field
// fails here. That
// every branch of every template fits its view struct is
// TestPageTemplatesReadOnlyWhatTheirViewsHave (views_test.go).
func TestEveryPageRendersForEveryRole(t *testing.T) {
	w := newPagesWorld(t)
	shown := map[string]int{}
	check := func(who, method, path string, r webtest.Response, refusal bool) {
		t.Helper()
		shown[who]++
		switch {
		case r.Status >= 500:
			t.Errorf("%s %s as %s: %d: %.300s", method, path, who, r.Status, r.Body)
		case refusal && (r.Status < 400 || !strings.Contains(r.Body, `class="error-summary"`)):
			t.Errorf("%s %s as %s: %d at %s, want the form drawn again with its errors", method, path, who, r.Status, r.URL)
		case strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") && !strings.HasSuffix(strings.TrimSpace(r.Body), "</html>"):
			t.Errorf("%s %s as %s: %d: the page is not whole: %.300s", method, path, who, r.Status, r.Body)
		}
	}

	for _, rt := range w.env.Server.Engine().Routes() {
		if rt.Method != http.MethodGet || strings.HasPrefix(rt.Path, "/api/") || strings.HasPrefix(rt.Path, "/static/") || rt.Path == "/healthz" {
			continue
		}
		paths := w.fill(t, rt.Path)
		if download(rt.Path) {
			paths = paths[:1]
		}
		paths = append(paths, w.queries[rt.Path]...)
		for _, who := range w.allowed(http.MethodGet, rt.Path) {
			for _, p := range paths {
				check(who, http.MethodGet, p, w.browsers[who].Get(p), false)
			}
		}
	}
	for _, who := range []string{"admin", "store", "therapist", "viewer", "nobody"} {
		check(who, http.MethodGet, "/no-such-page", w.browsers[who].Get("/no-such-page"), false)
	}

	for _, f := range w.refusals(t) {
		for _, who := range w.allowed(http.MethodPost, f.route) {
			form := url.Values{}
			for k, v := range f.form {
				form[k] = slices.Clone(v)
			}
			r := w.browsers[who].Post(f.path, form)
			// Another therapist's child is not there for a therapist: a 404, not a form.
			check(who, http.MethodPost, f.path, r, r.Status != http.StatusNotFound)
		}
	}

	for _, who := range []string{"admin", "store", "therapist", "viewer"} {
		if shown[who] < 10 {
			t.Errorf("only %d pages shown to %s", shown[who], who)
		}
	}
	t.Logf("requests by role: %v", shown)
}

// download reports whether a route answers a file rather than a page.
func download(path string) bool {
	for _, ext := range []string{".pdf", ".csv", ".zip", ".png", "/agreement/signed"} {
		if strings.HasSuffix(path, ext) {
			return true
		}
	}
	return false
}

// pagesWorld is the demo service with a browser signed in as each role (and one signed in
// as nobody), and the ids of the records each route parameter can name.
type pagesWorld struct {
	env      *webtest.Env
	browsers map[string]*webtest.Browser
	// records are the ids a route names, by the kind of record: "items" (tags),
	// "products", "children", "requests", "loans", "recalls", "users".
	records map[string][]string
	// queries are the query strings that change what a page shows, by route.
	queries map[string][]string
	// Records the refused forms are sent to.
	child, request, submitted, fulfilled, approved, loan, recall, consumable, product, user string
	available, returned, onRecall                                                           string
}

// failOnLog fails the test with whatever the server logs at error level: the renderer
// logs there a template that reads a field its view struct lacks.
type failOnLog struct{ t *testing.T }

func (f failOnLog) Write(p []byte) (int, error) {
	f.t.Errorf("the server logged: %s", p)
	return len(p), nil
}

func newPagesWorld(t *testing.T) *pagesWorld {
	t.Helper()
	env := webtest.New(t)
	w := &pagesWorld{env: env, browsers: map[string]*webtest.Browser{}, records: map[string][]string{}}
	env.Server.Log = slog.New(slog.NewTextHandler(failOnLog{t}, &slog.HandlerOptions{Level: slog.LevelError}))
	if loaded, err := demo.Load(t.Context(), env.DB, demo.Size{Items: 200}); err != nil || !loaded {
		t.Fatalf("demo data: loaded %v, %v", loaded, err)
	}
	env.User("admin", "admin@test", "Ada Admin")
	env.User("viewer", "viewer@test", "Vic Viewer")
	for who, login := range map[string][2]string{
		"admin": {"admin@test", webtest.Password}, "viewer": {"viewer@test", webtest.Password},
		"store": {"store@demo.kitloan", demo.StorePassword}, "therapist": {"ot.amara@demo.kitloan", demo.TherapistPassword},
	} {
		b := env.Browser()
		b.Login(login[0], login[1])
		w.browsers[who] = b
	}
	w.browsers["nobody"] = env.Browser()
	store, err := env.Server.Accounts.UserByEmail(t.Context(), "store@demo.kitloan")
	if err != nil {
		t.Fatal(err)
	}
	amara, err := env.Server.Accounts.UserByEmail(t.Context(), "ot.amara@demo.kitloan")
	if err != nil {
		t.Fatal(err)
	}
	token := env.Token(store)
	api := func(token, method, path string, body any) map[string]any {
		t.Helper()
		r := env.API(token, method, path, body)
		if r.Status >= 300 {
			t.Fatalf("%s %s: %d: %s", method, path, r.Status, r.Body)
		}
		return r.JSON(t)
	}
	therapist := fmt.Sprint(amara.ID)

	// A child of the therapist's with equipment out, and another discharged.
	w.child = w.one(t, `SELECT min(c.id) FROM children c JOIN loans l ON l.child_id = c.id
		WHERE c.therapist_id = ? AND c.discharged_on IS NULL AND l.closed_at IS NULL`, therapist)
	discharged := w.one(t, `SELECT min(id) FROM children WHERE therapist_id = ? AND discharged_on IS NULL AND id <> ?`, therapist, w.child)
	api(token, "POST", "/api/v1/children/"+discharged+"/discharge", map[string]any{})
	other := w.one(t, `SELECT min(id) FROM children WHERE therapist_id <> ?`, therapist)

	// Requests from the therapist for a product with units free and on loan: one left
	// submitted, one approved, one allocated, one declined and one cancelled.
	w.product = w.one(t, `SELECT min(p.id) FROM products p WHERE p.kind = 'returnable'
		AND (SELECT count(*) FROM items i WHERE i.product_id = p.id AND i.status = 'available') > 1
		AND EXISTS (SELECT 1 FROM items i WHERE i.product_id = p.id AND i.status = 'on_loan')`)
	ot := env.Token(amara)
	requests := make([]string, 5)
	for i := range requests {
		requests[i] = fmt.Sprint(api(ot, "POST", "/api/v1/requests", map[string]any{"child_id": number(t, w.child), "product_id": number(t, w.product), "quantity": 1,
			"priority": "standard", "deliver_to": "home", "reason": "Needs support to sit upright at the table"})["id"])
	}
	w.submitted, w.approved, w.request = requests[0], requests[1], requests[2]
	api(token, "POST", "/api/v1/requests/"+w.approved+"/approve", nil)
	api(token, "POST", "/api/v1/requests/"+w.request+"/approve", nil)
	free := w.one(t, `SELECT min(tag) FROM items WHERE status = 'available' AND product_id = ?`, w.product)
	api(token, "POST", "/api/v1/requests/"+w.request+"/allocate", map[string]any{"tags": []string{free}})
	api(token, "POST", "/api/v1/requests/"+requests[3]+"/decline", map[string]any{"reason": "A smaller size fits better: ask again for size 1."})
	api(ot, "POST", "/api/v1/requests/"+requests[4]+"/cancel", map[string]any{"reason": "No longer needed."})
	w.fulfilled = w.one(t, `SELECT min(id) FROM requests WHERE status = 'fulfilled'`)

	// A loan with its agreement signed, and the other kinds of loan.
	w.loan = w.one(t, `SELECT min(id) FROM loans WHERE child_id = ? AND closed_at IS NULL`, w.child)
	body, ct := form(t, map[string]string{"signer_name": "Pat Carer", "signer_relationship": "mother"}, "signed.pdf", fakePDF())
	req, _ := http.NewRequest(http.MethodPost, env.HTTP.URL+"/api/v1/loans/"+w.loan+"/agreement", body)
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := (&http.Client{Transport: webtest.Transport(t)}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("recording the agreement: %d", res.StatusCode)
	}

	// A unit serviced, and a recall of a product with units in the store and on loan.
	w.available = w.one(t, `SELECT min(tag) FROM items WHERE status = 'available' AND product_id <> ?`, w.product)
	api(token, "POST", "/api/v1/items/"+w.available+"/maintenance", map[string]any{"kind": "service", "outcome": "pass", "notes": "Castors oiled"})
	w.recall = fmt.Sprint(api(token, "POST", "/api/v1/recalls", map[string]any{"product_id": number(t, w.product), "reference": "FSN-2026-07",
		"action": "Check the gas strut and fit the new bracket."})["id"])
	w.onRecall = w.one(t, `SELECT min(i.tag) FROM items i JOIN recall_items ri ON ri.item_id = i.id WHERE ri.recall_id = ? AND i.status = 'on_loan'`, w.recall)

	w.returned = w.one(t, `SELECT min(tag) FROM items WHERE status = 'returned'`)
	w.consumable = w.one(t, `SELECT min(id) FROM products WHERE kind = 'consumable'`)
	w.user = fmt.Sprint(store.ID)
	w.records["items"] = append(w.list(t, `SELECT min(tag) FROM items GROUP BY status, awaiting_cleaning ORDER BY 1`), w.available, w.onRecall, "KL-999999")
	w.records["products"] = []string{w.product, w.consumable}
	w.records["children"] = []string{w.child, discharged, other}
	w.records["requests"] = w.list(t, `SELECT min(id) FROM requests GROUP BY status ORDER BY 1`)
	w.records["loans"] = append([]string{w.loan}, w.list(t, `SELECT min(id) FROM loans WHERE closed_at IS NOT NULL
		UNION SELECT min(id) FROM loans WHERE location = 'school' UNION SELECT min(id) FROM loans WHERE id <> ?`, w.loan)...)
	w.records["recalls"] = []string{w.recall}
	w.records["users"] = []string{w.user, w.one(t, `SELECT id FROM users WHERE email = 'admin@test'`)}

	tabs := []string{}
	for _, s := range []string{"submitted", "approved", "allocated", "fulfilled", "declined", "cancelled", "all"} {
		tabs = append(tabs, "/requests?status="+s)
	}
	w.queries = map[string][]string{
		"/loans":       {"/loans?view=due", "/loans?view=overdue", "/loans?view=all", "/loans?therapist=" + therapist, "/loans?setting=Nowhere", "/loans?offset=50"},
		"/requests":    tabs,
		"/children":    {"/children?discharged=true", "/children?issue=" + w.available, "/children?q=nobody-is-called-this"},
		"/items":       {"/items?status=on_loan", "/items?q=nothing-matches-this", "/items?offset=50", "/items?product=" + w.product},
		"/products":    {"/products?q=nothing-matches-this", "/products?kind=consumable"},
		"/maintenance": {"/maintenance?visits=all"},
		"/imports":     {"/imports?kind=items"},
		"/reports":     {"/reports?from=2026-13-45&to=soon", "/reports?from=2025-01-01&to=2025-12-31"},
		"/labels": {"/labels?tag=" + w.available, "/labels?all=1&status=available", "/labels?tag=" + w.available + "&skip=some",
			"/labels?tag=KL-999999"},
		"/loans/new": {"/loans/new?child_id=" + w.child, "/loans/new?request_id=" + w.request, "/loans/new?child_id=" + w.child + "&tag=" + w.available},
		"/requests/new": {"/requests/new?child_id=" + w.child, "/requests/new?child_id=" + w.child + "&product_id=" + w.product,
			"/requests/new?child_id=" + discharged},
		"/items/:tag/maintenance/new": {"/items/" + w.returned + "/maintenance/new?kind=inspection", "/items/" + w.returned + "/maintenance/new?kind=cleaning"},
		"/items/new":                  {"/items/new?product_id=" + w.product},
		"/items/added":                {"/items/added?tag=" + w.available},
		"/scan":                       {"/scan?tag=" + w.available, "/scan?tag=KL-999999"},
		"/agreements/unsigned":        {"/agreements/unsigned?offset=50"},
	}
	return w
}

// one reads one value from the database as text, failing the test if there is none.
func (w *pagesWorld) one(t *testing.T, query string, args ...any) string {
	t.Helper()
	got := w.list(t, query, args...)
	if len(got) == 0 || got[0] == "" {
		t.Fatalf("no record for %s", query)
	}
	return got[0]
}

// list reads the first column of a query's rows as text, leaving out nulls.
func (w *pagesWorld) list(t *testing.T, query string, args ...any) []string {
	t.Helper()
	rows, err := w.env.DB.Read.Query(query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v any
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		switch v := v.(type) {
		case nil:
		case []byte:
			out = append(out, string(v))
		default:
			out = append(out, fmt.Sprint(v))
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// number reads an id read as text back as a number, for a JSON body.
func number(t *testing.T, id string) int {
	t.Helper()
	n, err := strconv.Atoi(id)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// fill lists a route's addresses, one for each record its parameter can name.
func (w *pagesWorld) fill(t *testing.T, route string) []string {
	t.Helper()
	kind := ""
	switch {
	case strings.Contains(route, ":tag"):
		kind = "items"
	case strings.Contains(route, ":id"):
		kind = strings.Split(route, "/")[1]
	default:
		return []string{route}
	}
	ids := w.records[kind]
	if len(ids) == 0 {
		t.Fatalf("no %s to fill %s with", kind, route)
	}
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = strings.NewReplacer(":tag", id, ":id", id).Replace(route)
	}
	return out
}

// allowed lists who may use a route: the roles of its access rule, or for a public route
// every role and nobody.
func (w *pagesWorld) allowed(method, route string) []string {
	roles, public := w.env.Server.Access(method, route)
	if public {
		return []string{"admin", "store", "therapist", "viewer", "nobody"}
	}
	return roles
}

// refusal is a form sent with what its page refuses.
type refusal struct {
	route, path string
	form        url.Values
}

// refusals are a refused post to each form of the pages.
func (w *pagesWorld) refusals(t *testing.T) []refusal {
	t.Helper()
	onLoan := w.one(t, `SELECT min(i.tag) FROM items i JOIN loan_items li ON li.item_id = i.id WHERE li.loan_id = ? AND li.returned_at IS NULL`, w.loan)
	return []refusal{
		{"/login", "/login", url.Values{"email": {"admin@test"}, "password": {"not the password"}}},
		{"/products", "/products", url.Values{"kind": {"returnable"}}},
		{"/products/:id", "/products/" + w.product, url.Values{"name": {""}, "kind": {"returnable"}}},
		{"/products/:id/stock", "/products/" + w.consumable + "/stock", url.Values{"what_happened": {"received"}, "how_many": {"a few"}}},
		{"/items", "/items", url.Values{"quantity": {"1"}}},
		{"/items/:tag", "/items/" + w.available, url.Values{"condition": {"shiny"}}},
		{"/items/:tag/maintenance", "/items/" + w.returned + "/maintenance", url.Values{"kind": {"inspection"}}},
		{"/items/:tag/retire", "/items/" + w.available + "/retire", url.Values{"reason": {""}}},
		{"/users", "/users", url.Values{"role": {"store"}}},
		{"/users/:id", "/users/" + w.user, url.Values{"name": {""}, "role": {"store"}, "active": {"true"}}},
		{"/settings", "/settings", url.Values{"service_name": {""}}},
		{"/settings/categories", "/settings/categories", url.Values{"name": {""}}},
		{"/settings/categories/:id", "/settings/categories/1", url.Values{"name": {""}, "review_months": {"many"}}},
		{"/children", "/children", url.Values{"given_name": {"Zoë"}}},
		{"/children/:id", "/children/" + w.child, url.Values{"given_name": {""}}},
		{"/children/:id/discharge", "/children/" + w.child + "/discharge", url.Values{"discharged_on": {"someday"}}},
		{"/children/:id/consumables", "/children/" + w.child + "/consumables", url.Values{"how_many": {"1"}}},
		{"/requests", "/requests", url.Values{"child_id": {w.child}, "how_many": {"1"}}},
		{"/requests/:id/decline", "/requests/" + w.submitted + "/decline", url.Values{"reason_for_declining": {""}}},
		{"/requests/:id/allocate", "/requests/" + w.approved + "/allocate", url.Values{"tags": {"KL-999999"}}},
		{"/requests/:id/cancel", "/requests/" + w.fulfilled + "/cancel", url.Values{"reason_for_cancelling": {"Too late"}}},
		{"/loans", "/loans", url.Values{"child_id": {w.child}, "tags": {"KL-999999"}, "location": {"home"}, "recipient": {"Pat Carer"}}},
		{"/loans/:id/return", "/loans/" + w.loan + "/return", url.Values{}},
		{"/loans/:id/return", "/loans/" + w.loan + "/return", url.Values{"tag": {onLoan}, "condition_" + onLoan: {"shiny"}}},
		{"/loans/:id/change", "/loans/" + w.loan + "/change", url.Values{"change": {"review"}}},
		{"/loans/:id/change", "/loans/" + w.loan + "/change", url.Values{"change": {"move"}, "location": {w.one(t, `SELECT location FROM loans WHERE id = ?`, w.loan)}}},
		{"/loans/:id/lost", "/loans/" + w.loan + "/lost", url.Values{"tag": {"KL-999999"}}},
		{"/loans/:id/agreement", "/loans/" + w.loan + "/agreement", url.Values{"signer_name": {""}}},
		{"/recalls", "/recalls", url.Values{"reference": {"FSN-2026-08"}}},
		{"/recalls/:id/done", "/recalls/" + w.recall + "/done", url.Values{"tag": {w.onRecall}, "notes": {""}}},
		{"/children/anonymise", "/children/anonymise", url.Values{"child_id": {"one"}}},
		{"/imports", "/imports", url.Values{"kind": {"products"}}},
	}
}
