package web_test

import (
	"net/http"
	"testing"

	"kitloan/web/browsertest"
)

// TestBrowserReportsOnDesktopAndPhone opens the reports of a known quarter as a manager in
// a real Chromium: the three charts are drawn, each beside its table on a desktop and
// above it on a phone, and nothing makes a phone scroll sideways. Set
// KITLOAN_SCREENSHOT_DIR to keep the screenshots.
func TestBrowserReportsOnDesktopAndPhone(t *testing.T) {
	w := newReportWorld(t)
	b := tab{t: t, ctx: browsertest.New(t), base: w.env.HTTP.URL}
	b.signInAs("viewer@test")
	b.wantText("main", "The last 12 months")
	b.open("/reports?from="+periodFrom+"&to="+periodTo, http.StatusOK)
	b.wantText("h1", "Reports")
	type box struct{ Charts, Drawn, SideBySide int }
	layout := func() box {
		return eval[box](b, `(() => {
			const pairs = Array.from(document.querySelectorAll(".chart-pair"));
			const svgs = Array.from(document.querySelectorAll("svg.chart"));
			return {
				Charts: svgs.length,
				Drawn: svgs.filter(s => s.getBoundingClientRect().width > 200 && s.querySelectorAll("rect").length > 0).length,
				SideBySide: pairs.filter(p => { const [f, t] = p.children; return t.getBoundingClientRect().left >= f.getBoundingClientRect().right - 1; }).length,
			};
		})()`)
	}
	if got := layout(); got != (box{Charts: 3, Drawn: 3, SideBySide: 3}) {
		t.Errorf("desktop: %+v, want 3 charts drawn, each beside its table", got)
	}
	browsertest.Screenshot(t, b.ctx, "reports-desktop")
	if err := browsertest.SetPhoneViewport(b.ctx); err != nil {
		t.Fatal(err)
	}
	b.open("/reports?from="+periodFrom+"&to="+periodTo, http.StatusOK)
	if got := layout(); got != (box{Charts: 3, Drawn: 3, SideBySide: 0}) {
		t.Errorf("phone: %+v, want 3 charts drawn, each above its table", got)
	}
	b.noSidewaysScroll("the reports page")
	browsertest.Screenshot(t, b.ctx, "reports-phone")
	b.open("/", http.StatusOK)
	b.noSidewaysScroll("a manager's home page")
	browsertest.Screenshot(t, b.ctx, "home-viewer-phone")
}
