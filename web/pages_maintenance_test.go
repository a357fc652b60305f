package web_test

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"kitloan/inventory"
)

// The pages of issue 6, walked through their real forms: the after-return queues,
// recording maintenance, the service-due lists, retiring and recalls.

// checklistOf is the inspection checklist of an item's category.
func (w *world) checklistOf(t *testing.T, tag string) []string {
	t.Helper()
	points, err := w.env.Server.Inventory.Checklist(context.Background(), tag)
	if err != nil || len(points) < 2 {
		t.Fatalf("checklist of %s: %v %v", tag, points, err)
	}
	return points
}

// maintenanceForm is the record-maintenance form filled in, with every checklist point
// marked ok except those named as faults.
func maintenanceForm(kind, outcome string, points []string, faults ...string) url.Values {
	f := url.Values{"kind": {kind}, "outcome": {outcome}, "date_performed": {day(0)}}
	for _, p := range points {
		v := "ok"
		for _, x := range faults {
			if x == p {
				v = "fault"
			}
		}
		f.Set("checklist["+p+"]", v)
	}
	return f
}

// between is the text of the page from one marker up to the next (or the end).
func between(t *testing.T, body, from, to string) string {
	t.Helper()
	i := strings.Index(body, from)
	if i < 0 {
		t.Fatalf("the page has no %q", from)
	}
	body = body[i:]
	if j := strings.Index(body, to); to != "" && j >= 0 {
		body = body[:j]
	}
	return mainText(body)
}

// returned lends the tags to a child and books them back in, so they wait for cleaning.
func (w *world) returned(t *testing.T, tags ...string) {
	t.Helper()
	loan := w.onLoan(t, w.child(t, w.ot, "Zoë Adams"), tags...)
	var lines []map[string]any
	for _, tag := range tags {
		lines = append(lines, map[string]any{"tag": tag, "condition": "good"})
	}
	w.must(t, w.store, "POST", fmt.Sprintf("/api/v1/loans/%v/return", loan), map[string]any{"items": lines}, 200)
}

