package web_test

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"strings"
	"testing"

	"kitloan/web/webtest"
)

// visitor is a signed-in person at a browser; each step fails the test, saying what it
// was, when the page answers with another status than expected.
type visitor struct {
	t *testing.T
	b *webtest.Browser
}

func signIn(t *testing.T, env *webtest.Env, email string) *visitor {
	t.Helper()
	b := env.Browser()
	b.Login(email, webtest.Password)
	return &visitor{t: t, b: b}
}

func (v *visitor) get(p string, status int) webtest.Response {
	v.t.Helper()
	r := v.b.Get(p)
	if r.Status != status {
		v.t.Fatalf("GET %s: %d, want %d: %s", p, r.Status, status, mainText(r.Body))
	}
	return r
}

func (v *visitor) post(p string, form url.Values, status int) webtest.Response {
	v.t.Helper()
	r := v.b.Post(p, form)
	if r.Status != status {
		v.t.Fatalf("POST %s: %d, want %d: %s", p, r.Status, status, mainText(r.Body))
	}
	return r
}

var tagsRE = regexp.MustCompile(`(?s)<[^>]*>`)

// mainText is the page's main content as text, for failure messages and checks that
// should not depend on markup.
func mainText(body string) string {
	if i := strings.Index(body, "<main"); i >= 0 {
		body = body[i:]
	}
	if i := strings.Index(body, "</main>"); i >= 0 {
		body = body[:i]
	}
	return strings.Join(strings.Fields(html.UnescapeString(tagsRE.ReplaceAllString(body, " "))), " ")
}

// wantText fails the test unless the page's main content says each of want.
func wantText(t *testing.T, r webtest.Response, want ...string) {
	t.Helper()
	text := mainText(r.Body)
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("the page at %s should say %q; it says:\n%s", r.URL, w, text)
		}
	}
}

// idOf is the record id at the end of a page's address ("/loans/3" → "3").
func idOf(t *testing.T, r webtest.Response) string {
	t.Helper()
	u, err := url.Parse(r.URL)
	if err != nil {
		t.Fatal(err)
	}
	return path.Base(u.Path)
}

// childForm is the add-a-child form as a therapist fills it in.
func childForm(nhs string) url.Values {
	return url.Values{"given_name": {"Zoë"}, "family_name": {"Adams"}, "date_of_birth": {"2017-03-14"}, "nhs_number": {nhs},
		"home_address": {"1 Fictional Road\nTesttown"}, "school_or_setting": {"Hilltop Primary"}, "setting_address": {"School Lane\nTesttown"},
		"carer_name": {"Pat Adams", "", ""}, "carer_relationship": {"mother", "", ""}, "carer_phone": {"07700 900123", "", ""}, "carer_email": {"", "", ""}}
}

