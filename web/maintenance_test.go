package web_test

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"kitloan/internal/testtools"
	"kitloan/loans"
)

func day(offset int) string { return time.Now().AddDate(0, 0, offset).Format("2006-01-02") }

// onLoan issues the tags to a new child and returns the loan id.
func (w *world) onLoan(t *testing.T, child float64, tags ...string) any {
	t.Helper()
	return w.must(t, w.store, "POST", "/api/v1/loans", map[string]any{"child_id": child, "tags": tags, "location": "home", "recipient": "Pat"}, 201)["id"]
}

func TestAfterReturnCleaningThenInspection(t *testing.T) {
	w := newWorld(t, 2)
	zoe := w.child(t, w.ot, "Zoë Adams")
	loan := w.onLoan(t, zoe, w.tags...)
	w.must(t, w.store, "POST", fmt.Sprintf("/api/v1/loans/%v/return", loan), map[string]any{"items": []map[string]any{
		{"tag": w.tags[0], "condition": "good"}, {"tag": w.tags[1], "condition": "poor"}}}, 200)
	q := w.must(t, w.store, "GET", "/api/v1/maintenance/after-return", nil, 200)
	if len(q["awaiting_cleaning"].([]any)) != 2 || len(q["awaiting_inspection"].([]any)) != 0 {
		t.Fatalf("queues after return: %v", q)
	}
	// Inspection waits for cleaning.
	points := w.checklistOf(t, w.tags[0])
	e := w.must(t, w.store, "POST", "/api/v1/items/"+w.tags[0]+"/maintenance", map[string]any{"kind": "inspection", "outcome": "pass", "checklist": marked(points)}, 409)
	if !strings.Contains(fmt.Sprint(e), "cleaned") {
		t.Fatalf("inspection before cleaning: %v", e)
	}
	for _, tag := range w.tags {
		w.must(t, w.store, "POST", "/api/v1/items/"+tag+"/maintenance", map[string]any{"kind": "decontamination", "outcome": "pass", "notes": "wiped with Chlor-Clean"}, 201)
	}
	q = w.must(t, w.store, "GET", "/api/v1/maintenance/after-return", nil, 200)
	if len(q["awaiting_cleaning"].([]any)) != 0 || len(q["awaiting_inspection"].([]any)) != 2 {
		t.Fatalf("queues after cleaning: %v", q)
	}
	// One passes: available again. One fails on the checklist: in repair, with the fault recorded.
	w.must(t, w.store, "POST", "/api/v1/items/"+w.tags[0]+"/maintenance", map[string]any{"kind": "inspection", "outcome": "pass",
		"checklist": marked(points)}, 201)
	if s := w.itemStatus(t, w.tags[0]); s != "available" {
		t.Fatalf("passed inspection: %s", s)
	}
	// Passing with a fault ticked, or failing with nothing said, is refused.
	w.must(t, w.store, "POST", "/api/v1/items/"+w.tags[1]+"/maintenance", map[string]any{"kind": "inspection", "outcome": "pass",
		"checklist": map[string]string{"Castors and brakes": "fault"}}, 422)
	w.must(t, w.store, "POST", "/api/v1/items/"+w.tags[1]+"/maintenance", map[string]any{"kind": "inspection", "outcome": "fail"}, 422)
	rec := w.must(t, w.store, "POST", "/api/v1/items/"+w.tags[1]+"/maintenance", map[string]any{"kind": "inspection", "outcome": "fail",
		"checklist": marked(points, "Castors and brakes"), "notes": "rear brake does not hold"}, 201)
	if rec["status"] != "in_repair" {
		t.Fatalf("failed inspection: %v", rec)
	}
	// The repair, with parts and cost, makes it available.
	w.must(t, w.store, "POST", "/api/v1/items/"+w.tags[1]+"/maintenance", map[string]any{"kind": "repair", "outcome": "repaired", "parts": "brake pad", "cost_pence": 1250}, 201)
	if s := w.itemStatus(t, w.tags[1]); s != "available" {
		t.Fatalf("repaired: %s", s)
	}
	hist := w.must(t, w.store, "GET", "/api/v1/items/"+w.tags[1]+"/maintenance", nil, 200)
	if hist["total"] != float64(3) {
		t.Fatalf("maintenance history: %v", hist)
	}
	if !strings.Contains(w.env.API(w.store, "GET", "/api/v1/items/"+w.tags[1]+"/history", nil).Body, "rear brake does not hold") {
		t.Fatal("the item's history does not show the failed inspection")
	}
	// Future dates are refused.
	w.must(t, w.store, "POST", "/api/v1/items/"+w.tags[1]+"/maintenance", map[string]any{"kind": "service", "outcome": "pass", "performed_on": day(1)}, 422)
}

