package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"kitloan/web/webtest"
)

// TestPrintButtonRecordsPrintingAndTheDownloadChangesNothing: a GET of the agreement, as
// a link or an image on another site would make the signed-in browser send, changes no
// loan; the Print button is a form posting with its CSRF token, which records the
// printing with its event and sends the browser on to the PDF (303).
func TestPrintButtonRecordsPrintingAndTheDownloadChangesNothing(t *testing.T) {
	w := newAgreementWorld(t)
	b := w.env.Browser()
	b.Login("store@test", webtest.Password)
	loanPage := fmt.Sprintf("/loans/%v", w.loanID)
	pdf, printPath := loanPage+"/agreement.pdf", loanPage+"/agreement/print"
	unchanged := func(what string) {
		t.Helper()
		st := w.must(t, w.store, "GET", w.path("/agreement"), nil, 200)
		if st["state"] != "not_printed" || st["print_count"] != float64(0) || w.events(t, "agreement_printed") != 0 {
			t.Fatalf("%s changed the agreement: %v, %d events", what, st, w.events(t, "agreement_printed"))
		}
	}

	// Each page with a Print button posts it, with the CSRF token; none links to the PDF.
	for _, page := range []string{loanPage, loanPage + "/agreement"} {
		r := b.Get(page)
		form := `<form method="post" action="` + printPath + `" class="inline"><input type="hidden" name="csrf_token" value="` + b.CSRF + `">`
		if r.Status != 200 || !strings.Contains(r.Body, form) || strings.Contains(r.Body, `href="`+pdf+`"`) {
			t.Errorf("%s should print through a form posting to %s: %d %.3000s", page, printPath, r.Status, r.Body)
		}
	}

	for _, path := range []string{pdf, w.path("/agreement.pdf")} {
		if r := b.Get(path); r.Status != 200 || r.Header.Get("Content-Type") != "application/pdf" {
			t.Fatalf("GET %s: %d %s", path, r.Status, r.Header.Get("Content-Type"))
		}
		unchanged("GET " + path)
	}
	if r := b.Get(printPath); r.Status != http.StatusMethodNotAllowed {
		t.Errorf("GET %s: %d, want 405", printPath, r.Status)
	}
	unchanged("GET " + printPath)
	if r := b.PostRaw(printPath, url.Values{}); r.Status != http.StatusForbidden {
		t.Errorf("a post without the CSRF token (from another site): %d, want 403", r.Status)
	}
	unchanged("a post without the CSRF token")

	// The button: recorded, then on to the PDF.
	u, _ := url.Parse(w.env.HTTP.URL + printPath)
	status, location := sendNoFollow(t, http.MethodPost, u.String(), url.Values{"csrf_token": {b.CSRF}}, b.Cookies(u))
	if status != http.StatusSeeOther || location != pdf {
		t.Fatalf("POST %s: %d to %q, want 303 to %s", printPath, status, location, pdf)
	}
	st := w.must(t, w.store, "GET", w.path("/agreement"), nil, 200)
	if st["state"] != "printed" || st["print_count"] != float64(1) || st["first_printed_by"] != "Sam Store" || w.events(t, "agreement_printed") != 1 {
		t.Fatalf("after the Print button: %v, %d events", st, w.events(t, "agreement_printed"))
	}
	if r := b.Post(printPath, url.Values{}); r.Status != 200 || r.Header.Get("Content-Type") != "application/pdf" || !strings.HasSuffix(r.URL, pdf) {
		t.Fatalf("the Print button, followed: %d %s at %s", r.Status, r.Header.Get("Content-Type"), r.URL)
	}
	if n := w.events(t, "agreement_printed"); n != 2 {
		t.Fatalf("%d agreement_printed events after printing twice, want 2", n)
	}

	// Recording printing is for whoever may download the agreement, on the pages and in
	// the API.
	for _, route := range []struct{ post, get string }{
		{"/loans/:id/agreement/print", "/loans/:id/agreement.pdf"},
		{"/api/v1/loans/:id/agreement/print", "/api/v1/loans/:id/agreement.pdf"},
	} {
		printers, public := w.env.Server.Access(http.MethodPost, route.post)
		readers, _ := w.env.Server.Access(http.MethodGet, route.get)
		if public || !slices.Equal(printers, readers) {
			t.Errorf("POST %s is open to %v (public %v); GET %s to %v", route.post, printers, public, route.get, readers)
		}
	}
}
