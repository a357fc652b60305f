package web_test

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"kitloan/loans"
	"kitloan/web/browsertest"
	"kitloan/web/webtest"
)

// TestBrowserSignOnScreen is hand-over in a real Chromium: the store worker opens the
// agreement form, the grandmother signs on the pad with the mouse (pointer events), the
// Clear button empties it, she signs again, and the form records it. It fails when
// signature.js breaks, which the HTTP tests cannot see.
func TestBrowserSignOnScreen(t *testing.T) {
	w := newAgreementWorld(t)
	b := tab{t: t, ctx: browsertest.New(t), base: w.env.HTTP.URL}
	b.open("/login", http.StatusOK)
	b.do("type the email and password",
		chromedp.SendKeys(chromedp.CSS(`input[name=email]`), "store@test"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), webtest.Password))
	b.load("sign in", http.StatusOK, click(`main form button[type=submit]`))

	// A screen of pixel ratio 4 (a phone, or a laptop zoomed in): the pad draws as sharp
	// as the server takes, no larger, so that the signature is not refused as too large.
	if err := chromedp.Do(b.ctx, chromedp.EmulateViewport(1280, 900, chromedp.EmulateScale(4))); err != nil {
		t.Fatal(err)
	}
	page := fmt.Sprintf("/loans/%v/agreement", w.loanID)
	b.open(page, http.StatusOK)
	b.wantText("h1", "Record signed agreement")
	b.wantText(".signature-status", "Not signed yet.")
	type size struct{ W, H, CSSW, CSSH float64 }
	pad := eval[size](b, `(() => { const c = document.querySelector(".signature-canvas"); const r = c.getBoundingClientRect();
		return {W: c.width, H: c.height, CSSW: r.width, CSSH: r.height}; })()`)
	if pad.W*pad.H > loans.MaxSignaturePixels || pad.W < 1.5*pad.CSSW {
		t.Fatalf("at pixel ratio 4 the pad's %v × %v CSS pixels draw at %v × %v: want more than 1.5 times sharper, and at most %d pixels",
			pad.CSSW, pad.CSSH, pad.W, pad.H, loans.MaxSignaturePixels)
	}

	type box struct{ X, Y, W, H float64 }
	sign := func() {
		r := eval[box](b, `(() => { const c = document.querySelector(".signature-canvas"); c.scrollIntoView({block: "center"});
			const r = c.getBoundingClientRect(); return {X: r.left, Y: r.top, W: r.width, H: r.height}; })()`)
		if r.W < 200 || r.H < 100 {
			t.Fatalf("the signature pad is %vx%v px: too small to sign on, or hidden", r.W, r.H)
		}
		steps := []chromedp.Action[chromedp.Void]{chromedp.MouseEvent(chromedp.MousePressed, r.X+20, r.Y+r.H/2, chromedp.ButtonLeft, chromedp.ClickCount(1))}
		for i := 1; i <= 30; i++ {
			x := r.X + 20 + float64(i)*(r.W-40)/30
			y := r.Y + r.H/2 + float64((i%6)-3)*r.H/10
			steps = append(steps, chromedp.MouseEvent(chromedp.MouseMoved, x, y, chromedp.ButtonLeft, func(p *input.DispatchMouseEventParams) { p.Buttons = 1 }))
		}
		steps = append(steps, chromedp.MouseEvent(chromedp.MouseReleased, r.X+r.W-20, r.Y+r.H/2, chromedp.ButtonLeft, chromedp.ClickCount(1)))
		b.do("sign on the pad", steps...)
	}
	sign()
	b.wantText(".signature-status", "Signed.")
	if v := b.value(`input[name=signature]`); !strings.HasPrefix(v, "data:image/png;base64,") {
		t.Fatalf("the hidden field holds %.40q, want a PNG data URL", v)
	}
	b.do("clear the pad", click(`[data-clear]`))
	b.wantText(".signature-status", "Not signed yet.")
	if v := b.value(`input[name=signature]`); v != "" {
		t.Fatalf("Clear left %.40q in the hidden field", v)
	}
	sign()
	b.do("type who signed", typeInto(`#f-signer_name`, "Ольга Петренко"), typeInto(`#f-signer_relationship`, "grandmother"))
	if err := browsertest.SetDesktopViewport(b.ctx); err != nil { // a screenshot of ordinary size
		t.Fatal(err)
	}
	browsertest.Screenshot(t, b.ctx, "agreement-form-signed")
	b.load("record the agreement", http.StatusOK, click(`main form[data-agreement-form] button[type=submit]`))
	b.wantPath(page)
	b.wantText("main", "Signed agreement recorded for loan", "Signed by Ольга Петренко (grandmother)", "on screen", "Download the signed copy (PDF")
	st := w.must(t, w.store, "GET", w.path("/agreement"), nil, 200)
	if st["state"] != "signed" || st["signed_on_screen"] != true {
		t.Fatalf("after signing in the browser: %v", st)
	}

	// Print: the button records the printing and opens the agreement.
	b.load("print the agreement", http.StatusOK, click(`main form[action$="/agreement/print"] button`))
	if loc := run(b, "read the location", chromedp.Location()); !strings.HasSuffix(loc, fmt.Sprintf("/loans/%v/agreement.pdf", w.loanID)) {
		t.Errorf("the Print button should open the agreement; the browser is at %s", loc)
	}
	if st := w.must(t, w.store, "GET", w.path("/agreement"), nil, 200); st["print_count"] != float64(1) || st["state"] != "signed" {
		t.Errorf("after the Print button: %v", st)
	}

	// On a phone the pad fits the screen.
	if err := browsertest.SetPhoneViewport(b.ctx); err != nil {
		t.Fatal(err)
	}
	b.open(page, http.StatusOK)
	b.noSidewaysScroll("the agreement form")
	browsertest.Screenshot(t, b.ctx, "agreement-form-phone")

	// A scan a few bytes over the limit is refused at once, in bytes: "10.0 MB" twice
	// would not say what is wrong.
	scan := filepath.Join(t.TempDir(), "scan.pdf")
	if err := os.WriteFile(scan, make([]byte, loans.MaxSignedCopyBytes+8), 0o600); err != nil {
		t.Fatal(err)
	}
	b.do("choose a scan 8 bytes too large", chromedp.SetUploadFiles(chromedp.CSS(`#f-signed_copy`), []string{scan}))
	if got := eval[string](b, `document.getElementById("f-signed_copy-size").textContent`); !strings.Contains(got,
		"the file is 10,485,768 bytes; it must be 10.0 MB (10,485,760 bytes) or smaller") {
		t.Errorf("the message for a scan 8 bytes too large: %q", got)
	}
}