// marked is an inspection checklist as the API takes it: every point ok, except those
// named as faults.
func marked(points []string, faults ...string) map[string]string {
	out := map[string]string{}
	for _, p := range points {
		out[p] = "ok"
		if slices.Contains(faults, p) {
			out[p] = "fault"
		}
	}
	return out
}

// An inspection through the API is held to the same rule as the page: every point of the
// item's checklist is marked ok or fault, and no other, or nothing is recorded.
func TestAPIInspectionMarksEveryChecklistPoint(t *testing.T) {
	w := newWorld(t, 1)
	tag := w.tags[0]
	w.returned(t, tag)
	w.must(t, w.store, "POST", "/api/v1/items/"+tag+"/maintenance", map[string]any{"kind": "decontamination", "outcome": "pass"}, 201)
	points := w.checklistOf(t, tag)
	half := marked(points)
	delete(half, points[1])
	for name, body := range map[string]map[string]any{
		"no checklist":                 {"kind": "inspection", "outcome": "pass"},
		"a point left unmarked":        {"kind": "inspection", "outcome": "pass", "checklist": half},
		"a point not on the checklist": {"kind": "inspection", "outcome": "pass", "checklist": marked(append(slices.Clone(points), "Paintwork"))},
	} {
		e := w.must(t, w.store, "POST", "/api/v1/items/"+tag+"/maintenance", body, 422)["error"].(map[string]any)
		if f, _ := e["fields"].(map[string]any); f == nil || f["checklist"] == nil {
			t.Errorf("%s: the refusal should name the checklist: %v", name, e)
		}
	}
	if got := w.must(t, w.store, "GET", "/api/v1/items/"+tag+"/maintenance", nil, 200)["total"]; got != float64(1) {
		t.Errorf("a refused inspection recorded something: %v records, want the cleaning alone", got)
	}
	if s := w.itemStatus(t, tag); s != "returned" {
		t.Errorf("a refused inspection moved the item on: %s", s)
	}
	w.must(t, w.store, "POST", "/api/v1/items/"+tag+"/maintenance", map[string]any{"kind": "inspection", "outcome": "pass", "checklist": marked(points)}, 201)
	if s := w.itemStatus(t, tag); s != "available" {
		t.Errorf("passed inspection: %s", s)
	}
}

func TestNoDecontaminationGoesStraightToInspection(t *testing.T) {
	w := newWorld(t, 0)
	slope := w.must(t, w.store, "POST", "/api/v1/products", map[string]any{"name": "Writing slope", "category": "Writing aids", "kind": "returnable", "needs_decontamination": false}, 201)["id"]
	tag := w.must(t, w.store, "POST", "/api/v1/items", map[string]any{"product_id": slope}, 201)["tag"].(string)
	loan := w.onLoan(t, w.child(t, w.ot, "Zoë Adams"), tag)
	w.must(t, w.store, "POST", fmt.Sprintf("/api/v1/loans/%v/return", loan), map[string]any{"items": []map[string]any{{"tag": tag, "condition": "good"}}}, 200)
	q := w.must(t, w.store, "GET", "/api/v1/maintenance/after-return", nil, 200)
	if len(q["awaiting_cleaning"].([]any)) != 0 || len(q["awaiting_inspection"].([]any)) != 1 {
		t.Fatalf("queues: %v", q)
	}
	w.must(t, w.store, "POST", "/api/v1/items/"+tag+"/maintenance", map[string]any{"kind": "inspection", "outcome": "pass", "checklist": marked(w.checklistOf(t, tag))}, 201)
}

