package web_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"kitloan/web/webtest"
)

// reportWorld is a service with a known history: loans, returns, re-issues and requests
// over the first quarter of 2025, built through the API and dated with SQL, so that every
// figure of the report has an answer worked out by hand.
type reportWorld struct {
	*world
	admin, viewer              string // API tokens
	bath, slope, cutlery, foam float64
	chairs                     []string // C1..C4
	baths                      []string // B1, B2
	kids                       map[string]float64
	otherKid                   float64
}

const (
	periodFrom = "2025-01-01"
	periodTo   = "2025-03-31"
)

// exec runs SQL on the database, failing the test on error.
func (w *reportWorld) exec(t *testing.T, q string, args ...any) {
	t.Helper()
	if _, err := w.env.DB.Write.Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// lend issues tags to a child and dates the loan.
func (w *reportWorld) lend(t *testing.T, child float64, at string, tags ...string) float64 {
	t.Helper()
	l := w.must(t, w.store, "POST", "/api/v1/loans", map[string]any{"child_id": child, "tags": tags, "location": "home", "recipient": "Pat"}, 201)
	id := l["id"].(float64)
	w.exec(t, `UPDATE loans SET issued_at = ? WHERE id = ?`, at, id)
	return id
}

// giveBack books a tag in from a loan, dates the return and makes the item available again.
func (w *reportWorld) giveBack(t *testing.T, loan float64, tag, at string) {
	t.Helper()
	w.must(t, w.store, "POST", fmt.Sprintf("/api/v1/loans/%v/return", loan), map[string]any{"items": []map[string]string{{"tag": tag, "condition": "good"}}}, 200)
	w.exec(t, `UPDATE loan_items SET returned_at = ? WHERE loan_id = ? AND item_id = (SELECT id FROM items WHERE tag = ?)`, at, loan, tag)
	w.must(t, w.store, "POST", "/api/v1/items/"+tag+"/actions", map[string]any{"action": "inspect_pass"}, 200)
}

// request asks for grips for a child, issues them against the request and dates both.
func (w *reportWorld) request(t *testing.T, child float64, priority, created, fulfilled, issuedOn string, qty int) {
	t.Helper()
	r := w.must(t, w.ot, "POST", "/api/v1/requests", map[string]any{"child_id": child, "product_id": w.grip, "quantity": qty,
		"priority": priority, "deliver_to": "home", "reason": "Grip for handwriting"}, 201)
	iss := w.must(t, w.store, "POST", "/api/v1/consumables/issue", map[string]any{"product_id": w.grip, "child_id": child, "quantity": qty, "request_id": r["id"]}, 201)
	w.exec(t, `UPDATE requests SET created_at = ?, fulfilled_at = ? WHERE id = ?`, created, fulfilled, r["id"])
	w.exec(t, `UPDATE consumable_issues SET issued_on = ? WHERE id = ?`, issuedOn, iss["id"])
}

func newReportWorld(t *testing.T) *reportWorld {
	t.Helper()
	w := &reportWorld{world: newWorld(t, 0), kids: map[string]float64{}}
	w.admin = w.env.Token(w.env.User("admin", "admin@test", "Ada Admin"))
	w.viewer = w.env.Token(w.env.User("viewer", "viewer@test", "Vic Viewer"))
	no := false
	// The world's chair and grip: give them costs (and the chair no cleaning, so a return
	// goes straight to inspection); the grip's reorder level is above its stock.
	w.must(t, w.store, "PATCH", fmt.Sprintf("/api/v1/products/%v", w.chair), map[string]any{"name": "Classroom chair", "category": "Seating",
		"kind": "returnable", "unit_cost_pence": 10000, "needs_decontamination": no}, 200)
	w.must(t, w.store, "PATCH", fmt.Sprintf("/api/v1/products/%v", w.grip), map[string]any{"name": "Pencil grip", "category": "Grips",
		"kind": "consumable", "stock": 10, "unit_cost_pence": 150, "reorder_level": 12}, 200)
	w.bath = w.must(t, w.store, "POST", "/api/v1/products", map[string]any{"name": "Bath seat", "category": "Bathing & toileting",
		"kind": "returnable", "unit_cost_pence": 5000, "needs_decontamination": no}, 201)["id"].(float64)
	w.slope = w.must(t, w.store, "POST", "/api/v1/products", map[string]any{"name": "Writing slope", "category": "Writing aids", "kind": "returnable"}, 201)["id"].(float64)
	w.cutlery = w.must(t, w.store, "POST", "/api/v1/products", map[string]any{"name": "Cutlery set", "category": "Cutlery", "kind": "consumable",
		"unit_cost_pence": 800}, 201)["id"].(float64)
	w.foam = w.must(t, w.store, "POST", "/api/v1/products", map[string]any{"name": "Foam tubing", "category": "Grips", "kind": "consumable",
		"stock": 3, "reorder_level": 2}, 201)["id"].(float64)
	for range 4 {
		w.chairs = append(w.chairs, w.must(t, w.store, "POST", "/api/v1/items", map[string]any{"product_id": w.chair}, 201)["tag"].(string))
	}
	for range 2 {
		w.baths = append(w.baths, w.must(t, w.store, "POST", "/api/v1/items", map[string]any{"product_id": w.bath}, 201)["tag"].(string))
	}
	w.must(t, w.store, "POST", "/api/v1/items", map[string]any{"product_id": w.slope}, 201)
	w.must(t, w.store, "POST", "/api/v1/items/"+w.baths[1]+"/actions", map[string]any{"action": "retire"}, 200)
	for _, name := range []string{"Amy Adams", "Ben Brown", "Cal Cole"} {
		w.kids[name] = w.child(t, w.ot, name)
	}
	w.otherKid = w.child(t, w.other, "Dot Other")
	a, b, c := w.kids["Amy Adams"], w.kids["Ben Brown"], w.kids["Cal Cole"]
	c1, c2, c3, c4, b1 := w.chairs[0], w.chairs[1], w.chairs[2], w.chairs[3], w.baths[0]

	// Before the period: C4 lent and back.
	l0 := w.lend(t, b, "2024-12-10T10:00:00Z", c4)
	w.giveBack(t, l0, c4, "2024-12-20T10:00:00Z")
	// January: L1 lends C1 and B1 to Amy, L2 lends C2 to Ben; C1 comes back.
	l1 := w.lend(t, a, "2025-01-06T10:00:00Z", c1, b1)
	l2 := w.lend(t, b, "2025-01-15T10:00:00Z", c2)
	w.giveBack(t, l1, c1, "2025-01-20T10:00:00Z")
	// February: L3 lends C3 to Amy; B1 and C2 come back; L4 lends C1 again, to Ben.
	w.lend(t, a, "2025-02-03T10:00:00Z", c3)
	w.giveBack(t, l1, b1, "2025-02-10T10:00:00Z")
	w.giveBack(t, l2, c2, "2025-02-12T10:00:00Z")
	w.lend(t, b, "2025-02-14T10:00:00Z", c1)
	// March: L6 lends C2 again, to Cal. After the period, L5 lends B1 again.
	w.lend(t, c, "2025-03-03T10:00:00Z", c2)
	w.lend(t, c, "2025-04-10T10:00:00Z", b1)

	// Requests fulfilled (working days from request to issue, Monday to Friday):
	w.request(t, a, "urgent", "2025-01-06T09:00:00Z", "2025-01-08T15:00:00Z", "2025-01-08", 1)   // Mon → Wed: 2, within 2
	w.request(t, b, "urgent", "2025-01-10T09:00:00Z", "2025-01-15T15:00:00Z", "2025-01-15", 1)   // Fri → Wed: 3, past 2
	w.request(t, c, "standard", "2025-02-03T09:00:00Z", "2025-02-10T15:00:00Z", "2025-02-10", 2) // Mon → Mon: 5, within 7
	w.request(t, a, "standard", "2025-03-03T09:00:00Z", "2025-03-14T15:00:00Z", "2025-03-14", 1) // Mon → Fri next week: 9, past 7
	w.request(t, b, "standard", "2025-03-25T09:00:00Z", "2025-04-02T15:00:00Z", "2025-04-02", 1) // fulfilled after the period
	// A cancelled request, and two open ones: one waiting since January, one new.
	r := w.must(t, w.ot, "POST", "/api/v1/requests", map[string]any{"child_id": c, "product_id": w.chair, "priority": "standard", "deliver_to": "home", "reason": "x"}, 201)
	w.must(t, w.ot, "POST", fmt.Sprintf("/api/v1/requests/%v/cancel", r["id"]), map[string]any{}, 200)
	r = w.must(t, w.ot, "POST", "/api/v1/requests", map[string]any{"child_id": a, "product_id": w.bath, "priority": "urgent", "deliver_to": "home", "reason": "Bathing"}, 201)
	w.exec(t, `UPDATE requests SET created_at = ? WHERE id = ?`, "2025-01-06T09:00:00Z", r["id"])
	w.must(t, w.ot, "POST", "/api/v1/requests", map[string]any{"child_id": b, "product_id": w.slope, "priority": "standard", "deliver_to": "school", "reason": "Writing"}, 201)
	return w
}

func num(v any) float64 {
	f, _ := v.(float64)
	return f
}

func TestReportFiguresOfAKnownQuarter(t *testing.T) {
	w := newReportWorld(t)
	f := w.must(t, w.viewer, "GET", "/api/v1/reports?from="+periodFrom+"&to="+periodTo, nil, 200)
	want := map[string]any{
		"from": periodFrom, "to": periodTo,
		// L1 (2 items), L2, L3, L4, L6: five loans, six items. L0 and L5 fall outside.
		"loans_issued": 5.0, "items_issued": 6.0,
		// C1 (Jan), B1 and C2 (Feb) came back; C1 and C2 went out again by 31 March, B1
		// only in April: 2 of 3.
		"items_returned": 3.0, "returned_reissued": 2.0, "recycling_rate_percent": 2.0 * 100 / 3,
		// Grips issued on dates in the period: 1 + 1 + 2 + 1.
		"consumables_issued": 5.0,
		// Four requests fulfilled in the period taking 2, 3, 5 and 9 working days; the
		// urgent 2 and the standard 5 are within target. Median of 2, 3, 5, 9: 4.
		"requests_delivered": 4.0, "requests_within_target": 2.0, "within_target_percent": 50.0, "median_working_days": 4.0,
	}
	for k, v := range want {
		if f[k] != v {
			t.Errorf("%s = %v, want %v", k, f[k], v)
		}
	}
	pr := f["by_priority"].([]any)
	if fmt.Sprint(pr) != "[map[delivered:2 priority:urgent target_days:2 within_target:1] map[delivered:2 priority:standard target_days:7 within_target:1]]" {
		t.Errorf("by priority: %v", pr)
	}
	cats := map[string]string{}
	for _, c := range f["loans_by_category"].([]any) {
		m := c.(map[string]any)
		cats[m["category"].(string)] = fmt.Sprintf("%v/%v", m["loans"], m["items"])
	}
	if len(cats) != 8 || cats["Seating"] != "5/5" || cats["Bathing & toileting"] != "1/1" || cats["Grips"] != "0/0" || cats["Writing aids"] != "0/0" {
		t.Errorf("loans by category (loans/items): %v", cats)
	}
	var months []string
	for _, m := range f["months"].([]any) {
		mm := m.(map[string]any)
		months = append(months, fmt.Sprintf("%v %v/%v/%v/%v %v", mm["month"], mm["loans_issued"], mm["items_issued"], mm["items_returned"],
			mm["returned_reissued"], mm["recycling_rate_percent"]))
	}
	if got := strings.Join(months, "; "); got != "2025-01 2/3/1/1 100; 2025-02 2/2/2/1 50; 2025-03 1/1/0/0 <nil>" {
		t.Errorf("months (loans/items/returned/again rate): %s", got)
	}
	// Today: chairs C1–C4 at £100 and bath seat B1 at £50 (B2 retired; the writing slope has
	// no cost); 4 grips left at £1.50 (foam tubing has no cost).
	sv := f["stock_value"].(map[string]any)
	if fmt.Sprint(sv) != "map[consumables_pence:600 consumables_without_cost:1 items_pence:45000 items_without_cost:1 total_pence:45600]" {
		t.Errorf("stock value: %v", sv)
	}
	var reorder []string
	for _, r := range f["reorder"].([]any) {
		m := r.(map[string]any)
		reorder = append(reorder, fmt.Sprintf("%v %v/%v", m["name"], m["stock"], m["reorder_level"]))
	}
	if got := strings.Join(reorder, ", "); got != "Cutlery set 0/0, Pencil grip 4/12" {
		t.Errorf("reorder: %s", got)
	}

	// A period of one month counts only its own days, and a re-issue after it does not count.
	jan := w.must(t, w.admin, "GET", "/api/v1/reports?from=2025-01-01&to=2025-01-31", nil, 200)
	if jan["items_issued"] != 3.0 || jan["items_returned"] != 1.0 || jan["returned_reissued"] != 0.0 || jan["recycling_rate_percent"] != 0.0 ||
		jan["requests_delivered"] != 2.0 || jan["median_working_days"] != 2.5 {
		t.Errorf("January alone: %v", jan)
	}
	// Nothing in the period: the rates are none, not 0%.
	empty := w.must(t, w.admin, "GET", "/api/v1/reports?from=2020-01-01&to=2020-01-31", nil, 200)
	if empty["recycling_rate_percent"] != nil || empty["within_target_percent"] != nil || empty["median_working_days"] != nil || empty["items_issued"] != 0.0 {
		t.Errorf("empty period: %v", empty)
	}
	// Bad periods name the field; a therapist has no reports.
	for q, field := range map[string]string{"from=2025-13-01": "from", "from=2025-03-01&to=2025-02-01": "to", "from=2015-01-01&to=2025-01-01": "to"} {
		e := w.must(t, w.admin, "GET", "/api/v1/reports?"+q, nil, 422)
		if e["error"].(map[string]any)["fields"].(map[string]any)[field] == nil {
			t.Errorf("%s: %v", q, e)
		}
	}
	w.must(t, w.ot, "GET", "/api/v1/reports", nil, 403)
	// The default period is the last 12 months, whole months to today.
	def := w.must(t, w.viewer, "GET", "/api/v1/reports", nil, 200)
	if len(def["months"].([]any)) != 12 || !strings.HasSuffix(def["from"].(string), "-01") {
		t.Errorf("default period: %v to %v, %d months", def["from"], def["to"], len(def["months"].([]any)))
	}
}

func TestReportsPageAndHomeCards(t *testing.T) {
	w := newReportWorld(t)
	b := w.env.Browser()
	b.Login("viewer@test", webtest.Password)
	r := b.Get("/reports?from=" + periodFrom + "&to=" + periodTo)
	for _, s := range []string{"1 Jan 2025 to 31 Mar 2025", "66.7%", `<span class="big">4</span> <span class="figure-label">working days from request to issue (median)`, "£456.00", "50.0%",
		`role="img"`, `<title id="chart-loans-title">Loans a month</title>`, `<title id="chart-recycling-title">Recycling rate by month</title>`,
		`<title id="chart-categories-title">Loans by category</title>`, "<desc id=\"chart-loans-desc\">Bar chart of the loans issued in each month from Jan 2025 to Mar 2025, 5 in all",
		"<th scope=\"row\">Feb 2025</th><td class=\"num\">2</td><td class=\"num\">1</td><td class=\"num\">50.0%</td>", "Cutlery set"} {
		if !strings.Contains(r.Body, s) {
			t.Errorf("reports page lacks %q", s)
		}
	}
	if r.Status != 200 || strings.Contains(r.Body, " style=") || strings.Contains(r.Body, "<script>") {
		t.Fatalf("reports page: %d, or inline style or script", r.Status)
	}
	// A wrong date: the message beside the field, what was typed kept, and the default figures.
	r = b.Get("/reports?from=2025-02-30&to=" + periodTo)
	if r.Status != 422 || !strings.Contains(r.Body, `href="#f-from"`) || !strings.Contains(r.Body, `value="2025-02-30"`) {
		t.Fatalf("bad date: %d %.1500s", r.Status, r.Body)
	}
	// The manager's home shows the figures of the last 12 months.
	if r := b.Get("/"); !strings.Contains(r.Body, "The last 12 months") || !strings.Contains(r.Body, "recycling rate") || strings.Contains(r.Body, "Reports will appear here") {
		t.Errorf("viewer home: %.2000s", r.Body)
	}
	// The store's home counts what is waiting.
	w.env.User("store", "desk@test", "Dee Desk")
	sb := w.env.Browser()
	sb.Login("desk@test", webtest.Password)
	home := sb.Get("/")
	for _, s := range []string{"2</span> open requests", "1</span> request past its target", "4</span> unsigned agreements to chase", "2</span> consumables to reorder"} {
		if !strings.Contains(home.Body, s) {
			t.Errorf("store home lacks %q", s)
		}
	}
	if strings.Contains(home.Body, "The last 12 months") {
		t.Error("the store's home shows the managers' figures")
	}
	// A therapist's home keeps their own cards and offers their children's records.
	tb := w.env.Browser()
	tb.Login("ot@test", webtest.Password)
	if r := tb.Get("/"); !strings.Contains(r.Body, "children on your caseload") || !strings.Contains(r.Body, `href="/exports"`) {
		t.Errorf("therapist home: %.2000s", r.Body)
	}
	if r := tb.Get("/reports"); r.Status != 403 {
		t.Errorf("therapist /reports: %d", r.Status)
	}
}

// readCSV parses an export, dropping a leading byte-order mark.
func readCSV(t *testing.T, body string) [][]string {
	t.Helper()
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatalf("not CSV: %v: %.300s", err, body)
	}
	return rows
}