// TestPagesCleaningInspectionAndRepair takes two returned chairs through the queues: one
// is cleaned and passes inspection; the other fails with a fault on the checklist, goes
// into repair and is repaired at a cost.
func TestPagesCleaningInspectionAndRepair(t *testing.T) {
	w := newWorld(t, 2)
	a, b := w.tags[0], w.tags[1]
	w.returned(t, a, b)
	points := w.checklistOf(t, a)
	store := signIn(t, w.env, "store@test")

	r := store.get("/", 200)
	wantText(t, r, "2 waiting for cleaning", "0 waiting for inspection", "0 service overdue")
	r = store.get("/maintenance", 200)
	wantText(t, r, "Waiting for cleaning (2)", "Nothing is waiting for inspection.")
	cleaning := between(t, r.Body, `id="cleaning"`, `id="inspection"`)
	for _, tag := range []string{a, b} {
		if !strings.Contains(cleaning, tag) || !strings.Contains(r.Body, `href="/items/`+tag+`/maintenance/new?kind=decontamination"`) {
			t.Errorf("%s should wait for cleaning with a Record cleaning button: %s", tag, cleaning)
		}
	}

	// Inspecting before cleaning is refused, with the form kept.
	r = store.get("/items/"+b+"/maintenance/new?kind=inspection", 200)
	wantText(t, r, "Record maintenance on "+b, "Returned – awaiting cleaning", points[0], points[1])
	r = store.post("/items/"+b+"/maintenance", maintenanceForm("inspection", "pass", points), http.StatusConflict)
	wantText(t, r, "There is a problem", b+" must be cleaned (decontaminated) before it is inspected.")
	if !regexp.MustCompile(`value="inspection" id="kind-inspection" checked`).MatchString(r.Body) {
		t.Error("the refused form should keep the kind chosen")
	}

	// Clean the first: the one-tap link preselects cleaning, and it passes.
	r = store.get("/items/"+a+"/maintenance/new?kind=decontamination", 200)
	if !strings.Contains(r.Body, `value="decontamination" id="kind-decontamination" checked`) || !strings.Contains(r.Body, `value="pass" id="outcome-pass" checked`) {
		t.Error("the cleaning link should preselect cleaning, passed")
	}
	if !strings.Contains(r.Body, `name="date_performed" type="date" value="`+day(0)+`"`) {
		t.Error("the date performed should default to today")
	}
	r = store.post("/items/"+a+"/maintenance", url.Values{"kind": {"decontamination"}, "outcome": {"pass"}, "date_performed": {day(0)},
		"notes": {"Wiped with Chlor-Clean"}}, 200)
	wantText(t, r, a+" cleaned and waiting for inspection. Next: inspect it.", "Returned – awaiting inspection", "Cleaning (decontamination)", "Wiped with Chlor-Clean")
	r = store.get("/maintenance", 200)
	wantText(t, r, "Waiting for cleaning (1)", "Waiting for inspection (1)")
	if !strings.Contains(between(t, r.Body, `id="inspection"`, `id="overdue"`), a) || !strings.Contains(r.Body, `href="/items/`+a+`/maintenance/new?kind=inspection"`) {
		t.Errorf("%s should wait for inspection with an Inspect button", a)
	}

	// An unfinished checklist is not an inspection.
	half := maintenanceForm("inspection", "pass", points)
	half.Del("checklist[" + points[1] + "]")
	r = store.post("/items/"+a+"/maintenance", half, http.StatusUnprocessableEntity)
	wantText(t, r, "Checklist is not finished: mark every point ok or fault")
	if !strings.Contains(r.Body, `href="#f-checklist"`) || !strings.Contains(r.Body, `name="checklist[`+points[0]+`]" value="ok" id="check-1-ok" checked`) {
		t.Error("the error should link to the checklist, and the points marked should stay marked")
	}
	r = store.post("/items/"+a+"/maintenance", maintenanceForm("inspection", "pass", points), 200)
	wantText(t, r, a+" passed inspection and is available again.", "Available")
	maint := between(t, r.Body, `id="maintenance"`, "<h2>History")
	if i, j := strings.Index(maint, "Inspection Passed"), strings.Index(maint, "Cleaning (decontamination) Passed"); i < 0 || j < 0 || i > j {
		t.Errorf("the item's maintenance should list the inspection, then the cleaning (newest first): %s", maint)
	}
	wantText(t, r, fmt.Sprintf("%d of %d checklist points ok", len(points), len(points)))

	// The second is cleaned and fails inspection on the checklist: in repair.
	store.post("/items/"+b+"/maintenance", url.Values{"kind": {"decontamination"}, "outcome": {"pass"}, "date_performed": {day(0)}}, 200)
	r = store.post("/items/"+b+"/maintenance", maintenanceForm("inspection", "pass", points, points[1]), http.StatusUnprocessableEntity)
	wantText(t, r, "Outcome cannot pass with a fault on the checklist")
	r = store.post("/items/"+b+"/maintenance", maintenanceForm("inspection", "fail", points, points[1]), 200)
	wantText(t, r, b+" failed inspection and is in repair: fault recorded.", "In repair", "Faults: "+points[1])

	// The repair form is preselected for an item in repair; the cost is in pounds.
	r = store.get("/items/"+b+"/maintenance/new", 200)
	if !strings.Contains(r.Body, `value="repair" id="kind-repair" checked`) {
		t.Error("an item in repair should get the repair form")
	}
	repair := url.Values{"kind": {"repair"}, "outcome": {"repaired"}, "date_performed": {day(0)}, "parts": {"Brake pad"}, "cost": {"12.5.0"}}
	r = store.post("/items/"+b+"/maintenance", repair, http.StatusUnprocessableEntity)
	wantText(t, r, "Cost must be an amount in pounds, like 12.50")
	if !strings.Contains(r.Body, `value="12.5.0"`) || !strings.Contains(r.Body, `value="Brake pad"`) {
		t.Error("the refused form should keep what was typed")
	}
	repair.Set("cost", "£12.50")
	r = store.post("/items/"+b+"/maintenance", repair, 200)
	wantText(t, r, b+" repaired and available again.", "Available", "Parts: Brake pad.", "Cost £12.50.")
	recs := w.must(t, w.store, "GET", "/api/v1/items/"+b+"/maintenance", nil, 200)["results"].([]any)
	if len(recs) != 3 || recs[0].(map[string]any)["cost_pence"] != float64(1250) {
		t.Errorf("the repair should be recorded with a cost of 1250 pence: %v", recs)
	}

	r = store.get("/maintenance", 200)
	wantText(t, r, "Nothing is waiting for cleaning.", "Nothing is waiting for inspection.")
}

