package web_test

import (
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"

	"kitloan/web/browsertest"
)

// TestBrowserImportShowsProgress checks a products file through the upload page in a real
// Chromium: the page sends it with progress shown (through XMLHttpRequest, which the
// test watches) and then shows the check's result.
func TestBrowserImportShowsProgress(t *testing.T) {
	w := newWorld(t, 0)
	w.env.User("admin", "admin@test", "Ada Admin")
	csv := filepath.Join(t.TempDir(), "products.csv")
	if err := os.WriteFile(csv, []byte("name,category,kind\nWedge cushion,Seating,returnable\nRocker knife,Cutlery,consumable\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	b := tab{t: t, ctx: browsertest.New(t), base: w.env.HTTP.URL}
	b.signInAs("admin@test")
	b.open("/imports", http.StatusOK)
	b.do("choose the file and watch for the upload",
		click(`input[name=kind][value=products]`),
		chromedp.SetUploadFiles(chromedp.CSS(`#f-file`), []string{csv}),
		chromedp.Evaluate[chromedp.Void](`(() => {
			const send = XMLHttpRequest.prototype.send;
			XMLHttpRequest.prototype.send = function (body) { window.kitloanUploads = (window.kitloanUploads || 0) + 1; return send.call(this, body); };
		})()`),
		click(`form[data-progress] button[type=submit]`),
	)
	b.wantText(".banner-success", "all 2 products are ready to import")
	if n := eval[int](b, `window.kitloanUploads || 0`); n != 1 {
		t.Fatalf("the file went by %d uploads with progress, want 1", n)
	}
}
