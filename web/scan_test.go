package web_test

import (
	"bytes"
	"fmt"
	"image/png"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"kitloan/internal/testtools"
	"kitloan/web/browsertest"
	"kitloan/web/webtest"
)

// TestPublicScanPageLeaksNothingPersonal scans the label of a chair on loan to a child
// made in this test, signed out: the page names the product, the tag and the service, and
// nothing about the child, their address, their carers or the loan.
func TestPublicScanPageLeaksNothingPersonal(t *testing.T) {
	w := newWorld(t, 1)
	w.env.Server.Settings.Set(t.Context(), map[string]string{"service_phone": "0300 123 4567", "service_name": "Testshire Equipment Store"})
	zoe := w.must(t, w.ot, "POST", "/api/v1/children", map[string]any{"given_name": "Zoë", "family_name": "Quixley-Marchbanks",
		"date_of_birth": "2016-05-06", "nhs_number": "9434765919", "address": "17 Secretive Lane, Hidden Town, HT1 2AB", "setting": "Larkspur Academy",
		"carers": []map[string]any{{"name": "Morwenna Quixley", "relationship": "mother", "phone": "07700 900777", "email": "mq@example.org"}}}, 201)["id"]
	loan := w.must(t, w.store, "POST", "/api/v1/loans", map[string]any{"child_id": zoe, "tags": []string{w.tags[0]}, "location": "home",
		"recipient": "Morwenna Quixley", "recipient_relationship": "mother"}, 201)
	tag := w.tags[0]
	public := w.env.Browser()
	for _, path := range []string{"/t/" + tag, "/t/" + strings.ToLower(tag), "/t/%20" + tag + "%20"} {
		r := public.Get(path)
		if r.Status != http.StatusOK {
			t.Fatalf("%s: %d", path, r.Status)
		}
		for _, secret := range []string{"Zoë", "Quixley", "Marchbanks", "Secretive", "HT1 2AB", "Larkspur", "Morwenna", "07700 900777",
			"mq@example.org", "943", "/loans/", "Loan", "mother", "Olu Therapist", "review"} {
			if strings.Contains(r.Body, secret) {
				t.Errorf("the public scan page %s shows %q", path, secret)
			}
		}
		for _, want := range []string{"Classroom chair", tag, "Testshire Equipment Store", "0300 123 4567"} {
			if !strings.Contains(r.Body, want) {
				t.Errorf("the public scan page %s lacks %q", path, want)
			}
		}
	}
	// Signed in, store staff see the full item and who holds it.
	staff := w.env.Browser()
	staff.Login("store@test", webtest.Password)
	r := staff.Get("/t/" + strings.ToLower(tag))
	for _, want := range []string{"Zoë Quixley-Marchbanks", loan["reference"].(string), "History", "Print label"} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("the signed-in scan page lacks %q", want)
		}
	}
}

func TestUnknownTagIsAFriendly404(t *testing.T) {
	env := webtest.New(t)
	r := env.Browser().Get("/t/KL-404404")
	if r.Status != http.StatusNotFound || !strings.Contains(r.Body, "We could not find this label") || !strings.Contains(r.Body, "Phone") {
		t.Fatalf("%d %.400s", r.Status, r.Body)
	}
}

func TestScanBoxTakesATagOrALabelURL(t *testing.T) {
	w := newWorld(t, 1)
	b := w.env.Browser()
	b.Login("store@test", webtest.Password)
	for _, typed := range []string{" " + strings.ToLower(w.tags[0]) + " ", w.env.HTTP.URL + "/t/" + w.tags[0]} {
		r := b.Get("/scan?tag=" + urlQuery(typed))
		if !strings.HasSuffix(r.URL, "/items/"+w.tags[0]) {
			t.Errorf("scanning %q landed on %s", typed, r.URL)
		}
	}
	if r := b.Get("/scan?tag=KL-NOPE"); !strings.Contains(r.Body, "No item has the tag KL-NOPE") {
		t.Errorf("unknown tag in the scan box: %.300s", r.Body)
	}
	if r := b.Get("/scan/camera"); r.Status != 200 || !strings.Contains(r.Body, "camera app") || !strings.Contains(r.Body, "/static/scan.js") {
		t.Errorf("camera scan page: %d", r.Status)
	}
}

func urlQuery(s string) string {
	r := strings.NewReplacer(" ", "%20", ":", "%3A", "/", "%2F")
	return r.Replace(s)
}