// A returned item whose product needs no cleaning reads "awaiting inspection" wherever
// it is listed, and the booking-in confirmation says so; a chair still says cleaning.
func TestReturnedItemsSayWhatTheyWaitFor(t *testing.T) {
	w := newWorld(t, 1)
	slope := w.must(t, w.store, "POST", "/api/v1/products", map[string]any{"name": "Writing slope", "category": "Writing aids", "kind": "returnable", "needs_decontamination": false}, 201)["id"]
	tag := w.must(t, w.store, "POST", "/api/v1/items", map[string]any{"product_id": slope}, 201)["tag"].(string)
	chair := w.tags[0]
	loan := fmt.Sprint(w.onLoan(t, w.child(t, w.ot, "Zoë Adams"), tag, chair))
	store := signIn(t, w.env, "store@test")
	r := store.post("/loans/"+loan+"/return", url.Values{"tag": {tag}, "condition_" + tag: {"good"}}, 200)
	wantText(t, r, tag+" booked in: Returned – awaiting inspection.")
	r = store.post("/loans/"+loan+"/return", url.Values{"tag": {chair}, "condition_" + chair: {"good"}}, 200)
	wantText(t, r, chair+" booked in: Returned – awaiting cleaning.")
	for _, page := range []string{"/loans/" + loan, "/items?status=returned"} {
		r = store.get(page, 200)
		body := mainText(r.Body)
		for _, want := range []string{tag + " Writing slope", chair + " Classroom chair"} {
			if !strings.Contains(body, want) {
				t.Fatalf("%s does not list %q: %s", page, want, body)
			}
		}
		slopeRow := body[strings.Index(body, tag+" Writing slope"):]
		chairRow := body[strings.Index(body, chair+" Classroom chair"):]
		if !strings.HasPrefix(cut(slopeRow, 120), tag) || !strings.Contains(cut(slopeRow, 120), "awaiting inspection") {
			t.Errorf("%s: the slope's row should say it awaits inspection: %q", page, cut(slopeRow, 120))
		}
		if !strings.Contains(cut(chairRow, 120), "awaiting cleaning") {
			t.Errorf("%s: the chair's row should say it awaits cleaning: %q", page, cut(chairRow, 120))
		}
	}
}

// cut is the first n bytes of s, or s.
func cut(s string, n int) string { return s[:min(n, len(s))] }

func TestIssueRefusedForUnsafeItems(t *testing.T) {
	w := newWorld(t, 2)
	zoe := w.child(t, w.ot, "Zoë Adams")
	w.must(t, w.store, "POST", "/api/v1/items/"+w.tags[0]+"/actions", map[string]any{"action": "send_to_repair"}, 200)
	w.env.DB.Write.Exec(`UPDATE items SET next_service_due = ? WHERE tag = ?`, day(-1), w.tags[1])
	hoist := w.must(t, w.store, "POST", "/api/v1/products", map[string]any{"name": "Hoist", "category": "Mobility", "kind": "returnable"}, 201)["id"]
	w.tags = append(w.tags, w.must(t, w.store, "POST", "/api/v1/items", map[string]any{"product_id": hoist}, 201)["tag"].(string))
	w.must(t, w.store, "POST", "/api/v1/recalls", map[string]any{"product_id": hoist, "reference": "FSN-1", "action": "Check the gas strut"}, 201)
	w.must(t, w.store, "POST", "/api/v1/recalls/1/done", map[string]any{"tag": w.tags[2], "notes": "checked"}, 200)
	for tag, why := range map[string]string{w.tags[0]: "in repair", w.tags[1]: "overdue for service", w.tags[2]: "quarantined"} {
		e := w.must(t, w.store, "POST", "/api/v1/loans", map[string]any{"child_id": zoe, "tags": []string{tag}, "location": "home", "recipient": "Pat"}, 409)
		if !strings.Contains(fmt.Sprint(e), why) || !strings.Contains(fmt.Sprint(e), tag) {
			t.Errorf("issue of %s: %v, want it to name the item and say %q", tag, e, why)
		}
	}
}