// TestPagesRequestToReturn walks the real forms of issue 3: a therapist adds a child
// (first with a bad NHS number) and requests a chair; the store approves, allocates by
// tag, issues and books the chair back in; the therapist follows the request's status.
func TestPagesRequestToReturn(t *testing.T) {
	w := newWorld(t, 2)
	ot := signIn(t, w.env, "ot@test")
	r := ot.get("/children", 200)
	wantText(t, r, "There are no children on your caseload yet.")

	ot.get("/children/new", 200)
	r = ot.post("/children", childForm("943 476 5918"), http.StatusUnprocessableEntity)
	wantText(t, r, "There is a problem", "NHS number is not a valid NHS number")
	if !strings.Contains(r.Body, `href="#f-NHS_number"`) || !regexp.MustCompile(`(?s)form-group-error">\s*<label for="f-NHS_number"`).MatchString(r.Body) {
		t.Errorf("the error summary should link to the NHS number, and the message stand beside it: %s", r.Body)
	}
	for _, kept := range []string{`value="Zoë"`, `value="Adams"`, `value="943 476 5918"`, `value="Pat Adams"`, `value="07700 900123"`} {
		if !strings.Contains(r.Body, kept) {
			t.Errorf("after the error the form should keep %s", kept)
		}
	}
	r = ot.post("/children", childForm("943 476 5919"), 200)
	child := idOf(t, r)
	wantText(t, r, "Zoë Adams (C-000001) added to your caseload. Next: request equipment for Zoë.", "943 476 5919", "Pat Adams (mother)",
		"Olu Therapist", "Zoë holds no equipment from the store.", "No equipment has been requested for Zoë.")
	if !strings.Contains(r.Body, `href="/requests/new?child_id=`+child+`"`) {
		t.Error("the child's page should offer to request equipment")
	}

	// Another therapist cannot see the child, nor request for them.
	other := signIn(t, w.env, "ot2@test")
	other.get("/children/"+child, 404)
	other.get("/requests/new?child_id="+child, 404)

	r = ot.get("/requests/new?child_id="+child, 200)
	wantText(t, r, "Request equipment for Zoë", "Classroom chair – 2 available", "Target: within 2 working days")
	r = ot.post("/requests", url.Values{"child_id": {child}, "product_id": {fmt.Sprint(w.chair)}, "how_many": {"1"}, "priority": {"urgent"},
		"deliver_to": {"school"}, "reason": {"Needs upright sitting for handwriting"}}, 200)
	req := idOf(t, r)
	wantText(t, r, "Request R-000001 for Zoë Adams sent to the store.", "Submitted – awaiting approval", "Hilltop Primary")

	// The store works the queue.
	store := signIn(t, w.env, "store@test")
	r = store.get("/requests", 200)
	wantText(t, r, "R-000001", "Zoë Adams", "Classroom chair", "Urgent", "Submitted – awaiting approval")
	r = store.get("/requests/"+req, 200)
	wantText(t, r, "Approve request")
	r = store.post("/requests/"+req+"/approve", url.Values{}, 200)
	wantText(t, r, "Request R-000001 approved. Next: scan or type the tags", "Free now (2)", w.tags[0])
	r = store.post("/requests/"+req+"/allocate", url.Values{"tags": {strings.ToLower(w.tags[0])}}, 200)
	wantText(t, r, w.tags[0]+" reserved for Zoë Adams. Next: issue to Zoë Adams.", "Items reserved – ready to issue", "Release "+w.tags[0])

	r = store.get("/loans/new?request_id="+req, 200)
	wantText(t, r, "Issue equipment to Zoë", "For request R-000001", "Issue 1 item to Zoë")
	if !strings.Contains(r.Body, ">"+w.tags[0]+"</textarea>") {
		t.Errorf("the tags box should hold the item reserved for the request")
	}
	r = store.post("/loans", url.Values{"child_id": {child}, "request_id": {req}, "tags": {w.tags[0]}, "location": {"school"},
		"recipient": {"Mrs Head"}, "relationship": {"SENCO"}}, 200)
	loan := idOf(t, r)
	wantText(t, r, "Issued "+w.tags[0]+" to Zoë Adams on loan L-000001. Review due", "School or setting", "Mrs Head (SENCO)", "Book in 1 item")

	// The item's page says who holds it.
	r = store.get("/items/"+w.tags[0], 200)
	wantText(t, r, "On loan", "Zoë Adams", "L-000001", "Mrs Head", "Book "+w.tags[0]+" in")
	// So does the child's page.
	r = ot.get("/children/"+child, 200)
	wantText(t, r, "What Zoë holds now", w.tags[0], "L-000001", "Fulfilled – issued")

	// Book it back in.
	r = store.post("/loans/"+loan+"/return", url.Values{"tag": {w.tags[0]}, "condition_" + w.tags[0]: {"fair"}}, 200)
	wantText(t, r, w.tags[0]+" booked in: Returned – awaiting cleaning. Everything on loan L-000001 is back, so the loan is closed.",
		"Closed – all returned", "fair when returned")
	r = store.get("/items/"+w.tags[0], 200)
	wantText(t, r, "Returned – awaiting cleaning")
	r = ot.get("/children/"+child, 200)
	wantText(t, r, "Zoë holds no equipment from the store.", "Equipment returned", w.tags[0])

	// The therapist sees every change of the request's status.
	r = ot.get("/requests/"+req, 200)
	wantText(t, r, "Fulfilled – issued", "submitted → approved", "approved → allocated", "allocated → fulfilled", "Sam Store")
	if strings.Contains(r.Body, "Approve request") || strings.Contains(r.Body, "/allocate") {
		t.Error("a therapist should not be offered the store's actions")
	}
	other.get("/requests/"+req, 404)
	other.get("/loans/"+loan, 404)
}