// TestLabelSheetDownloadScans prints labels through the API and reads the QR codes back.
func TestLabelSheetDownloadScans(t *testing.T) {
	pdftoppm := testtools.Require(t, "pdftoppm")
	zbarimg := testtools.Require(t, "zbarimg")
	w := newWorld(t, 4)
	r := w.env.API(w.store, "GET", "/api/v1/labels.pdf?tag="+w.tags[0]+"&tag="+strings.ToLower(w.tags[1])+"&tag="+w.tags[2]+"&layout=avery-l7160&skip=2&copies=1", nil)
	if r.Status != 200 || r.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(r.Body, "%PDF") {
		t.Fatalf("labels.pdf: %d %s %.100s", r.Status, r.Header.Get("Content-Type"), r.Body)
	}
	dir := t.TempDir()
	pdf := filepath.Join(dir, "labels.pdf")
	os.WriteFile(pdf, []byte(r.Body), 0o600)
	if out, err := exec.Command(pdftoppm, "-r", "300", "-gray", "-png", pdf, filepath.Join(dir, "page")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, out)
	}
	pages, _ := filepath.Glob(filepath.Join(dir, "page*.png"))
	out, _ := exec.Command(zbarimg, append([]string{"--raw", "-q"}, pages...)...).Output()
	got := strings.Fields(string(out))
	sort.Strings(got)
	want := []string{w.env.HTTP.URL + "/t/" + w.tags[0], w.env.HTTP.URL + "/t/" + w.tags[1], w.env.HTTP.URL + "/t/" + w.tags[2]}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("decoded %v, want %v", got, want)
	}
	for q, field := range map[string]string{"tag=KL-000404": "tag", "tag=" + w.tags[0] + "&layout=avery-9999": "layout", "tag=" + w.tags[0] + "&skip=99": "skip", "tag=" + w.tags[0] + "&copies=lots": "copies", "": "tag"} {
		r := w.env.API(w.store, "GET", "/api/v1/labels.pdf?"+q, nil)
		if r.Status != 422 || !strings.Contains(r.Body, `"`+field+`"`) {
			t.Errorf("labels.pdf?%s: %d %s, want 422 naming %s", q, r.Status, r.Body, field)
		}
	}
	// The print page lists the chosen labels; the PNG of one label is a real image.
	b := w.env.Browser()
	b.Login("store@test", webtest.Password)
	if p := b.Get("/labels?tag=" + w.tags[3]); p.Status != 200 || !strings.Contains(p.Body, "Print 1 label") {
		t.Fatalf("labels page: %d", p.Status)
	}
	if p := b.Get("/labels?all=1&q=" + w.tags[3]); !strings.Contains(p.Body, "Print 1 label") {
		t.Fatalf("labels for a filter: %.300s", p.Body)
	}
	img := b.Get("/items/" + w.tags[3] + "/label.png")
	if _, err := png.Decode(bytes.NewReader([]byte(img.Body))); err != nil || img.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("label.png: %v", err)
	}
}

// TestIssueFromTheItemPage follows the item page's "Issue to a child" through the child
// list to the loan form with the tag filled in.
func TestIssueFromTheItemPage(t *testing.T) {
	w := newWorld(t, 1)
	w.child(t, w.ot, "Zoë Adams")
	b := w.env.Browser()
	b.Login("store@test", webtest.Password)
	if r := b.Get("/t/" + w.tags[0]); !strings.Contains(r.Body, `href="/children?issue=`+w.tags[0]+`"`) {
		t.Fatalf("the item page has no issue action: %.300s", r.Body)
	}
	r := b.Get("/children?issue=" + strings.ToLower(w.tags[0]))
	if !strings.Contains(r.Body, "Issue "+w.tags[0]+" to Zoë") {
		t.Fatalf("the child list does not offer the issue: %.500s", r.Body)
	}
	r = b.Get("/loans/new?child_id=1&tag=" + w.tags[0])
	if !strings.Contains(r.Body, w.tags[0]+"</textarea>") {
		t.Fatalf("the loan form does not have the tag: %.800s", r.Body)
	}
}