// TestServiceDueLists checks the due lists against a dataset whose answers are known.
func TestServiceDueLists(t *testing.T) {
	w := newWorld(t, 6)
	zoe := w.child(t, w.ot, "Zoë Adams")
	due := map[string]string{w.tags[0]: day(-5), w.tags[1]: day(10), w.tags[2]: day(40), w.tags[3]: day(20), w.tags[4]: day(-1), w.tags[5]: ""}
	for tag, d := range due {
		var v any
		if d != "" {
			v = d
		}
		w.env.DB.Write.Exec(`UPDATE items SET next_service_due = ? WHERE tag = ?`, v, tag)
	}
	w.onLoan(t, zoe, w.tags[3])
	w.must(t, w.store, "POST", "/api/v1/items/"+w.tags[4]+"/actions", map[string]any{"action": "retire"}, 200)
	got := w.must(t, w.store, "GET", "/api/v1/maintenance/due?days=30", nil, 200)
	tags := func(key string) []string {
		var out []string
		for _, x := range got[key].([]any) {
			out = append(out, x.(map[string]any)["tag"].(string))
		}
		return out
	}
	if s := strings.Join(tags("in_store"), ","); s != w.tags[0]+","+w.tags[1] {
		t.Errorf("due in store: %s, want %s,%s (overdue first; retired and later ones left out)", s, w.tags[0], w.tags[1])
	}
	onLoan := got["on_loan"].([]any)
	if len(onLoan) != 1 {
		t.Fatalf("due on loan: %v", onLoan)
	}
	h := onLoan[0].(map[string]any)["holder"].(map[string]any)
	if onLoan[0].(map[string]any)["tag"] != w.tags[3] || h["child_name"] != "Zoë Adams" || h["location"] != "home" || !strings.Contains(h["contact"].(string), "07700 900123") {
		t.Errorf("due on loan: %v", onLoan[0])
	}
	// A passing service sets the next due date from the product's interval.
	w.must(t, w.store, "PATCH", fmt.Sprintf("/api/v1/products/%v", w.chair), map[string]any{"service_interval_days": 365}, 200)
	rec := w.must(t, w.store, "POST", "/api/v1/items/"+w.tags[0]+"/maintenance", map[string]any{"kind": "service", "outcome": "pass", "performed_on": day(-2)}, 201)
	if rec["next_due"] != time.Now().AddDate(0, 0, -2).AddDate(0, 0, 365).Format("2006-01-02") {
		t.Errorf("next due after service: %v", rec["next_due"])
	}
}

func TestRecallQuarantinesStoreAndListsLoans(t *testing.T) {
	w := newWorld(t, 3)
	zoe := w.child(t, w.ot, "Zoë Adams")
	loan := w.onLoan(t, zoe, w.tags[0])
	r := w.must(t, w.store, "POST", "/api/v1/recalls", map[string]any{"product_id": w.chair, "reference": "FSN 2026-114", "action": "Stop using. Replace the seat bolts."}, 201)
	affected := r["affected"].([]any)
	if len(affected) != 3 {
		t.Fatalf("affected: %v", affected)
	}
	for _, a := range affected {
		a := a.(map[string]any)
		if a["tag"] == w.tags[0] {
			if a["status"] != "on_loan" || a["loan_id"] != loan || a["child_id"] != zoe || a["holder"].(map[string]any)["child_name"] != "Zoë Adams" {
				t.Errorf("the item on loan: %v", a)
			}
		} else if a["status"] != "quarantined" || a["loan_id"] != nil {
			t.Errorf("an item in the store: %v", a)
		}
	}
	id := r["id"]
	w.must(t, w.store, "POST", fmt.Sprintf("/api/v1/recalls/%v/close", id), nil, 409)
	for _, tag := range w.tags {
		w.must(t, w.store, "POST", fmt.Sprintf("/api/v1/recalls/%v/done", id), map[string]any{"tag": tag, "notes": "bolts replaced"}, 200)
	}
	w.must(t, w.store, "POST", fmt.Sprintf("/api/v1/recalls/%v/done", id), map[string]any{"tag": w.tags[0], "notes": "again"}, 422)
	if c := w.must(t, w.store, "POST", fmt.Sprintf("/api/v1/recalls/%v/close", id), nil, 200); c["closed_at"] == nil {
		t.Fatalf("closed: %v", c)
	}
	w.must(t, w.store, "POST", "/api/v1/recalls", map[string]any{"product_id": 999, "reference": "X", "action": "Y"}, 422)
	w.must(t, w.store, "POST", "/api/v1/recalls", map[string]any{"product_id": w.chair, "action": "Y"}, 422)
}