func column(t *testing.T, rows [][]string, name string) []string {
	t.Helper()
	i := -1
	for j, h := range rows[0] {
		if h == name {
			i = j
		}
	}
	if i < 0 {
		t.Fatalf("no column %s in %v", name, rows[0])
	}
	var out []string
	for _, r := range rows[1:] {
		out = append(out, r[i])
	}
	return out
}

func TestExportsAreScopedByRole(t *testing.T) {
	w := newReportWorld(t)
	// A therapist's children export holds their children and no one else's.
	r := w.env.API(w.ot, "GET", "/api/v1/exports/children.csv", nil)
	if r.Status != 200 || r.Header.Get("Content-Type") != "text/csv; charset=utf-8" || !strings.Contains(r.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("therapist children export: %d %v", r.Status, r.Header)
	}
	if strings.HasPrefix(r.Body, "\ufeff") {
		t.Error("the API's CSV starts with a byte-order mark")
	}
	rows := readCSV(t, r.Body)
	if got := strings.Join(column(t, rows, "given_name"), ","); got != "Amy,Ben,Cal" {
		t.Errorf("therapist's children: %s", got)
	}
	if got := column(t, rows, "carers")[0]; got != "Pat Adams (mother) 07700 900123" {
		t.Errorf("carers: %q", got)
	}
	if got := strings.Join(column(t, rows, "items_on_loan"), ","); got != "1,1,2" {
		t.Errorf("items on loan: %s", got)
	}
	// The store gets every child; the other therapist only theirs; a viewer none.
	if rows := readCSV(t, w.env.API(w.store, "GET", "/api/v1/exports/children.csv", nil).Body); len(rows) != 5 {
		t.Errorf("store children export has %d rows", len(rows)-1)
	}
	if got := strings.Join(column(t, readCSV(t, w.env.API(w.other, "GET", "/api/v1/exports/children.csv", nil).Body), "given_name"), ","); got != "Dot" {
		t.Errorf("other therapist's children: %s", got)
	}
	w.must(t, w.viewer, "GET", "/api/v1/exports/children.csv", nil, 403)
	w.must(t, w.viewer, "GET", "/api/v1/exports/loans.csv", nil, 403)
	// Loans: a row an item on a loan (L0, L1 with two, L2, L3, L4, L5, L6), the therapist's
	// own only (Dot has none).
	loans := readCSV(t, w.env.API(w.ot, "GET", "/api/v1/exports/loans.csv", nil).Body)
	if len(loans) != 9 || len(readCSV(t, w.env.API(w.other, "GET", "/api/v1/exports/loans.csv", nil).Body)) != 1 {
		t.Errorf("loans export: %d rows for the therapist", len(loans)-1)
	}
	// Items, products and maintenance records are anyone's.
	for _, tok := range []string{w.viewer, w.ot, w.store} {
		if rows := readCSV(t, w.env.API(tok, "GET", "/api/v1/exports/items.csv", nil).Body); len(rows) != 8 {
			t.Errorf("items export: %d rows", len(rows)-1)
		}
		if r := w.env.API(tok, "GET", "/api/v1/exports/maintenance.csv", nil); r.Status != 200 || len(readCSV(t, r.Body)) != 1 {
			t.Errorf("maintenance export: %d %.200s", r.Status, r.Body)
		}
	}
	products := readCSV(t, w.env.API(w.viewer, "GET", "/api/v1/exports/products.csv", nil).Body)
	if got := strings.Join(column(t, products, "name"), ","); got != "Classroom chair,Pencil grip,Bath seat,Writing slope,Cutlery set,Foam tubing" {
		t.Errorf("products: %s", got)
	}
	// The whole service is for admins only.
	w.must(t, w.store, "GET", "/api/v1/exports/all.zip", nil, 403)
	w.must(t, w.viewer, "GET", "/api/v1/exports/all.zip", nil, 403)
	if r := w.env.API(w.admin, "GET", "/api/v1/exports/all.zip", nil); r.Status != 200 || r.Header.Get("Content-Type") != "application/zip" || !strings.HasPrefix(r.Body, "PK") {
		t.Errorf("admin full export: %d %v", r.Status, r.Header)
	}
	// Each export naming children is in the history, with who took it.
	var n int
	w.env.DB.Read.QueryRow(`SELECT count(*) FROM events WHERE entity = 'export' AND actor = 'Olu Therapist'`).Scan(&n)
	if n != 2 {
		t.Errorf("%d exports by the therapist recorded, want 2", n)
	}
	// From a page, the download starts with a byte-order mark so spreadsheets read Zoë.
	b := w.env.Browser()
	b.Login("ot@test", webtest.Password)
	page := b.Get("/exports")
	if !strings.Contains(page.Body, `href="/exports/children.csv"`) || strings.Contains(page.Body, "all.zip") {
		t.Errorf("therapist's exports page: %.1500s", page.Body)
	}
	if r := b.Get("/exports/children.csv"); !strings.HasPrefix(r.Body, "\ufefftag") && !strings.HasPrefix(r.Body, "\ufeffid,reference") {
		t.Errorf("page download: %.60q", r.Body)
	}
	if r := b.Get("/exports/all.zip"); r.Status != 403 {
		t.Errorf("therapist full export: %d", r.Status)
	}
}

