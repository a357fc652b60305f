package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"kitloan/web/browsertest"
	"kitloan/web/webtest"
)

// TestBrowserAPIReferenceShowsEveryOperation opens the API reference in a real Chromium as
// a viewer: the vendored Swagger UI draws the served contract, with the operation "Issue a
// loan" and as many operations as the document has, under the pages' strict
// Content-Security-Policy, which the browser reports no breach of.
func TestBrowserAPIReferenceShowsEveryOperation(t *testing.T) {
	env := webtest.New(t)
	env.User("viewer", "viewer@test", "Vic Viewer")
	ctx := browsertest.New(t)

	// The browser reports each breach of the policy in its log, from the "security" source.
	breaches := browsertest.WatchConsole(ctx, func(m chromedp.ConsoleMessage) bool {
		return m.Source == "security" || strings.Contains(m.Text, "Content Security Policy")
	})

	b := tab{t: t, ctx: ctx, base: env.HTTP.URL}
	b.signInAs("viewer@test")
	b.open("/api/docs", http.StatusOK)
	b.do("wait for the reference to draw the operation Issue a loan", chromedp.WaitVisible(chromedp.JSPath(
		`Array.from(document.querySelectorAll("#swagger-ui .opblock-summary-description")).find(e => e.textContent.trim() === "Issue a loan")`)))
	operations := 0
	for _, item := range webtest.Contract(t).Paths.Map() {
		operations += len(item.Operations())
	}
	if drawn := eval[int](b, `document.querySelectorAll("#swagger-ui .opblock").length`); drawn != operations {
		t.Errorf("the reference draws %d operations, the document has %d", drawn, operations)
	}
	b.wantText("#swagger-ui", "kitloan API", "Get an item", "x-kitloan-roles")
	browsertest.Screenshot(t, ctx, "api-reference")

	for _, m := range breaches() {
		t.Errorf("the reference page breaks its Content-Security-Policy: %s", m)
	}
}
