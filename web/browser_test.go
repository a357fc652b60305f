package web_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"kitloan/web/browsertest"
	"kitloan/web/webtest"
)

// stepTimeout bounds one browser step. Query actions wait for their element to appear, so
// without it a missing element would use the whole of browsertest.Timeout before the test
// says which element it was waiting for.
const stepTimeout = 10 * time.Second

// tab is one test's browser tab, with helpers that fail the test, saying what it was
// doing, on any error.
type tab struct {
	t    *testing.T
	ctx  context.Context
	base string
}

func (b tab) step() (context.Context, context.CancelFunc) {
	return context.WithTimeout(b.ctx, stepTimeout)
}

// do runs actions that load no new page: typing, choosing, reading.
func (b tab) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

// load runs actions that load a page (a click on a link, a form's submit, Enter in a search
// box), waits for the page and checks its HTTP status.
func (b tab) load(what string, wantStatus int, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	res, err := chromedp.RunResponse(ctx, actions...)
	if err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
	if res.Status != int64(wantStatus) {
		b.t.Fatalf("%s: got HTTP %d at %s, want %d; the page says:\n%s", what, res.Status, res.URL, wantStatus, b.text("main"))
	}
}

// open loads a path of the service, as typing it into the address bar would.
func (b tab) open(path string, wantStatus int) {
	b.t.Helper()
	b.load("open "+path, wantStatus, chromedp.Navigate(b.base+path))
}

// text is the visible text of the first element that matches the CSS selector.
func (b tab) text(sel string) string {
	b.t.Helper()
	return run(b, "read the text of "+sel, chromedp.Text(chromedp.CSS(sel)))
}

// value is the current value of a form control.
func (b tab) value(sel string) string {
	b.t.Helper()
	return run(b, "read the value of "+sel, chromedp.Value(chromedp.CSS(sel)))
}

// path is the path and query of the page the tab shows.
func (b tab) path() string {
	b.t.Helper()
	loc := run(b, "read the location", chromedp.Location())
	if !strings.HasPrefix(loc, b.base) {
		b.t.Fatalf("the tab left the service: %s", loc)
	}
	return strings.TrimPrefix(loc, b.base)
}

// wantText fails the test unless the element's visible text contains every one of want.
func (b tab) wantText(sel string, want ...string) {
	b.t.Helper()
	got := b.text(sel)
	for _, w := range want {
		if !strings.Contains(got, w) {
			b.t.Errorf("%s should say %q; it says:\n%s", sel, w, got)
		}
	}
}

// wantPath fails the test unless the tab shows this path (and query).
func (b tab) wantPath(want string) {
	b.t.Helper()
	if got := b.path(); got != want {
		b.t.Fatalf("the browser is at %s, want %s", got, want)
	}
}

func run[T any](b tab, what string, a chromedp.Action[T]) T {
	b.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
	return v
}

func eval[T any](b tab, js string) T {
	b.t.Helper()
	return run(b, "evaluate "+js, chromedp.Evaluate[T](js))
}

// typeInto replaces what a field holds with what a person types, key by key.
func typeInto(sel, text string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(chromedp.Clear(chromedp.CSS(sel)), chromedp.SendKeys(chromedp.CSS(sel), text))
}

// click clicks the first element that matches the CSS selector.
func click(sel string) chromedp.Action[chromedp.Void] { return chromedp.Click(chromedp.CSS(sel)) }

// noSidewaysScroll fails the test if the page is wider than the phone's screen, which means
// the person has to scroll sideways (or zoom out) to read it. On a mobile viewport Chrome
// widens the layout viewport to fit content that is too wide, and window.innerWidth grows
// with it, so scrollWidth <= innerWidth alone would pass on a broken page: the width of
// the screen, clientWidth, is the measure.
func (b tab) noSidewaysScroll(what string) {
	b.t.Helper()
	type widths struct{ Scroll, Inner, Client int }
	w := eval[widths](b, `({Scroll: document.documentElement.scrollWidth, Inner: window.innerWidth, Client: document.documentElement.clientWidth})`)
	if w.Client != browsertest.PhoneWidth {
		b.t.Fatalf("checking %s: the viewport should be a phone's %dpx, not %dpx", what, browsertest.PhoneWidth, w.Client)
	}
	if w.Scroll > w.Client || w.Inner > w.Client {
		wide := eval[[]string](b, `Array.from(document.querySelectorAll("body *")).filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5).slice(-5).map(e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (typeof e.className === "string" && e.className ? "." + e.className.trim().split(/\s+/).join(".") : ""))`)
		b.t.Errorf("%s scrolls sideways on a phone: the page is %dpx wide on a %dpx screen; too wide: %v", what, w.Scroll, w.Client, wide)
	}
}