// upload posts the import form with a file, as the signed-in browser.
func upload(t *testing.T, env *webtest.Env, b *webtest.Browser, fields map[string]string, file string) webtest.Response {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fields["csrf_token"] = b.CSRF
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	if file != "" {
		fw, _ := mw.CreateFormFile("file", "catalogue.csv")
		io.WriteString(fw, file)
	}
	mw.Close()
	u, _ := url.Parse(env.HTTP.URL)
	jar, _ := cookiejar.New(nil)
	jar.SetCookies(u, b.Cookies(u))
	req, _ := http.NewRequest(http.MethodPost, env.HTTP.URL+"/imports", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	res, err := (&http.Client{Jar: jar}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	rb, _ := io.ReadAll(res.Body)
	return webtest.Response{Status: res.StatusCode, Header: res.Header, Body: string(rb), URL: res.Request.URL.String()}
}

func TestImportPageChecksThenImports(t *testing.T) {
	env := webtest.New(t)
	env.User("store", "desk@test", "Dee Desk")
	b := env.Browser()
	b.Login("desk@test", webtest.Password)
	if r := b.Get("/imports"); r.Status != 200 || !strings.Contains(r.Body, "Check the file") {
		t.Fatalf("import page: %d", r.Status)
	}
	count := func() (n int) {
		env.DB.Read.QueryRow(`SELECT count(*) FROM products`).Scan(&n)
		return n
	}
	// No file, no kind: both named.
	r := upload(t, env, b, map[string]string{"action": "check"}, "")
	if r.Status != 422 || !strings.Contains(r.Body, `href="#f-file"`) || !strings.Contains(r.Body, `href="#f-kind"`) {
		t.Fatalf("nothing chosen: %d %.1500s", r.Status, r.Body)
	}
	// Bad rows: each listed with its line and column; nothing imported.
	bad := "name,category,kind,stock\nChair,Seating,returnable,1\n,Seating,returnable,\nGrip,Nowhere,consumable,lots\n"
	r = upload(t, env, b, map[string]string{"action": "check", "kind": "products"}, bad)
	for _, s := range []string{"<td data-label=\"Line\">3</td><td data-label=\"Column\">name</td><td data-label=\"Problem\">is required</td>",
		"<td data-label=\"Line\">4</td><td data-label=\"Column\">stock</td><td data-label=\"Problem\">must be a whole number, like 12</td>",
		"2 rows have problems"} {
		if !strings.Contains(r.Body, s) {
			t.Errorf("bad file page lacks %q", s)
		}
	}
	if r.Status != 422 || count() != 0 {
		t.Fatalf("bad file: %d, %d products", r.Status, count())
	}
	// A good file: checked, nothing imported yet, then imported from the confirmation.
	good := "name,category,kind,stock\nChair,Seating,returnable,\n\"Grip, \"\"triangular\"\"\",Grips,consumable,40\n"
	r = upload(t, env, b, map[string]string{"action": "check", "kind": "products"}, good)
	if r.Status != 200 || !strings.Contains(r.Body, "catalogue.csv: all 2 products are ready to import") || !strings.Contains(r.Body, "Import 2 products") || count() != 0 {
		t.Fatalf("check: %d, %d products: %.1500s", r.Status, count(), r.Body)
	}
	// The confirmation carries the checked file, as the browser will send it back.
	m := regexp.MustCompile(`name="csv" value="([^"]*)"`).FindStringSubmatch(r.Body)
	if m == nil || html.UnescapeString(m[1]) != good {
		t.Fatalf("the confirmation does not carry the file: %v", m)
	}
	r = upload(t, env, b, map[string]string{"action": "import", "kind": "products", "csv": html.UnescapeString(m[1])}, "")
	if r.Status != 200 || !strings.Contains(r.Body, "2 products imported") || count() != 2 {
		t.Fatalf("import: %d, %d products: %.1500s", r.Status, count(), r.Body)
	}
	var name string
	env.DB.Read.QueryRow(`SELECT name FROM products WHERE kind = 'consumable'`).Scan(&name)
	if name != `Grip, "triangular"` {
		t.Errorf("quoted name: %q", name)
	}
	// A therapist cannot import.
	env.User("therapist", "ot@test", "Olu")
	tb := env.Browser()
	tb.Login("ot@test", webtest.Password)
	if r := tb.Get("/imports"); r.Status != 403 {
		t.Errorf("therapist import page: %d", r.Status)
	}
}