// TestPagesRefusedIssueListsEachTag issues an item in repair and a tag that is on no item:
// the form comes back naming each, keeping what was typed, and nothing is issued.
func TestPagesRefusedIssueListsEachTag(t *testing.T) {
	w := newWorld(t, 3)
	zoe := fmt.Sprint(w.child(t, w.ot, "Zoë Adams"))
	w.must(t, w.store, "POST", "/api/v1/items/"+w.tags[1]+"/actions", map[string]any{"action": "send_to_repair"}, 200)
	store := signIn(t, w.env, "store@test")
	r := store.get("/loans/new?child_id="+zoe, 200)
	wantText(t, r, "Issue equipment to Zoë")
	if !strings.Contains(r.Body, `value="Pat Adams"`) {
		t.Error("the recipient should be the child's first carer")
	}
	typed := w.tags[0] + "\n" + strings.ToLower(w.tags[1]) + ", KL-999999"
	r = store.post("/loans", url.Values{"child_id": {zoe}, "tags": {typed}, "location": {"home"}, "recipient": {"Pat Adams"},
		"relationship": {"mother"}}, http.StatusConflict)
	wantText(t, r, "Nothing was issued.", w.tags[1]+" is in repair", "KL-999999 is not the tag of any item", "Issue 3 items to Zoë")
	for _, link := range []string{`href="#f-` + w.tags[1] + `"`, `id="f-` + w.tags[1] + `"`, `href="#f-KL-999999"`, `id="f-KL-999999"`} {
		if !strings.Contains(r.Body, link) {
			t.Errorf("the error summary should link to each refused tag beside the box: no %s", link)
		}
	}
	if strings.Contains(r.Body, `href="#f-`+w.tags[0]+`"`) {
		t.Errorf("%s can be issued and should not be listed", w.tags[0])
	}
	if !strings.Contains(r.Body, ">"+html.EscapeString(typed)+"</textarea>") || !strings.Contains(r.Body, `value="Pat Adams"`) {
		t.Error("the form should keep the tags and the recipient as typed")
	}
	if s := w.itemStatus(t, w.tags[0]); s != "available" {
		t.Errorf("a refused issue changed %s to %s", w.tags[0], s)
	}
	// Without a tag, the box says so.
	r = store.post("/loans", url.Values{"child_id": {zoe}, "tags": {" "}, "location": {"home"}, "recipient": {"Pat"}}, http.StatusUnprocessableEntity)
	wantText(t, r, "Tags scan or type at least one tag")
}

// TestPagesConsumablesAndStock issues a consumable from the child's page and changes its
// stock from the product's page.
func TestPagesConsumablesAndStock(t *testing.T) {
	w := newWorld(t, 0)
	zoe := fmt.Sprint(w.child(t, w.ot, "Zoë Adams"))
	grip := fmt.Sprint(w.grip)
	store := signIn(t, w.env, "store@test")
	r := store.get("/children/"+zoe, 200)
	wantText(t, r, "Issue a consumable", "Pencil grip – 10 in stock", "Issue to Zoë")
	r = store.post("/children/"+zoe+"/consumables", url.Values{"product_id": {grip}, "how_many": {"4"}}, 200)
	wantText(t, r, "Issued 4 × Pencil grip to Zoë Adams. 6 left in stock.", "Consumables, given to keep", "Pencil grip 4")
	if p := w.must(t, w.store, "GET", "/api/v1/products/"+grip, nil, 200); p["stock"] != float64(6) {
		t.Fatalf("stock after issue: %v", p["stock"])
	}
	r = store.post("/children/"+zoe+"/consumables", url.Values{"product_id": {grip}, "how_many": {"7"}}, http.StatusConflict)
	wantText(t, r, "Only 6 of Pencil grip in stock; 7 asked for.", "How many only 6 in stock")
	if !strings.Contains(r.Body, `id="f-how_many" name="how_many" type="number" value="7"`) {
		t.Error("the quantity asked for should be kept")
	}
	store.post("/children/"+zoe+"/consumables", url.Values{"how_many": {"1"}}, http.StatusUnprocessableEntity)

	// Stock received, then a count, then a refusal that keeps what was typed.
	r = store.get("/products/"+grip, 200)
	wantText(t, r, "Change the stock", "Now 6 in stock.")
	r = store.post("/products/"+grip+"/stock", url.Values{"what_happened": {"received"}, "how_many": {"20"}, "reason": {"delivery 4471"}}, 200)
	wantText(t, r, "Stock of Pencil grip is now 26 (20 received).")
	w.must(t, w.store, "PATCH", "/api/v1/products/"+grip, map[string]any{"reorder_level": 5}, 200)
	r = store.post("/products/"+grip+"/stock", url.Values{"what_happened": {"counted"}, "how_many": {"3"}, "reason": {"stock take"}}, 200)
	wantText(t, r, "Stock of Pencil grip is now 3 (counted). That is at or below the reorder level")
	r = store.post("/products/"+grip+"/stock", url.Values{"what_happened": {"written_off"}, "how_many": {"9"}}, http.StatusUnprocessableEntity)
	wantText(t, r, "Reason is required")
	if !strings.Contains(r.Body, `value="written_off" checked`) || !strings.Contains(r.Body, `value="9"`) {
		t.Error("the stock form should keep what was typed")
	}
	r = store.post("/products/"+grip+"/stock", url.Values{"what_happened": {"written_off"}, "how_many": {"9"}, "reason": {"damp"}}, http.StatusConflict)
	wantText(t, r, "Only 3 in stock: cannot write off 9.")
	// A therapist reads the catalogue but cannot change stock or issue.
	ot := signIn(t, w.env, "ot@test")
	if r := ot.get("/products/"+grip, 200); strings.Contains(r.Body, "Change the stock") {
		t.Error("a therapist should not see the stock form")
	}
	ot.post("/products/"+grip+"/stock", url.Values{"what_happened": {"received"}, "how_many": {"1"}, "reason": {"x"}}, http.StatusForbidden)
	ot.post("/children/"+zoe+"/consumables", url.Values{"product_id": {grip}, "how_many": {"1"}}, http.StatusForbidden)
}