// TestPagesMaintenanceFormErrors: a date in the future, and nothing chosen, come back with
// the messages beside their fields and what was typed kept.
func TestPagesMaintenanceFormErrors(t *testing.T) {
	w := newWorld(t, 1)
	store := signIn(t, w.env, "store@test")
	r := store.get("/items/"+w.tags[0]+"/maintenance/new", 200)
	if strings.Contains(r.Body, ` checked`) {
		t.Error("an available item's form should preselect nothing")
	}
	r = store.post("/items/"+w.tags[0]+"/maintenance", url.Values{"kind": {"service"}, "outcome": {"pass"}, "date_performed": {day(1)}, "notes": {"Annual service"}},
		http.StatusUnprocessableEntity)
	wantText(t, r, "There is a problem", "Date performed must be today or earlier: record work once it is done")
	if !strings.Contains(r.Body, `href="#f-date_performed"`) || !regexp.MustCompile(`(?s)form-group-error">\s*<label for="f-date_performed">.*?must be today or earlier.*?<input id="f-date_performed"`).MatchString(r.Body) {
		t.Errorf("the summary should link to the date and the message stand beside it: %s", r.Body)
	}
	for _, kept := range []string{`value="` + day(1) + `"`, `>Annual service</textarea>`, `value="service" id="kind-service" checked`} {
		if !strings.Contains(r.Body, kept) {
			t.Errorf("the form should keep %s", kept)
		}
	}
	r = store.post("/items/"+w.tags[0]+"/maintenance", url.Values{"date_performed": {day(0)}, "cost": {"lots"}}, http.StatusUnprocessableEntity)
	wantText(t, r, "What was done is not chosen", "Outcome is not chosen", "Cost must be an amount in pounds")
	for _, link := range []string{"#f-what_was_done", "#f-outcome", "#f-cost"} {
		if !strings.Contains(r.Body, `href="`+link+`"`) || !strings.Contains(r.Body, `id="`+link[1:]+`"`) {
			t.Errorf("the error summary should link to %s", link)
		}
	}
	if s := w.itemStatus(t, w.tags[0]); s != "available" {
		t.Errorf("a refused form changed the item: %s", s)
	}
	store.get("/items/KL-999999/maintenance/new", 404)
}