// TestPublicScanPageIsRateLimited: an address opening scan pages without a session faster
// than a person would is slowed with 429; a signed-in user is not.
func TestPublicScanPageIsRateLimited(t *testing.T) {
	w := newWorld(t, 1)
	public := w.env.Browser()
	limited := 0
	for range 40 {
		if r := public.Get("/t/" + w.tags[0]); r.Status == http.StatusTooManyRequests {
			limited++
			if !strings.Contains(r.Body, "Wait a few seconds") || r.Header.Get("Retry-After") == "" {
				t.Fatalf("429 page: %.300s", r.Body)
			}
		}
	}
	if limited < 15 {
		t.Fatalf("%d of 40 quick scans were limited, want at least 15", limited)
	}
	staff := w.env.Browser()
	staff.Login("store@test", webtest.Password)
	for range 40 {
		if r := staff.Get("/t/" + w.tags[0]); r.Status != http.StatusOK {
			t.Fatalf("signed-in scan: %d", r.Status)
		}
	}
}

// TestRecalledItemWarnsWhoeverScansIt records a field safety notice for a product with one
// unit on loan and one in the store: the public scan page of each tells whoever scans it
// to stop using it, with the notice's action and the store's phone number, and the staff
// item page shows the notice; once an item's recall action is done its warning goes, and
// a product with no notice warns nobody.
func TestRecalledItemWarnsWhoeverScansIt(t *testing.T) {
	w := newWorld(t, 3)
	w.env.Server.Settings.Set(t.Context(), map[string]string{"service_phone": "0300 123 4567"})
	zoe := w.child(t, w.ot, "Zoë Adams")
	w.onLoan(t, zoe, w.tags[0])
	public := w.env.Browser()
	if r := public.Get("/t/" + w.tags[0]); strings.Contains(r.Body, "Stop using this") {
		t.Fatalf("the scan page warns before any notice: %.300s", r.Body)
	}
	recall := w.must(t, w.store, "POST", "/api/v1/recalls", map[string]any{"product_id": w.chair, "reference": "FSN 2026-114",
		"action": "The seat bolts can shear. Do not sit a child in the chair until we have replaced them."}, 201)
	for _, tag := range w.tags {
		r := public.Get("/t/" + tag)
		for _, want := range []string{"Stop using this", "FSN 2026-114", "The seat bolts can shear", "0300 123 4567", tag} {
			if !strings.Contains(r.Body, want) {
				t.Errorf("the public scan page of %s (status %d) lacks %q", tag, r.Status, want)
			}
		}
	}
	staff := w.env.Browser()
	staff.Login("store@test", webtest.Password)
	if r := staff.Get("/items/" + w.tags[0]); !strings.Contains(r.Body, "Safety notice FSN 2026-114") || !strings.Contains(r.Body, "The seat bolts can shear") {
		t.Errorf("the staff item page lacks the notice: %.500s", r.Body)
	}
	w.must(t, w.store, "POST", fmt.Sprintf("/api/v1/recalls/%v/done", recall["id"]), map[string]any{"tag": w.tags[1], "notes": "bolts replaced"}, 200)
	if r := public.Get("/t/" + w.tags[1]); strings.Contains(r.Body, "Stop using this") {
		t.Errorf("the scan page still warns after the item's action was done")
	}
	if r := public.Get("/t/" + w.tags[2]); !strings.Contains(r.Body, "Stop using this") {
		t.Errorf("another unit's warning went with the first's action")
	}
}

// TestBrowserRecallWarningOnAPhone opens the public scan page of a recalled chair in
// Chromium at a phone's size, as a family would from the label: the warning is the
// page's alert, and its phone number is a link that dials.
func TestBrowserRecallWarningOnAPhone(t *testing.T) {
	w := newWorld(t, 1)
	w.env.Server.Settings.Set(t.Context(), map[string]string{"service_phone": "0300 123 4567"})
	w.must(t, w.store, "POST", "/api/v1/recalls", map[string]any{"product_id": w.chair, "reference": "FSN 2026-114",
		"action": "Do not sit a child in the chair."}, 201)
	b := tab{t: t, ctx: browsertest.New(t), base: w.env.HTTP.URL}
	if err := browsertest.SetPhoneViewport(b.ctx); err != nil {
		t.Fatal(err)
	}
	b.open("/t/"+w.tags[0], http.StatusOK)
	b.wantText(`[role=alert] h2`, "Stop using this")
	b.wantText(`[role=alert] .safety-action`, "Do not sit a child in the chair.")
	b.wantText(`[role=alert] a[href^="tel:"]`, "0300 123 4567")
	browsertest.Screenshot(t, b.ctx, "recall-warning-phone")
}