// TestPagesEmptyStates checks that every list says what to do when it is empty.
func TestPagesEmptyStates(t *testing.T) {
	w := newWorld(t, 0)
	store := signIn(t, w.env, "store@test")
	for p, want := range map[string]string{
		"/children":                   "There are no children yet. Add a child",
		"/children?discharged=true":   "No children have been discharged.",
		"/children?q=nobody":          "No children match this search.",
		"/requests":                   "There are no open requests: the queue is clear.",
		"/requests?status=declined":   "No requests are “Declined”.",
		"/requests?status=all":        "There are no requests yet.",
		"/loans":                      "Nothing is on loan.",
		"/loans?view=due":             "No reviews are due in the next 30 days.",
		"/loans?view=overdue":         "No reviews are overdue.",
		"/loans?view=all&therapist=2": "No loans match this filter.",
	} {
		r := store.get(p, 200)
		if !strings.Contains(r.Body, `class="empty"`) {
			t.Errorf("%s: no empty state", p)
		}
		wantText(t, r, want)
	}
	ot := signIn(t, w.env, "ot@test")
	for p, want := range map[string]string{
		"/children": "There are no children on your caseload yet. Add a child",
		"/requests": "You have no open requests.",
		"/loans":    "None of the children on your caseload has equipment on loan.",
	} {
		wantText(t, ot.get(p, 200), want)
	}
	zoe := fmt.Sprint(w.child(t, w.ot, "Zoë Adams"))
	wantText(t, ot.get("/children/"+zoe, 200), "Zoë holds no equipment from the store.", "Nothing yet.", "No equipment has been requested for Zoë.")
	r := store.get("/children/"+zoe, 200)
	wantText(t, r, "Issue a consumable")
}