// TestPagesServiceDueLists checks the due lists against a small dataset whose answers are
// known: overdue and due soon, in the store and on loan with the child to visit.
func TestPagesServiceDueLists(t *testing.T) {
	w := newWorld(t, 5)
	w.onLoan(t, w.child(t, w.ot, "Zoë Adams"), w.tags[3])
	w.onLoan(t, w.child(t, w.ot, "Ali Brown"), w.tags[4])
	due := map[string]string{w.tags[0]: day(-5), w.tags[1]: day(10), w.tags[2]: day(40), w.tags[3]: day(20), w.tags[4]: day(-3)}
	for tag, d := range due {
		if _, err := w.env.DB.Write.Exec(`UPDATE items SET next_service_due = ? WHERE tag = ?`, d, tag); err != nil {
			t.Fatal(err)
		}
	}
	store := signIn(t, w.env, "store@test")
	r := store.get("/maintenance", 200)
	if css := w.env.API("", "GET", "/static/style.css", nil).Body; !strings.Contains(css, ".print-heading") || !strings.Contains(css, "@media print") {
		t.Error("the maintenance page should have a print stylesheet for the visit list")
	}
	sections := map[string]string{
		"overdue in the store": between(t, r.Body, `id="overdue"`, "<h3>On loan"),
		"overdue on loan":      between(t, between2(r.Body, `id="overdue"`), "<h3>On loan", `id="due"`),
		"due in the store":     between(t, r.Body, `id="due"`, "<h3>On loan"),
		"due on loan":          between(t, between2(r.Body, `id="due"`), "<h3>On loan", ""),
	}
	want := map[string][]string{
		"overdue in the store": {w.tags[0], "Classroom chair", "Available", "Record service"},
		"overdue on loan":      {w.tags[4], "Ali Brown", "Home", "1 Fictional Road, Testtown", "Pat Brown 07700 900123", "L-000002"},
		"due in the store":     {w.tags[1]},
		"due on loan":          {w.tags[3], "Zoë Adams", "Pat Adams 07700 900123", "L-000001"},
	}
	for name, text := range sections {
		for _, s := range want[name] {
			if !strings.Contains(text, s) {
				t.Errorf("%s should show %q: %s", name, s, text)
			}
		}
		for _, tag := range w.tags {
			if !slicesContain(want[name], tag) && strings.Contains(text, tag) {
				t.Errorf("%s should not list %s: %s", name, tag, text)
			}
		}
	}
	if strings.Contains(mainText(r.Body), w.tags[2]) {
		t.Errorf("%s is due in 40 days and should not be listed", w.tags[2])
	}
	wantText(t, r, "Service overdue (2)", "Service due in the next 30 days (2)")
	r = store.get("/", 200)
	wantText(t, r, "2 service overdue")
}

// TestPagesServiceDueOnLoanWithoutItsLoanLine: an item on loan by its status whose loan
// line is closed, as data imported or repaired by hand can leave it, is still listed to
// visit, with "–" for the holder nobody can name, on the page and on the visit list.
func TestPagesServiceDueOnLoanWithoutItsLoanLine(t *testing.T) {
	w := newWorld(t, 2)
	w.onLoan(t, w.child(t, w.ot, "Zoë Adams"), w.tags...)
	if _, err := w.env.DB.Write.Exec(`UPDATE items SET next_service_due = ? WHERE tag IN (?, ?)`, day(-3), w.tags[0], w.tags[1]); err != nil {
		t.Fatal(err)
	}
	if _, err := w.env.DB.Write.Exec(`UPDATE loan_items SET returned_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')
		WHERE item_id = (SELECT id FROM items WHERE tag = ?)`, w.tags[0]); err != nil {
		t.Fatal(err)
	}
	if status := w.itemStatus(t, w.tags[0]); status != "on_loan" {
		t.Fatalf("%s is %s, want on_loan", w.tags[0], status)
	}
	// row is the text of the table row that lists the tag.
	row := func(body, tag string) string {
		for _, tr := range strings.Split(body, "<tr>") {
			if strings.Contains(tr, `href="/items/`+tag+`"`) {
				return mainText(tr)
			}
		}
		t.Fatalf("no row lists %s", tag)
		return ""
	}
	store := signIn(t, w.env, "store@test")
	for _, path := range []string{"/maintenance", "/maintenance?visits=all"} {
		overdueLoan := between2(between2(store.get(path, 200).Body, `id="overdue"`), "<h3>On loan")
		if text := row(overdueLoan, w.tags[0]); !strings.Contains(text, "Classroom chair") || !strings.Contains(text, "– – – –") {
			t.Errorf("%s: the row without a holder should show the item and \"–\" for the holder: %s", path, text)
		}
		if text := row(overdueLoan, w.tags[1]); !strings.Contains(text, "Zoë Adams") || !strings.Contains(text, "L-000001") {
			t.Errorf("%s: the row with its holder should name them: %s", path, text)
		}
	}
}

