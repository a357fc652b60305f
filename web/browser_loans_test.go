package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"kitloan/web/browsertest"
	"kitloan/web/webtest"
)

// signInAs signs in through the real form, from wherever the tab is.
func (b tab) signInAs(email string) {
	b.t.Helper()
	b.open("/login", http.StatusOK)
	b.do("type the email and password of "+email,
		typeInto(`input[name=email]`, email),
		typeInto(`input[name=password]`, webtest.Password))
	b.load("sign in as "+email, http.StatusOK, click(`main form button[type=submit]`))
	b.wantPath("/")
}

// signOut uses the header's sign-out button.
func (b tab) signOut() {
	b.t.Helper()
	b.load("sign out", http.StatusOK, click(`header form[action="/logout"] button`))
}

// TestBrowserTherapistRequestsAChairAndTheStoreLendsIt is issue 3's journey in a real
// Chromium: a therapist signs in, adds a child and requests a chair; the store approves
// the request, allocates the chair by its tag and issues it; later the store scans the
// chair's label, books it back in and sees it waiting for cleaning; the therapist follows
// every change on the request's page. It ends by checking the new pages on a phone.
func TestBrowserTherapistRequestsAChairAndTheStoreLendsIt(t *testing.T) {
	env := webtest.New(t)
	store := env.Token(env.User("store", "store@test", "Sam Store"))
	env.User("therapist", "ot@test", "Olu Therapist")
	chair := env.API(store, "POST", "/api/v1/products", map[string]any{"name": "Classroom chair", "category": "Seating", "kind": "returnable", "size": "Size 2"}).JSON(t)["id"]
	tag := env.API(store, "POST", "/api/v1/items", map[string]any{"product_id": chair, "condition": "good"}).JSON(t)["tag"].(string)
	b := tab{t: t, ctx: browsertest.New(t), base: env.HTTP.URL}

	// The therapist adds a child to their caseload.
	b.signInAs("ot@test")
	b.wantText("main .cards", "children on your caseload", "open requests")
	b.load("open Children", http.StatusOK, click(`header nav a[href="/children"]`))
	b.wantText("main .empty", "There are no children on your caseload yet.")
	b.load(`click "Add a child"`, http.StatusOK, click(`main a.button[href="/children/new"]`))
	b.do("fill in the child form",
		typeInto(`#f-given_name`, "Zoë"),
		typeInto(`#f-family_name`, "Łukasiewicz"),
		chromedp.SetValue(chromedp.CSS(`#f-date_of_birth`), "2017-03-14"),
		typeInto(`#f-NHS_number`, "943 476 5919"),
		chromedp.SendKeys(chromedp.CSS(`#f-home_address`), "1 Fictional Road\nTesttown TT1 1AA"), // an empty textarea cannot be cleared
		typeInto(`#f-school_or_setting`, "Hilltop Primary"),
		typeInto(`#f-carer_1_name`, "Pat Łukasiewicz"),
		typeInto(`#f-carer_1_relationship`, "mother"),
		typeInto(`#f-carer_1_phone`, "07700 900123"))
	b.load("add the child", http.StatusOK, click(`main form button[type=submit]`))
	b.wantText(".banner-success", "Zoë Łukasiewicz (C-000001) added to your caseload.")
	b.wantText("h1", "Zoë Łukasiewicz")
	b.wantText(".summary-list", "943 476 5919", "Pat Łukasiewicz (mother)", "Olu Therapist")
	childPath := b.path()

	// …and requests a chair for her.
	b.load(`click "Request equipment for Zoë"`, http.StatusOK, click(`main .actions a[href^="/requests/new"]`))
	b.wantText("h1", "Request equipment for Zoë")
	b.do("fill in the request",
		chromedp.SetValue(chromedp.CSS(`#f-product`), fmt.Sprint(chair)),
		click(`input[name=priority][value=urgent]`),
		click(`input[name=deliver_to][value=school]`),
		chromedp.SendKeys(chromedp.CSS(`#f-reason`), "Slumps in a standard chair; needs upright sitting for handwriting."))
	b.load("send the request", http.StatusOK, click(`main form button[type=submit]`))
	b.wantText(".banner-success", "Request R-000001 for Zoë Łukasiewicz sent to the store.")
	b.wantText("main", "Submitted – awaiting approval", "Hilltop Primary")
	requestPath := b.path()
	b.signOut()

	// The store approves it, allocates the chair by its tag and issues it.
	b.signInAs("store@test")
	b.wantText("main .cards", "request to approve")
	b.load("open Requests", http.StatusOK, click(`header nav a[href="/requests"]`))
	b.wantText("main tbody", "R-000001", "Zoë Łukasiewicz", "Classroom chair (Size 2)", "Urgent", "Submitted – awaiting approval")
	b.load("open the request", http.StatusOK, click(`main tbody a[href="`+requestPath+`"]`))
	b.load(`click "Approve request"`, http.StatusOK, click(`form[action$="/approve"] button`))
	b.wantText(".banner-success", "Request R-000001 approved.")
	b.do("scan the chair's tag", chromedp.SendKeys(chromedp.CSS(`#f-tags`), strings.ToLower(tag)))
	b.load(`click "Allocate items"`, http.StatusOK, click(`form[action$="/allocate"] button`))
	b.wantText(".banner-success", tag+" reserved for Zoë Łukasiewicz.")
	b.wantText("main", "Items reserved – ready to issue")
	b.load(`click "Issue to Zoë"`, http.StatusOK, click(`main a[href^="/loans/new?request_id="]`))
	if got := b.value(`#f-tags`); strings.TrimSpace(got) != tag {
		t.Errorf("the tags box should hold the reserved chair, %s; it holds %q", tag, got)
	}
	if !eval[bool](b, `document.querySelector("input[name=location][value=school]").checked`) {
		t.Error("the loan should go where the request asked: school")
	}
	b.wantText(`main form button[type=submit]`, "Issue 1 item to Zoë")
	b.do("say who receives it", typeInto(`#f-recipient`, "Mrs Head"), typeInto(`#f-relationship`, "SENCO"))
	b.load("issue the chair", http.StatusOK, click(`main form button[type=submit]`))
	b.wantText(".banner-success", "Issued "+tag+" to Zoë Łukasiewicz on loan L-000001.")
	b.wantText(".summary-list", "School or setting", "Mrs Head (SENCO)")
	b.wantText("main table", tag, "On loan")
	browsertest.Screenshot(t, b.ctx, "loan-issued")

	// Later the chair comes back: the store scans its label and books it in from there.
	b.load("scan the chair", http.StatusOK, chromedp.SendKeys(chromedp.CSS(`#scan-tag`), tag+"\n"))
	b.wantPath("/items/" + tag)
	b.wantText(".holder", "Zoë Łukasiewicz", "L-000001")
	b.load(`click "Book it in"`, http.StatusOK, click(`.holder a.button`))
	if !eval[bool](b, `document.getElementById("return-`+tag+`").checked`) {
		t.Error("the only item out should be ticked already")
	}
	b.do("choose the condition it came back in", chromedp.SetValue(chromedp.CSS(`#f-condition_of_`+tag), "fair"))
	b.wantText(`form[action$="/return"] button`, "Book in 1 item")
	b.load("book the chair in", http.StatusOK, click(`form[action$="/return"] button`))
	b.wantText(".banner-success", tag+" booked in: Returned – awaiting cleaning.", "the loan is closed")
	b.wantText("main table", "Returned – awaiting cleaning", "fair when returned")
	browsertest.Screenshot(t, b.ctx, "loan-returned")
	b.signOut()

	// The therapist reads every change of the request's status.
	b.signInAs("ot@test")
	b.open(requestPath, http.StatusOK)
	b.wantText("main", "Fulfilled – issued", "submitted → approved", "approved → allocated", "allocated → fulfilled")
	b.open(childPath, http.StatusOK)
	b.wantText("main", "Zoë holds no equipment from the store.", "Equipment returned", tag)

	// The new pages on a phone: nothing scrolls sideways.
	if err := browsertest.SetPhoneViewport(b.ctx); err != nil {
		t.Fatal(err)
	}
	for name, p := range map[string]string{"child": childPath, "request": requestPath, "children": "/children", "requests": "/requests",
		"loans": "/loans?view=all", "loan": "/loans/1", "add-child": "/children/new", "request-form": "/requests/new?child_id=1"} {
		b.open(p, http.StatusOK)
		b.noSidewaysScroll("the " + name + " page")
		browsertest.Screenshot(t, b.ctx, name+"-phone")
	}
	b.signOut()
	b.signInAs("store@test")
	for name, p := range map[string]string{"store-loan": "/loans/1", "store-request": requestPath, "store-child": childPath, "issue-form": "/loans/new?child_id=1"} {
		b.open(p, http.StatusOK)
		b.noSidewaysScroll("the " + name + " page")
		browsertest.Screenshot(t, b.ctx, name+"-phone")
	}
}