// TestPagesRolesAndAccess loads every page of children, requests and loans as each role:
// the roles allowed get the page, a viewer gets 403, and a therapist only their own.
func TestPagesRolesAndAccess(t *testing.T) {
	w := newWorld(t, 2)
	w.env.User("admin", "admin@test", "Ada Admin")
	w.env.User("viewer", "viewer@test", "Vic Viewer")
	zoe := w.child(t, w.ot, "Zoë Adams")
	req := w.must(t, w.ot, "POST", "/api/v1/requests", map[string]any{"child_id": zoe, "product_id": w.chair, "priority": "standard",
		"deliver_to": "home", "reason": "posture"}, 201)["id"]
	loan := w.onLoan(t, zoe, w.tags[0])
	pages := map[string][]string{ // page: the roles that may see it
		"/children": {"admin", "store", "therapist"}, "/children/new": {"admin", "store", "therapist"},
		fmt.Sprintf("/children/%v", zoe): {"admin", "store", "therapist"}, fmt.Sprintf("/children/%v/edit", zoe): {"admin", "store", "therapist"},
		"/requests": {"admin", "store", "therapist"}, fmt.Sprintf("/requests/new?child_id=%v", zoe): {"admin", "store", "therapist"},
		fmt.Sprintf("/requests/%v", req): {"admin", "store", "therapist"},
		"/loans":                         {"admin", "store", "therapist"}, "/loans?view=due": {"admin", "store", "therapist"}, "/loans?view=overdue": {"admin", "store", "therapist"},
		"/loans?view=all": {"admin", "store", "therapist"}, fmt.Sprintf("/loans/%v", loan): {"admin", "store", "therapist"},
		fmt.Sprintf("/loans/new?child_id=%v", zoe): {"admin", "store"}, fmt.Sprintf("/products/%v", w.grip): {"admin", "store", "therapist"},
		"/items/" + w.tags[0]: {"admin", "store", "therapist"}, "/": {"admin", "store", "therapist", "viewer"},
	}
	for role, email := range map[string]string{"admin": "admin@test", "store": "store@test", "therapist": "ot@test", "viewer": "viewer@test"} {
		v := signIn(t, w.env, email)
		for p, roles := range pages {
			want := http.StatusForbidden
			for _, r := range roles {
				if r == role {
					want = http.StatusOK
				}
			}
			if r := v.b.Get(p); r.Status != want {
				t.Errorf("%s GET %s: %d, want %d", role, p, r.Status, want)
			} else if want == 200 && strings.Contains(r.Body, "<no value>") {
				t.Errorf("%s GET %s shows <no value>", role, p)
			}
		}
	}
	// The viewer cannot change anything either; nor the therapist what is the store's.
	viewer := signIn(t, w.env, "viewer@test")
	ot := signIn(t, w.env, "ot@test")
	for _, p := range []string{"/children", fmt.Sprintf("/children/%v", zoe), fmt.Sprintf("/children/%v/discharge", zoe), "/requests",
		fmt.Sprintf("/requests/%v/cancel", req), fmt.Sprintf("/requests/%v/approve", req), "/loans", fmt.Sprintf("/loans/%v/return", loan)} {
		viewer.post(p, url.Values{}, http.StatusForbidden)
	}
	for _, p := range []string{fmt.Sprintf("/requests/%v/approve", req), fmt.Sprintf("/requests/%v/decline", req), fmt.Sprintf("/requests/%v/allocate", req),
		fmt.Sprintf("/requests/%v/release", req), "/loans", fmt.Sprintf("/loans/%v/return", loan), fmt.Sprintf("/loans/%v/lost", loan),
		fmt.Sprintf("/loans/%v/found", loan), fmt.Sprintf("/loans/%v/change", loan)} {
		ot.post(p, url.Values{}, http.StatusForbidden)
	}
	// Another therapist's child, request and loan do not exist for them.
	other := signIn(t, w.env, "ot2@test")
	for _, p := range []string{fmt.Sprintf("/children/%v", zoe), fmt.Sprintf("/children/%v/edit", zoe), fmt.Sprintf("/requests/%v", req), fmt.Sprintf("/loans/%v", loan)} {
		other.get(p, 404)
	}
	other.post(fmt.Sprintf("/requests/%v/cancel", req), url.Values{}, 404)
	other.post(fmt.Sprintf("/children/%v/discharge", zoe), url.Values{}, 404)
	if r := other.get("/items/"+w.tags[0], 200); strings.Contains(r.Body, "Zoë") || !strings.Contains(r.Body, "not on your caseload") {
		t.Errorf("another therapist's item page should not name the child: %s", mainText(r.Body))
	}
	// The home page counts the therapist's and the store's work.
	wantText(t, ot.get("/", 200), "1 child on your caseload", "1 open request")
	wantText(t, signIn(t, w.env, "store@test").get("/", 200), "1 request to approve")
}