// TestPagesServiceDueListsStopAt200WithTheCount fills two lists past the page's 200 rows:
// each shows its first 200, soonest date first and in tag order on a day, and says how
// many there are in all. The items on loan link to the visit list, which shows 1,000 of
// them to print and says how many more there are.
func TestPagesServiceDueListsStopAt200WithTheCount(t *testing.T) {
	w := newWorld(t, 0)
	const lent, kept = 1001, 205
	var tags []string
	for n := lent + kept; n > 0; n -= 500 {
		items, err := w.env.Server.Inventory.CreateItems(context.Background(), inventory.ItemInput{ProductID: int64(w.chair), Quantity: min(n, 500)})
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range items {
			tags = append(tags, it.Tag)
		}
	}
	type due struct{ date, tag string }
	var onLoan, inStore []due
	for i, tag := range tags {
		if i < lent {
			onLoan = append(onLoan, due{day(-1 - i/2), tag}) // overdue, two a day
		} else {
			inStore = append(inStore, due{day(i % 31), tag}) // due in the next 30 days
		}
	}
	zoe := w.child(t, w.ot, "Zoë Adams")
	for batch := range slices.Chunk(onLoan, 100) { // a loan takes at most 100 items
		var tags []string
		for _, d := range batch {
			tags = append(tags, d.tag)
		}
		w.onLoan(t, zoe, tags...)
	}
	// Lent first: an item overdue for service cannot be issued.
	for _, d := range append(slices.Clone(onLoan), inStore...) {
		if _, err := w.env.DB.Write.Exec(`UPDATE items SET next_service_due = ? WHERE tag = ?`, d.date, d.tag); err != nil {
			t.Fatal(err)
		}
	}
	inOrder := func(list []due) []string {
		slices.SortFunc(list, func(a, b due) int { return cmp.Or(cmp.Compare(a.date, b.date), cmp.Compare(a.tag, b.tag)) })
		var tags []string
		for _, d := range list {
			tags = append(tags, d.tag)
		}
		return tags
	}
	wantOnLoan, wantInStore := inOrder(onLoan), inOrder(inStore)
	tagLink := regexp.MustCompile(`<a class="tag" href="/items/([^"]+)">`)
	tagsIn := func(html string) []string {
		var tags []string
		for _, m := range tagLink.FindAllStringSubmatch(html, -1) {
			tags = append(tags, m[1])
		}
		return tags
	}
	section := func(body, from, to string) string {
		body = between2(body, from)
		if i := strings.Index(body, to); i >= 0 {
			body = body[:i]
		}
		return body
	}

	store := signIn(t, w.env, "store@test")
	r := store.get("/maintenance", 200)
	wantText(t, r, "Service overdue (1,001)", "Service due in the next 30 days (205)")
	overdueLoan := section(section(r.Body, `id="overdue"`, `id="due"`), "<h3>On loan", "</section>")
	if got := tagsIn(overdueLoan); !slices.Equal(got, wantOnLoan[:200]) {
		t.Errorf("overdue on loan should list the 200 most overdue, in date and tag order: %v", got)
	}
	if text := mainText(overdueLoan); !strings.Contains(text, "Showing the first 200 of 1,001. Open the visit list to print the first 1,000") ||
		!strings.Contains(overdueLoan, `href="/maintenance?visits=all"`) {
		t.Errorf("overdue on loan should say how many there are and link to the visit list: %s", text)
	}
	dueStore := section(section(r.Body, `id="due"`, "</section>"), "<h3>In the store", "<h3>On loan")
	if got := tagsIn(dueStore); !slices.Equal(got, wantInStore[:200]) {
		t.Errorf("due in the store should list the 200 due soonest, in date and tag order: %v", got)
	}
	wantText(t, r, "Showing the first 200 of 205. Work through these, and the rest will show.")
	wantText(t, store.get("/", 200), "1,001 service overdue")

	// The visit list is the items on loan alone, up to 1,000 of each list.
	r = store.get("/maintenance?visits=all", 200)
	wantText(t, r, "Service visit list", "Back to maintenance", "Items on loan due for service: 1,001 overdue and 0 due by",
		"Showing the first 1,000 of 1,001: the visit list stops there so that it prints.",
		"No item on loan is due for service in the next 30 days.")
	if got := tagsIn(section(r.Body, `id="overdue"`, `id="due"`)); !slices.Equal(got, wantOnLoan[:1000]) {
		t.Errorf("the visit list should list the 1,000 most overdue on loan, in order: %d listed", len(got))
	}
	if text := mainText(r.Body); strings.Contains(text, "In the store") || strings.Contains(r.Body, `id="cleaning"`) {
		t.Errorf("the visit list should hold nothing in the store: %s", text)
	}
}