// TestRecallLettersForFamilies prints the recall letters and reads them back: one letter
// for the family holding the recalled chair, in plain English with the phone number.
func TestRecallLettersForFamilies(t *testing.T) {
	pdftotext := testtools.Require(t, "pdftotext")
	w := newWorld(t, 3)
	w.env.Server.Settings.Set(t.Context(), map[string]string{"service_phone": "0300 123 4567"})
	zoe := w.child(t, w.ot, "Zoë Łukasiewicz-Nguyễn")
	w.must(t, w.store, "POST", "/api/v1/loans", map[string]any{"child_id": zoe, "tags": []string{w.tags[0], w.tags[1]}, "location": "home", "recipient": "Ольга Петренко"}, 201)
	id := w.must(t, w.store, "POST", "/api/v1/recalls", map[string]any{"product_id": w.chair, "reference": "FSN 2026-114",
		"action": "The seat bolts can work loose. Do not let the child sit in the chair."}, 201)["id"]
	r := w.env.API(w.store, "GET", fmt.Sprintf("/api/v1/recalls/%v/letters.pdf", id), nil)
	if r.Status != 200 || r.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("letters: %d %.200s", r.Status, r.Body)
	}
	pdf := filepath.Join(t.TempDir(), "letters.pdf")
	os.WriteFile(pdf, []byte(r.Body), 0o600)
	out, err := exec.Command(pdftotext, "-layout", pdf, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(string(out)), " ")
	for _, want := range []string{"Important: please stop using", "Zoë Łukasiewicz-Nguyễn", "Ольга Петренко", w.tags[0] + ", " + w.tags[1],
		"What is wrong", "The seat bolts can work loose", "What to do now", "Who will contact you", "0300 123 4567", "FSN 2026-114", "Page 1 of 1"} {
		if !strings.Contains(text, want) {
			t.Errorf("the letter lacks %q:\n%s", want, text)
		}
	}
	if strings.Count(text, "Dear ") != 1 {
		t.Errorf("want one letter for the one family: %s", text)
	}
	// A recall with nothing on loan has no one to write to.
	hoist := w.must(t, w.store, "POST", "/api/v1/products", map[string]any{"name": "Hoist", "category": "Mobility", "kind": "returnable"}, 201)["id"]
	w.must(t, w.store, "POST", "/api/v1/items", map[string]any{"product_id": hoist}, 201)
	id2 := w.must(t, w.store, "POST", "/api/v1/recalls", map[string]any{"product_id": hoist, "reference": "FSN-2", "action": "Check it."}, 201)["id"]
	w.must(t, w.store, "GET", fmt.Sprintf("/api/v1/recalls/%v/letters.pdf", id2), nil, 422)
}

// The home page's loan and request counts stop just past their cap, and a capped card
// reads "1,000+"; so does the loans list's.
func TestHomeCountsStopPastTheirCap(t *testing.T) {
	w := newWorld(t, 3)
	zoe := w.child(t, w.ot, "Zoë Adams")
	for _, tag := range w.tags {
		w.onLoan(t, zoe, tag)
	}
	ctx := context.Background()
	store, err := w.env.Server.Accounts.UserByEmail(ctx, "store@test")
	if err != nil {
		t.Fatal(err)
	}
	for upTo, want := range map[int]int{1: 2, 2: 3, 10: 3} {
		if n, err := w.env.Server.Loans.CountLoans(ctx, store, loans.LoanFilter{Active: true}, upTo); err != nil || n != want {
			t.Errorf("open loans counted up to %d: %d, %v; want %d", upTo, n, err, want)
		}
	}
	// 1,001 loans whose review has passed, written straight into the table.
	if _, err := w.env.DB.Write.Exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1001)
		INSERT INTO loans (child_id, location, recipient, review_date, issued_at) SELECT ?, 'home', 'Pat', '2020-01-01', '2020-01-01T00:00:00Z' FROM n`, zoe); err != nil {
		t.Fatal(err)
	}
	store2 := signIn(t, w.env, "store@test")
	wantText(t, store2.get("/", 200), "1,000+ loan reviews overdue")
	// The loans list counts no further either, and still shows its first page.
	wantText(t, store2.get("/loans?view=overdue", 200), "more than 1,000 loans", "Next")
}