// TestPagesRequestDeclineCancelAndDischarge covers the other ends of a request and a child.
func TestPagesRequestDeclineCancelAndDischarge(t *testing.T) {
	w := newWorld(t, 1)
	zoe := fmt.Sprint(w.child(t, w.ot, "Zoë Adams"))
	ot := signIn(t, w.env, "ot@test")
	store := signIn(t, w.env, "store@test")
	newRequest := func() string {
		ot.get("/requests/new?child_id="+zoe, 200)
		return idOf(t, ot.post("/requests", url.Values{"child_id": {zoe}, "product_id": {fmt.Sprint(w.chair)}, "priority": {"standard"},
			"deliver_to": {"home"}, "reason": {"posture"}}, 200))
	}
	// A request with problems comes back with each named.
	r := ot.post("/requests", url.Values{"child_id": {zoe}, "how_many": {"two"}}, http.StatusUnprocessableEntity)
	wantText(t, r, "How many must be a whole number")
	r = ot.post("/requests", url.Values{"child_id": {zoe}, "deliver_to": {"home"}}, http.StatusUnprocessableEntity)
	wantText(t, r, "Product is required", "Priority is required", "Reason is required")

	first := newRequest()
	r = store.post("/requests/"+first+"/decline", url.Values{"reason_for_declining": {" "}}, http.StatusUnprocessableEntity)
	wantText(t, r, "Reason for declining is required")
	if !strings.Contains(r.Body, `<details class="details" open>`) {
		t.Error("the decline form should be open to show its error")
	}
	store.post("/requests/"+first+"/decline", url.Values{"reason_for_declining": {"Use the chair at school"}}, 200)
	wantText(t, ot.get("/requests/"+first, 200), "Declined by the store: Use the chair at school", "submitted → declined")
	// A closed request refuses more actions on its page, saying why.
	r = store.post("/requests/"+first+"/approve", url.Values{}, http.StatusConflict)
	wantText(t, r, "is declined, so it cannot be approved")
	store.get("/loans/new?request_id="+first, http.StatusConflict)

	second := newRequest()
	store.post("/requests/"+second+"/approve", url.Values{}, 200)
	store.post("/requests/"+second+"/allocate", url.Values{"tags": {w.tags[0]}}, 200)
	r = store.post("/requests/"+second+"/allocate", url.Values{"tags": {"KL-424242"}}, http.StatusUnprocessableEntity)
	wantText(t, r, "allocate at most 0 more")
	r = ot.post("/requests/"+second+"/cancel", url.Values{"reason_for_cancelling": {"no longer needed"}}, 200)
	wantText(t, r, "Request R-000002 cancelled. Its reserved items are available again.", "Cancelled: no longer needed")
	if s := w.itemStatus(t, w.tags[0]); s != "available" {
		t.Errorf("a cancelled request's item is %s", s)
	}

	// Change the child's details, then discharge them.
	r = ot.get("/children/"+zoe+"/edit", 200)
	if !strings.Contains(r.Body, `value="943 476 5919"`) || !strings.Contains(r.Body, `value="Pat Adams"`) {
		t.Error("the change form should hold the child's details")
	}
	form := childForm("9434765919")
	form["carer_name"] = []string{"Pat Adams", "", ""}
	form["carer_phone"] = []string{"07700 900123", "01632 960001", ""}
	r = ot.post("/children/"+zoe, form, http.StatusUnprocessableEntity)
	wantText(t, r, "Carer 2 name is required")
	if !strings.Contains(r.Body, `href="#f-carer_2_name"`) || !strings.Contains(r.Body, `value="01632 960001"`) {
		t.Error("a carer's problem should link to that carer's slot and keep what was typed")
	}
	form["carer_name"] = []string{"Pat Adams", "Sam Adams", ""}
	form.Set("school_or_setting", "Riverside Academy")
	r = ot.post("/children/"+zoe, form, 200)
	wantText(t, r, "Changes to Zoë Adams’s details saved.", "Riverside Academy", "Sam Adams")
	r = ot.post("/children/"+zoe+"/discharge", url.Values{}, 200)
	wantText(t, r, "Zoë Adams discharged on", "was discharged on")
	if strings.Contains(r.Body, "Request equipment for Zoë") {
		t.Error("a discharged child should not be offered requests")
	}
	ot.get("/requests/new?child_id="+zoe, http.StatusConflict)
	wantText(t, ot.get("/children", 200), "There are no children on your caseload yet.")
	wantText(t, ot.get("/children?discharged=true", 200), "Adams, Zoë")
	ot.post("/children/"+zoe+"/discharge", url.Values{}, http.StatusConflict)
}