func between2(body, from string) string {
	if i := strings.Index(body, from); i >= 0 {
		return body[i:]
	}
	return ""
}

func slicesContain(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// TestPagesRecall records a recall through its form: the units in the store are
// quarantined, the one on loan is listed with the child; each action is marked done and
// the recall closed.
func TestPagesRecall(t *testing.T) {
	w := newWorld(t, 3)
	w.onLoan(t, w.child(t, w.ot, "Zoë Adams"), w.tags[2])
	store := signIn(t, w.env, "store@test")
	r := store.get("/recalls", 200)
	wantText(t, r, "No recalls have been recorded.")
	r = store.get("/recalls/new", 200)
	wantText(t, r, "Classroom chair – 3 units")
	if strings.Contains(r.Body, "Pencil grip") {
		t.Error("a consumable cannot be recalled by unit and should not be offered")
	}
	r = store.post("/recalls", url.Values{"product_id": {""}, "reference": {"FSN-2026-014"}, "issued_on": {day(-2)}, "what_to_do": {""}}, http.StatusUnprocessableEntity)
	wantText(t, r, "Product is required", "What to do is required")
	if !strings.Contains(r.Body, `value="FSN-2026-014"`) || !strings.Contains(r.Body, `href="#f-what_to_do"`) {
		t.Error("the refused form should keep the reference and link to each field")
	}
	r = store.post("/recalls", url.Values{"product_id": {fmt.Sprint(w.chair)}, "reference": {"FSN-2026-014"}, "issued_on": {day(-2)},
		"what_to_do": {"The seat bolt may shear. Stop using the chair and collect it."}}, 200)
	recall := idOf(t, r)
	wantText(t, r, "Recall FSN-2026-014 recorded against Classroom chair. 2 units in the store quarantined; 1 unit is with children",
		"The seat bolt may shear.", "3 actions open", "Recall letters (PDF)")
	if !strings.Contains(r.Body, `href="/recalls/`+recall+`/letters.pdf"`) {
		t.Error("the recall page should link to the recall letters")
	}
	onLoan := between(t, r.Body, `id="on-loan"`, `id="in-store"`)
	for _, s := range []string{w.tags[2], "On loan", "Zoë Adams", "L-000001", "Home", "Pat Adams 07700 900123", "To do", "Mark " + w.tags[2] + " done"} {
		if !strings.Contains(onLoan, s) {
			t.Errorf("on loan should show %q: %s", s, onLoan)
		}
	}
	inStore := between(t, r.Body, `id="in-store"`, `id="close-heading"`)
	for _, s := range []string{w.tags[0], w.tags[1], "Quarantined", "Available"} {
		if !strings.Contains(inStore, s) {
			t.Errorf("in the store should show %q: %s", s, inStore)
		}
	}
	for _, tag := range w.tags[:2] {
		if s := w.itemStatus(t, tag); s != "quarantined" {
			t.Errorf("%s should be quarantined: %s", tag, s)
		}
	}
	r = store.get("/recalls", 200)
	wantText(t, r, "FSN-2026-014", "3: 2 in the store, 1 on loan", "Open")

	// Closing with actions open is refused; so is marking done with nothing said.
	store.get("/recalls/"+recall, 200)
	r = store.post("/recalls/"+recall+"/close", url.Values{}, http.StatusConflict)
	wantText(t, r, "3 affected items still have an open action")
	r = store.post("/recalls/"+recall+"/done", url.Values{"tag": {w.tags[2]}, "notes": {" "}}, http.StatusUnprocessableEntity)
	field := "what_was_done_to_" + w.tags[2]
	wantText(t, r, "What was done to "+w.tags[2]+" is empty: say what was done")
	if !strings.Contains(r.Body, `href="#f-`+field+`"`) || !strings.Contains(r.Body, `id="f-`+field+`"`) {
		t.Error("the error should link to the item's notes")
	}
	r = store.post("/recalls/"+recall+"/done", url.Values{"tag": {w.tags[2]}, "notes": {"Collected from home, sent back to the maker"}}, 200)
	wantText(t, r, "Action on "+w.tags[2]+" marked done. 2 actions are still open on recall FSN-2026-014.", "Done Collected from home")
	store.post("/recalls/"+recall+"/done", url.Values{"tag": {w.tags[0]}, "notes": {"New bolt fitted"}}, 200)
	r = store.post("/recalls/"+recall+"/done", url.Values{"tag": {w.tags[1]}, "notes": {"New bolt fitted"}}, 200)
	wantText(t, r, "still quarantined: release it or retire it from its page", "Every action on recall FSN-2026-014 is done: close the recall.",
		"Close recall FSN-2026-014")
	r = store.post("/recalls/"+recall+"/close", url.Values{}, 200)
	wantText(t, r, "Recall FSN-2026-014 closed. 2 units are still quarantined: release or retire each one from its page.", "Closed")
	if strings.Contains(r.Body, "/recalls/"+recall+"/done") || strings.Contains(r.Body, "Close recall FSN") {
		t.Error("a closed recall should offer no more actions")
	}
	store.get("/recalls/99", 404)
	store.get("/recalls/x", 404)
}

// TestPagesRecallWithNothingAffected shows the empty states of a recall of a product with no units.
func TestPagesRecallWithNothingAffected(t *testing.T) {
	w := newWorld(t, 0)
	store := signIn(t, w.env, "store@test")
	store.get("/recalls/new", 200)
	r := store.post("/recalls", url.Values{"product_id": {fmt.Sprint(w.chair)}, "reference": {"NatPSA/2026/003"}, "issued_on": {day(0)}, "what_to_do": {"Check the straps."}}, 200)
	wantText(t, r, "No units of it are in the store or on loan, so there is nothing to do: close the recall.",
		"No unit of this product was on loan", "No unit of this product was in the store", "Close recall NatPSA/2026/003")
}

// TestPagesRetireNeedsReason: the item page's Retire button opens a form that asks why.
func TestPagesRetireNeedsReason(t *testing.T) {
	w := newWorld(t, 2)
	tag := w.tags[0]
	store := signIn(t, w.env, "store@test")
	r := store.get("/items/"+tag, 200)
	wantText(t, r, "No maintenance has been recorded for this item.")
	if !strings.Contains(r.Body, `href="/items/`+tag+`/retire">Retire this item</a>`) || !strings.Contains(r.Body, `href="/items/`+tag+`/maintenance/new">Record maintenance</a>`) {
		t.Error("the item page should link to the retire form and the maintenance form")
	}
	r = store.get("/items/"+tag+"/retire", 200)
	wantText(t, r, "Retire "+tag, "A retired item is never lent again.")
	r = store.post("/items/"+tag+"/retire", url.Values{"reason": {"  "}}, http.StatusUnprocessableEntity)
	wantText(t, r, "Reason is empty: say why it is being retired")
	if !regexp.MustCompile(`(?s)form-group-error">\s*<label for="f-reason"`).MatchString(r.Body) {
		t.Error("the message should stand beside the reason")
	}
	if s := w.itemStatus(t, tag); s != "available" {
		t.Fatalf("retire without a reason changed the item: %s", s)
	}
	r = store.post("/items/"+tag+"/retire", url.Values{"reason": {"Beyond economic repair"}}, 200)
	wantText(t, r, tag+" retired: it will not be lent again.", "Retired", "note: Beyond economic repair")
	store.get("/items/"+tag+"/retire", http.StatusConflict)

	// The bare action, without a reason, goes to the form instead.
	store.get("/items/"+w.tags[1], 200)
	r = store.post("/items/"+w.tags[1]+"/actions", url.Values{"action": {"retire"}}, 200)
	if !strings.HasSuffix(r.URL, "/items/"+w.tags[1]+"/retire") {
		t.Errorf("retire without a reason should open the retire form, not %s", r.URL)
	}
	if s := w.itemStatus(t, w.tags[1]); s != "available" {
		t.Errorf("retire without a reason changed the item: %s", s)
	}
}

// TestPagesMaintenanceForStaffOnly: a therapist gets 403 on every page of issue 6, and
// their home page has no maintenance cards.
func TestPagesMaintenanceForStaffOnly(t *testing.T) {
	w := newWorld(t, 1)
	w.must(t, w.store, "POST", "/api/v1/recalls", map[string]any{"product_id": w.chair, "reference": "FSN-1", "action": "Check it"}, 201)
	ot := signIn(t, w.env, "ot@test")
	r := ot.get("/", 200)
	if strings.Contains(r.Body, "waiting for cleaning") || strings.Contains(r.Body, `href="/maintenance"`) {
		t.Error("a therapist should see no maintenance cards or link")
	}
	tag := w.tags[0]
	for _, p := range []string{"/maintenance", "/items/" + tag + "/maintenance/new", "/items/" + tag + "/retire", "/recalls", "/recalls/new", "/recalls/1"} {
		ot.get(p, http.StatusForbidden)
	}
	ot.get("/", 200)
	for _, p := range []string{"/items/" + tag + "/maintenance", "/items/" + tag + "/retire", "/recalls", "/recalls/1/done", "/recalls/1/close"} {
		ot.post(p, url.Values{"kind": {"service"}, "outcome": {"pass"}, "reason": {"x"}, "tag": {tag}, "notes": {"x"}}, http.StatusForbidden)
	}
	if s := w.itemStatus(t, tag); s != "quarantined" {
		t.Errorf("a therapist changed the item: %s", s)
	}
	// The store sees the link and the cards.
	store := signIn(t, w.env, "store@test")
	r = store.get("/", 200)
	wantText(t, r, "0 waiting for cleaning", "0 waiting for inspection", "0 service overdue")
	if !strings.Contains(r.Body, `href="/maintenance"`) {
		t.Error("the store's navigation should link to Maintenance")
	}
}

// TestPagesMaintenanceEmptyStates: with nothing to do, every list says so.
func TestPagesMaintenanceEmptyStates(t *testing.T) {
	w := newWorld(t, 0)
	store := signIn(t, w.env, "store@test")
	r := store.get("/maintenance", 200)
	wantText(t, r, "Nothing is waiting for cleaning.", "Nothing is waiting for inspection.",
		"No item in the store is overdue for service.", "No item on loan is overdue for service.",
		"No item in the store is due for service in the next 30 days.", "No item on loan is due for service in the next 30 days.")
	r = store.get("/recalls", 200)
	wantText(t, r, "No recalls have been recorded.")
}