// TestBrowserStoreAddsAProductAndUnitsAndFindsThem is the foundation's journey in a real
// Chromium: a store worker signs in, adds a product to the catalogue (first forgetting its
// name), labels units of it, finds one by searching and by the header's scan box, and reads
// its history. It also checks the items list on a phone. It drives the real server through
// the real pages and app.js, so it fails when a form, a redirect, a banner or the phone
// layout breaks, which the HTTP-level tests cannot see.
func TestBrowserStoreAddsAProductAndUnitsAndFindsThem(t *testing.T) {
	env := webtest.New(t)
	env.User("store", "store@test", "Sam Store")
	b := tab{t: t, ctx: browsertest.New(t), base: env.HTTP.URL}

	// Sign in through the form.
	b.open("/login", http.StatusOK)
	b.wantText("h1", "Sign in")
	b.do("type the email and password",
		chromedp.SendKeys(chromedp.CSS(`input[name=email]`), "store@test"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), webtest.Password))
	b.load("sign in", http.StatusOK, click(`main form button[type=submit]`))
	b.wantPath("/")
	b.wantText("h1", "Hello, Sam Store")
	b.wantText("header .nav-user", "Sam Store (store)")

	// The catalogue, from the header's navigation.
	b.load("open the catalogue", http.StatusOK, click(`header nav a[href="/products"]`))
	b.wantPath("/products")
	b.wantText("main .empty", "The catalogue is empty.")
	b.load(`click "Add a product"`, http.StatusOK, click(`main a.button[href="/products/new"]`))
	b.wantPath("/products/new")
	b.wantText("h1", "Add a product")

	// Fill in everything but the name: the form comes back with the problem and keeps
	// what was typed.
	b.do("fill in the product form",
		chromedp.SetValue(chromedp.CSS(`#f-category`), "Seating"),
		click(`input[name=kind][value=returnable]`),
		typeInto(`#f-manufacturer`, "Jenx"),
		typeInto(`#f-size`, "Size 2"),
		typeInto(`#f-service_interval_days`, "365"))
	b.load("submit the product form without a name", http.StatusUnprocessableEntity, click(`main form button[type=submit]`))
	b.wantText("#error-summary", "There is a problem", "Name")
	if href := eval[string](b, `document.querySelector("#error-summary a").getAttribute("href")`); href != "#f-name" {
		t.Errorf("the error summary should link to the name field, #f-name; it links to %q", href)
	}
	if got := eval[string](b, `document.activeElement ? document.activeElement.id : ""`); got != "error-summary" {
		t.Errorf("app.js should put the keyboard on the error summary; the focus is on %q", got)
	}
	if title := run(b, "read the title", chromedp.Title()); !strings.HasPrefix(title, "Error: ") {
		t.Errorf("the title of a page with errors should start with \"Error: \" for screen readers; it is %q", title)
	}
	b.wantText(`.form-group-error:has(#f-name) .field-error`, "Error:")
	if n := eval[int](b, `document.querySelectorAll(".field-error").length`); n != 1 {
		t.Errorf("only the name should show an error; %d fields do", n)
	}
	for sel, want := range map[string]string{
		"#f-category": "Seating", "#f-manufacturer": "Jenx", "#f-size": "Size 2", "#f-service_interval_days": "365", "#f-name": "",
	} {
		if got := b.value(sel); got != want {
			t.Errorf("after the error, %s holds %q; it should keep %q", sel, got, want)
		}
	}
	if !eval[bool](b, `document.querySelector("input[name=kind][value=returnable]").checked`) {
		t.Error("after the error, the returnable radio should still be chosen")
	}

	// Give it its name; the product page confirms it.
	b.do("type the name", typeInto(`#f-name`, "Adjustable classroom chair"))
	b.load("submit the product form", http.StatusOK, click(`main form button[type=submit]`))
	if p := b.path(); !strings.HasPrefix(p, "/products/") || p == "/products/new" {
		t.Fatalf("after adding a product the browser should be on its page; it is at %s", p)
	}
	b.wantText(".banner-success", "Adjustable classroom chair (Size 2) added to the catalogue.")
	b.wantText("h1", "Adjustable classroom chair (Size 2)")
	b.wantText(".summary-list", "returnable", "Jenx", "Size 2", "every 365 days")
	b.wantText("main .empty", "No units of this product yet.")

	// Add units. A serial number needs one unit at a time, and the form says so.
	b.load(`click "Add units of this product"`, http.StatusOK, click(`main .actions a[href^="/items/new?product_id="]`))
	if got := eval[string](b, `document.querySelector("#f-product_id").selectedOptions[0].textContent`); !strings.Contains(got, "Adjustable classroom chair") {
		t.Errorf("the product should be chosen already; the select shows %q", got)
	}
	b.do("ask for 2 units with one serial number",
		typeInto(`#f-quantity`, "2"),
		typeInto(`#f-serial`, "JX-2026-0001"))
	b.load("submit 2 units with a serial", http.StatusUnprocessableEntity, click(`main form button[type=submit]`))
	b.wantText(`.form-group-error:has(#f-quantity) .field-error`, "add one unit at a time")
	if got := b.value(`#f-serial`); got != "JX-2026-0001" {
		t.Errorf("after the error the serial number should be kept; the field holds %q", got)
	}
	b.do("ask for 1 unit", typeInto(`#f-quantity`, "1"))
	b.load("add 1 unit", http.StatusOK, click(`main form button[type=submit]`))
	b.wantText(".banner-success", "1 item of Adjustable classroom chair (Size 2) added")
	b.wantText("h1", "Label the new items")
	b.wantText("main table tbody", "KL-000001", "JX-2026-0001", "Available")

	b.load(`click "Add more units"`, http.StatusOK, click(`main .actions a[href^="/items/new?product_id="]`))
	b.do("ask for 2 units", typeInto(`#f-quantity`, "2"))
	b.load("add 2 units", http.StatusOK, click(`main form button[type=submit]`))
	b.wantText(".banner-success", "2 items of Adjustable classroom chair (Size 2) added")
	if tags := eval[[]string](b, `Array.from(document.querySelectorAll("main tbody a.tag")).map(a => a.textContent)`); fmt.Sprint(tags) != "[KL-000002 KL-000003]" {
		t.Errorf("the new units should be tagged KL-000002 and KL-000003; the page lists %v", tags)
	}

	// Find the first unit by its tag from the items list.
	b.load("open the items list", http.StatusOK, click(`header nav a[href="/items"]`))
	b.wantPath("/items")
	b.wantText("main", "3 items")
	b.do("type the tag into the search", typeInto(`#f-q`, "KL-000001"))
	b.load("search", http.StatusOK, click(`form.filters button[type=submit]`))
	if p := b.path(); !strings.HasPrefix(p, "/items?q=KL-000001") {
		t.Errorf("the search should be in the address, to share or bookmark; the browser is at %s", p)
	}
	b.wantText("main", "1 item match")
	if tags := eval[[]string](b, `Array.from(document.querySelectorAll("main tbody a.tag")).map(a => a.textContent)`); fmt.Sprint(tags) != "[KL-000001]" {
		t.Errorf("searching for KL-000001 should list just that item; it lists %v", tags)
	}
	b.load("open the item", http.StatusOK, click(`main tbody a.tag`))
	b.wantPath("/items/KL-000001")
	b.wantText("h1", "KL-000001", "Adjustable classroom chair")
	b.wantText(".summary-list", "JX-2026-0001")
	b.wantText("main table tbody", "Added to the inventory", "Sam Store")
	browsertest.Screenshot(t, b.ctx, "item-page")

	// The header's scan box takes a tag as a person types it (or a scanner sends it), in
	// any case and with spaces around it, and Enter goes straight to the item.
	b.load("scan a tag into the header box", http.StatusOK, chromedp.SendKeys(chromedp.CSS(`#scan-tag`), "  kl-000003 \n"))
	b.wantPath("/items/KL-000003")
	b.wantText("h1", "KL-000003", "Adjustable classroom chair")
	// A tag that is on no item says so and searches instead of showing a dead end.
	b.load("scan an unknown tag", http.StatusOK, chromedp.SendKeys(chromedp.CSS(`#scan-tag`), "kl-999999\n"))
	b.wantPath("/items?q=KL-999999")
	b.wantText("main .banner", "No item has the tag KL-999999")
	b.wantText("main .empty", "No items match this search.")

	// On a phone: nothing scrolls sideways.
	if err := browsertest.SetPhoneViewport(b.ctx); err != nil {
		t.Fatal(err)
	}
	b.open("/items", http.StatusOK)
	b.noSidewaysScroll("the items list")
	browsertest.Screenshot(t, b.ctx, "items-phone")
	b.open("/items/KL-000001", http.StatusOK)
	b.noSidewaysScroll("an item's page")
}