// TestPagesLoanChanges extends a review, moves a loan, and reports an item lost and found.
func TestPagesLoanChanges(t *testing.T) {
	w := newWorld(t, 2)
	zoe := w.child(t, w.ot, "Zoë Adams")
	loan := fmt.Sprint(w.onLoan(t, zoe, w.tags...))
	store := signIn(t, w.env, "store@test")
	r := store.get("/loans/"+loan, 200)
	wantText(t, r, "Book in the ticked items", "Change the review date", "Move the equipment", "Report "+w.tags[0]+" lost")

	r = store.post("/loans/"+loan+"/change", url.Values{"change": {"review"}, "review_date": {day(-1)}}, http.StatusUnprocessableEntity)
	wantText(t, r, "Review date must be today or later")
	r = store.post("/loans/"+loan+"/change", url.Values{"change": {"review"}, "review_date": {day(200)}, "reason_for_change": {"growing slowly"}}, 200)
	wantText(t, r, "Review of loan L-000001 set for", "growing slowly")
	r = store.post("/loans/"+loan+"/change", url.Values{"change": {"move"}, "location": {"home"}}, http.StatusUnprocessableEntity)
	wantText(t, r, "Location has not changed")
	r = store.post("/loans/"+loan+"/change", url.Values{"change": {"move"}, "location": {"school"}, "recipient": {"Mr Class"}, "reason_for_moving": {"started school"}}, 200)
	wantText(t, r, "Loan L-000001 moved: the equipment is now at school or setting, with Mr Class.", "Hilltop Primary")

	// Nothing ticked, then a lost item that cannot be booked in until found.
	r = store.post("/loans/"+loan+"/return", url.Values{"condition_" + w.tags[0]: {"good"}}, http.StatusUnprocessableEntity)
	wantText(t, r, "Items are not chosen: tick each item that has come back")
	store.post("/loans/"+loan+"/lost", url.Values{"tag": {w.tags[1]}}, 200)
	r = store.post("/loans/"+loan+"/return", url.Values{"tag": {w.tags[0], w.tags[1]}, "condition_" + w.tags[0]: {"good"}, "condition_" + w.tags[1]: {"good"}}, http.StatusConflict)
	wantText(t, r, "Nothing was booked in.", w.tags[1]+" is lost")
	if !strings.Contains(r.Body, `value="`+w.tags[0]+`" id="return-`+w.tags[0]+`" checked`) {
		t.Error("the ticked item should stay ticked")
	}
	r = store.post("/loans/"+loan+"/found", url.Values{"tag": {w.tags[1]}}, 200)
	wantText(t, r, w.tags[1]+" found: it is on loan to Zoë Adams again.")
	r = store.post("/loans/"+loan+"/return", url.Values{"tag": {w.tags[0]}, "condition_" + w.tags[0]: {"good"}}, 200)
	wantText(t, r, w.tags[0]+" booked in: Returned – awaiting cleaning. 1 item is still out on this loan.")
	r = store.get("/loans?view=all", 200)
	wantText(t, r, "L-000001", "(returned)")
}

// TestPagesLongListsPage pages the children list and keeps the search while paging.
func TestPagesLongListsPage(t *testing.T) {
	w := newWorld(t, 0)
	for i := range 51 {
		w.child(t, w.ot, fmt.Sprintf("Child%02d Testing", i))
	}
	ot := signIn(t, w.env, "ot@test")
	r := ot.get("/children?q=testing", 200)
	wantText(t, r, "51 children match", "Showing 1 to 50 of 51", "Next page")
	if !strings.Contains(r.Body, `href="/children?offset=50&amp;q=testing"`) {
		t.Errorf("the next page should keep the search: %s", r.Body)
	}
	r = ot.get("/children?q=testing&offset=50", 200)
	wantText(t, r, "Showing 51 to 51 of 51", "Previous page", "Testing, Child50")
	wantText(t, ot.get("/children?q=943%20476%205919", 200), "51 children match")
}

// Issuing to a child or against a request that nothing can be issued to or against is
// refused the same way by the issue page and by the API, since the loans store decides
// both: the same status, the same message, and nothing issued.
func TestIssueRefusedAlikeOnPageAndAPI(t *testing.T) {
	w := newWorld(t, 1)
	zoe, ivy := w.child(t, w.ot, "Zoë Adams"), w.child(t, w.ot, "Ivy Brown")
	request := func(product float64) float64 {
		return w.must(t, w.ot, "POST", "/api/v1/requests", map[string]any{"child_id": zoe, "product_id": product, "quantity": 1,
			"priority": "standard", "deliver_to": "home", "reason": "needs it"}, 201)["id"].(float64)
	}
	submitted, grips, declined := request(w.chair), request(w.grip), request(w.chair)
	w.must(t, w.store, "POST", fmt.Sprintf("/api/v1/requests/%v/approve", grips), nil, 200)
	w.must(t, w.store, "POST", fmt.Sprintf("/api/v1/requests/%v/decline", declined), map[string]any{"reason": "use the school's"}, 200)
	w.must(t, w.ot, "POST", fmt.Sprintf("/api/v1/children/%v/discharge", ivy), map[string]any{}, 200)
	store := signIn(t, w.env, "store@test")
	for name, c := range map[string]struct {
		child, request float64
		want           string
	}{
		"a request not yet approved": {zoe, submitted, "Request R-000001 is submitted – awaiting approval, so nothing can be issued against it: approve it first."},
		"a request for a consumable": {zoe, grips, "Pencil grip is a consumable: issue it from request R-000002’s page."},
		"a closed request":           {zoe, declined, "Request R-000003 is declined, so nothing can be issued against it: it is closed."},
		"a discharged child":         {ivy, 0, "Ivy Brown was discharged on"},
	} {
		body := map[string]any{"child_id": c.child, "tags": []string{w.tags[0]}, "location": "home", "recipient": "Pat"}
		form := url.Values{"child_id": {fmt.Sprint(c.child)}, "tags": {w.tags[0]}, "location": {"home"}, "recipient": {"Pat"}}
		if c.request != 0 {
			body["request_id"] = c.request
			form.Set("request_id", fmt.Sprint(c.request))
		}
		api := w.env.API(w.store, "POST", "/api/v1/loans", body)
		page := store.b.Post("/loans", form)
		e, _ := api.JSON(t)["error"].(map[string]any)
		msg, _ := e["message"].(string)
		if api.Status != http.StatusConflict || page.Status != api.Status || !strings.Contains(msg, c.want) || !strings.Contains(mainText(page.Body), msg) {
			t.Errorf("%s: the API answers %d %q, the page %d %q; want both %d saying %q", name, api.Status, msg, page.Status, mainText(page.Body), http.StatusConflict, c.want)
		}
	}
	if s := w.itemStatus(t, w.tags[0]); s != "available" {
		t.Errorf("a refused issue lent the item: it is %s", s)
	}
}

// A move must say where the equipment has moved to: the move form posted with no place
// chosen, or the API told of a move without a location, is refused naming the location,
// and the loan stays as it was. A move home or to school with no address given goes to
// the child's address there, through the page and the API alike.
func TestLoanMoveNamesWhereTo(t *testing.T) {
	w := newWorld(t, 1)
	loan := fmt.Sprint(w.onLoan(t, w.child(t, w.ot, "Zoë Adams"), w.tags[0]))
	store := signIn(t, w.env, "store@test")
	r := store.post("/loans/"+loan+"/change", url.Values{"change": {"move"}, "reason_for_moving": {"moved"}}, http.StatusUnprocessableEntity)
	wantText(t, r, "Location is not chosen")
	if !strings.Contains(r.Body, `href="#f-location"`) {
		t.Error("the error summary should link to the location")
	}
	e := w.must(t, w.store, "PATCH", "/api/v1/loans/"+loan, map[string]any{"kind": "move", "recipient": "Mr Class"}, 422)["error"].(map[string]any)
	if f, _ := e["fields"].(map[string]any); f == nil || f["location"] == nil {
		t.Errorf("the API's refusal should name the location: %v", e)
	}
	l := w.must(t, w.store, "GET", "/api/v1/loans/"+loan, nil, 200)
	if l["location"] != "home" || l["recipient"] != "Pat" {
		t.Errorf("a refused move changed the loan: %v", l)
	}
	var moves int
	if err := w.env.DB.Read.QueryRow(`SELECT count(*) FROM events WHERE entity = 'loan' AND entity_id = ? AND action = 'moved'`, loan).Scan(&moves); err != nil || moves != 0 {
		t.Errorf("a refused move wrote %d moves to the loan's history (%v)", moves, err)
	}
	l = w.must(t, w.store, "PATCH", "/api/v1/loans/"+loan, map[string]any{"kind": "move", "location": "school"}, 200)
	if l["location"] != "school" || !strings.Contains(l["address"].(string), "Hilltop Primary") {
		t.Errorf("a move to school should go to the child's school: %v", l)
	}
}
