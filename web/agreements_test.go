package web_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"kitloan/internal/testtools"
	"kitloan/loans"
	"kitloan/papers"
	"kitloan/web/webtest"
)

// agreementWorld is a world with a loan of three chairs to Zoë, received by her
// grandmother at home.
type agreementWorld struct {
	*world
	loanID float64
	viewer string
}

func newAgreementWorld(t *testing.T) *agreementWorld {
	t.Helper()
	w := &agreementWorld{world: newWorld(t, 6)}
	w.viewer = w.env.Token(w.env.User("viewer", "viewer@test", "Vic Viewer"))
	zoe := w.child(t, w.ot, "Zoë Łukasiewicz-Nguyễn")
	w.loanID = w.must(t, w.store, "POST", "/api/v1/loans", map[string]any{"child_id": zoe, "tags": w.tags[:3], "location": "home",
		"recipient": "Ольга Петренко", "recipient_relationship": "grandmother"}, 201)["id"].(float64)
	return w
}

func (w *agreementWorld) path(suffix string) string {
	return fmt.Sprintf("/api/v1/loans/%v%s", w.loanID, suffix)
}

// get fetches a path with a token and returns the status, content type and body.
func (w *agreementWorld) get(t *testing.T, token, path string) (int, string, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, w.env.HTTP.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := (&http.Client{Transport: webtest.Transport(t)}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, res.Header.Get("Content-Type"), b
}

// form builds a multipart body: the fields, and a file in signed_copy when name is not "".
func form(t *testing.T, fields map[string]string, name string, file []byte) (*bytes.Buffer, string) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	if name != "" {
		fw, err := mw.CreateFormFile("signed_copy", name)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(file)
	}
	mw.Close()
	return &body, mw.FormDataContentType()
}

// record posts the signed agreement to the API and returns the status and the JSON.
func (w *agreementWorld) record(t *testing.T, token string, fields map[string]string, name string, file []byte) (int, map[string]any) {
	t.Helper()
	body, ct := form(t, fields, name, file)
	req, _ := http.NewRequest(http.MethodPost, w.env.HTTP.URL+w.path("/agreement"), body)
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := (&http.Client{Transport: webtest.Transport(t)}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	r := webtest.Response{Status: res.StatusCode}
	b, _ := io.ReadAll(res.Body)
	r.Body = string(b)
	return res.StatusCode, r.JSON(t)
}

func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	pdftotext := testtools.Require(t, "pdftotext")
	name := filepath.Join(t.TempDir(), "paper.pdf")
	if err := os.WriteFile(name, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(pdftotext, name, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return strings.Join(strings.Fields(string(out)), " ")
}

func (w *agreementWorld) count(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	if err := w.env.DB.Read.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func (w *agreementWorld) events(t *testing.T, action string) int {
	return w.count(t, `SELECT count(*) FROM events WHERE entity = 'loan' AND entity_id = ? AND action = ?`, w.loanID, action)
}

// fakePDF is a signed copy with every byte value in it, so that a download that changed
// a single byte (a charset, a line ending) would show.
func fakePDF() []byte {
	var b []byte
	for i := range 3000 {
		b = append(b, byte(i*7))
	}
	return testtools.PDF("signed copy", b)
}

// TestAgreementIsPrintedAndMarkedPrinted: the download of the agreement changes nothing;
// printing is recorded by POST /api/v1/loans/:id/agreement/print.
func TestAgreementIsPrintedAndMarkedPrinted(t *testing.T) {
	w := newAgreementWorld(t)
	if st := w.must(t, w.store, "GET", w.path("/agreement"), nil, 200); st["state"] != "not_printed" || st["signed_copy"] != nil {
		t.Fatalf("a new loan's agreement: %v", st)
	}
	status, ct, pdf := w.get(t, w.store, w.path("/agreement.pdf"))
	if status != 200 || ct != "application/pdf" {
		t.Fatalf("agreement.pdf: %d %s", status, ct)
	}
	text := pdfText(t, pdf)
	for _, want := range append([]string{"Zoë Łukasiewicz-Nguyễn", "Ольга Петренко (grandmother)", "Sam Store", papers.DefaultTerms[:40]}, w.tags[:3]...) {
		if !strings.Contains(text, want) {
			t.Errorf("the agreement lacks %q", want)
		}
	}
	// The QR code opens the loan's page at the service's base URL.
	pdftoppm, zbarimg := testtools.Require(t, "pdftoppm"), testtools.Require(t, "zbarimg")
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.pdf"), pdf, 0o600)
	if out, err := exec.Command(pdftoppm, "-r", "150", "-gray", "-png", "-singlefile", "-f", "1", "-l", "1", filepath.Join(dir, "a.pdf"), filepath.Join(dir, "p")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, out)
	}
	out, err := exec.Command(zbarimg, "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", filepath.Join(dir, "p.png")).Output()
	if want := fmt.Sprintf("%s/loans/%v", w.env.HTTP.URL, w.loanID); err != nil || strings.TrimSpace(string(out)) != want {
		t.Errorf("QR code: %q (%v), want %q", out, err, want)
	}

	if st := w.must(t, w.store, "GET", w.path("/agreement"), nil, 200); st["state"] != "not_printed" || w.events(t, "agreement_printed") != 0 {
		t.Fatalf("downloading the agreement changed it: %v", st)
	}
	st := w.must(t, w.store, "POST", w.path("/agreement/print"), nil, 200)
	if st["state"] != "printed" || st["print_count"] != float64(1) || st["first_printed_by"] != "Sam Store" || st["state_label"] == "" {
		t.Fatalf("after printing: %v", st)
	}
	if n := w.events(t, "agreement_printed"); n != 1 {
		t.Fatalf("%d agreement_printed events, want 1", n)
	}
	// The therapist prints their own child's; another therapist's child's loan does not
	// exist for them; a viewer may not.
	for _, tc := range []struct {
		who    string
		token  string
		status int
	}{{"therapist's own child", w.ot, 200}, {"another therapist", w.other, 404}, {"viewer", w.viewer, 403}} {
		if status, _, _ := w.get(t, tc.token, w.path("/agreement.pdf")); status != tc.status {
			t.Errorf("%s downloading: %d, want %d", tc.who, status, tc.status)
		}
		if r := w.env.API(tc.token, "POST", w.path("/agreement/print"), nil); r.Status != tc.status {
			t.Errorf("%s printing: %d, want %d", tc.who, r.Status, tc.status)
		}
	}
	if st := w.must(t, w.store, "GET", w.path("/agreement"), nil, 200); st["state"] != "printed" || st["print_count"] != float64(2) {
		t.Fatalf("a second print: %v", st)
	}
	if n := w.events(t, "agreement_printed"); n != 2 {
		t.Fatalf("%d agreement_printed events, want 2", n)
	}
}

func TestSignedCopyIsStoredAndDownloadsByteIdentical(t *testing.T) {
	w := newAgreementWorld(t)
	scan := fakePDF()
	status, body := w.record(t, w.store, map[string]string{"signer_name": "Ольга Петренко", "signer_relationship": "grandmother",
		"signed_on": time.Now().Format("2006-01-02")}, "IMG_0042.PDF", scan)
	sum := sha256.Sum256(scan)
	copyInfo, _ := body["signed_copy"].(map[string]any)
	if status != 200 || body["state"] != "signed" || copyInfo == nil || copyInfo["sha256"] != hex.EncodeToString(sum[:]) ||
		copyInfo["content_type"] != "application/pdf" || copyInfo["size"] != float64(len(scan)) || body["recorded_by"] != "Sam Store" {
		t.Fatalf("record: %d %v", status, body)
	}
	for _, path := range []string{w.path("/agreement/signed"), fmt.Sprintf("/loans/%v/agreement/signed", w.loanID)} {
		status, ct, got := w.get(t, w.store, path)
		if status != 200 || ct != "application/pdf" || !bytes.Equal(got, scan) {
			t.Fatalf("%s: %d %s, %d bytes; want the %d bytes uploaded", path, status, ct, len(got), len(scan))
		}
	}
	// The therapist may download their own child's; the other therapist may not.
	if status, _, got := w.get(t, w.ot, w.path("/agreement/signed")); status != 200 || !bytes.Equal(got, scan) {
		t.Errorf("therapist: %d", status)
	}
	if status, _, _ := w.get(t, w.other, w.path("/agreement/signed")); status != 404 {
		t.Errorf("other therapist: %d, want 404", status)
	}
	// Recording again (a better photo) replaces the copy; the event keeps the old hash.
	photo := pngOf(t, 120, 80)
	if status, body := w.record(t, w.store, map[string]string{"signer_name": "Ольга Петренко"}, "photo.pdf", photo); status != 200 ||
		body["signed_copy"].(map[string]any)["content_type"] != "image/png" {
		t.Fatalf("record again: %d %v", status, body)
	}
	if status, ct, got := w.get(t, w.store, w.path("/agreement/signed")); status != 200 || ct != "image/png" || !bytes.Equal(got, photo) {
		t.Fatalf("after replacing: %d %s", status, ct)
	}
	if n := w.events(t, "agreement_signed"); n != 2 {
		t.Fatalf("%d agreement_signed events, want 2", n)
	}
	var details string
	w.env.DB.Read.QueryRow(`SELECT details FROM events WHERE action = 'agreement_signed' ORDER BY id DESC LIMIT 1`).Scan(&details)
	if !strings.Contains(details, hex.EncodeToString(sum[:])) || !strings.Contains(details, `"replaced":true`) {
		t.Errorf("the replacing event should name the replaced copy: %s", details)
	}
	// The printed agreement now shows who signed, and that it was on paper.
	_, _, pdf := w.get(t, w.store, w.path("/agreement.pdf"))
	if text := pdfText(t, pdf); !strings.Contains(text, "Signed on paper") {
		t.Errorf("the agreement after signing: %s", text)
	}
	if st := w.must(t, w.store, "GET", w.path("/agreement"), nil, 200); st["state"] != "signed" {
		t.Errorf("printing a signed agreement changed its state: %v", st)
	}
}

func pngOf(t *testing.T, wd, ht int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, wd, ht))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// A refused upload names the field and what is wrong, and stores nothing.
func TestAgreementUploadRefusals(t *testing.T) {
	w := newAgreementWorld(t)
	tomorrow := time.Now().AddDate(0, 0, 2).Format("2006-01-02")
	oversized := append([]byte("%PDF-1.4\n"), make([]byte, loans.MaxSignedCopyBytes)...)
	huge := append([]byte("%PDF-1.4\n"), make([]byte, loans.MaxSignedCopyBytes+3<<20)...)
	named := map[string]string{"signer_name": "Ольга Петренко"}
	for _, tc := range []struct {
		name   string
		fields map[string]string
		file   string
		data   []byte
		status int
		field  string
		says   string
	}{
		{"an ELF program renamed scan.pdf", named, "scan.pdf", []byte("\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00>\x00"), 415, "signed_copy", "is a program"},
		{"a Windows program renamed scan.pdf", named, "scan.pdf", []byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"), 415, "signed_copy", "is a program"},
		{"a text file renamed scan.jpg", named, "scan.jpg", []byte("just some words"), 415, "signed_copy", "PDF, JPEG or PNG"},
		{"a file just over the limit", named, "scan.pdf", oversized, 413, "signed_copy", "must be 10.0 MB (10,485,760 bytes) or smaller; this file is 10,485,769 bytes"},
		{"a body far over the limit", named, "scan.pdf", huge, 413, "signed_copy", "10 MB or smaller"},
		{"no signer name", map[string]string{"signer_relationship": "grandmother"}, "scan.pdf", fakePDF(), 422, "signer_name", "is required"},
		{"signed in the future", map[string]string{"signer_name": "Pat", "signed_on": tomorrow}, "scan.pdf", fakePDF(), 422, "signed_on", "future"},
		{"no scan and no signature", named, "", nil, 422, "signed_copy", "choose the scan"},
		{"an empty file", named, "scan.pdf", nil, 422, "signed_copy", "is empty"},
		{"HTML and a program behind a PDF header", named, "scan.pdf", []byte("%PDF-1.7\n<html><body>hello</body></html>\n\x7fELF\x02\x01\x01\x00\n%%EOF\n"), 415, "signed_copy", "could not be read as one"},
		{"a PDF cut short", named, "scan.pdf", fakePDF()[:1500], 415, "signed_copy", "is not a complete PDF"},
		{"a 1 KB PNG of 50,000 × 50,000 pixels", named, "photo.png", testtools.PNGBomb(50_000, 50_000), 413, "signed_copy", "is 50,000 × 50,000 pixels; the largest we take is 50 megapixels"},
		{"a signature pad image of 4,000 × 2,000 pixels", map[string]string{"signer_name": "Pat", "signature": "data:image/png;base64," + base64.StdEncoding.EncodeToString(testtools.PNGBomb(4000, 2000))}, "", nil, 422, "signature", "is 4,000 × 2,000 pixels"},
	} {
		status, body := w.record(t, w.store, tc.fields, tc.file, tc.data)
		e, _ := body["error"].(map[string]any)
		fields, _ := e["fields"].(map[string]any)
		problem, _ := fields[tc.field].(string)
		if status != tc.status || !strings.Contains(problem, tc.says) {
			t.Errorf("%s: %d %v; want %d naming %s (%q)", tc.name, status, body, tc.status, tc.field, tc.says)
		}
	}
	// A therapist cannot record one.
	if status, _ := w.record(t, w.ot, named, "scan.pdf", fakePDF()); status != 403 {
		t.Errorf("therapist recording: %d, want 403", status)
	}
	if n := w.count(t, `SELECT (SELECT count(*) FROM loan_agreements) + (SELECT count(*) FROM agreement_copies)`); n != 0 {
		t.Fatalf("refused uploads stored %d rows", n)
	}
	if n := w.events(t, "agreement_signed"); n != 0 {
		t.Fatalf("refused uploads wrote %d events", n)
	}
}

// signatureDataURL is a scribble as the signature pad sends it.
func signatureDataURL(t *testing.T) string {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, 400, 120))
	for x := 30; x < 370; x++ {
		y := 60 + (x%50 - 25)
		for d := -2; d <= 2; d++ {
			img.Set(x, y+d, color.NRGBA{10, 10, 10, 255})
		}
	}
	var b bytes.Buffer
	png.Encode(&b, img)
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString(b.Bytes())
}

// browserPost sends a multipart form as the signed-in browser, with its CSRF token.
func browserPost(t *testing.T, env *webtest.Env, b *webtest.Browser, path string, fields map[string]string, name string, file []byte) webtest.Response {
	t.Helper()
	fields["csrf_token"] = b.CSRF
	body, ct := form(t, fields, name, file)
	u, _ := url.Parse(env.HTTP.URL)
	jar, _ := cookiejar.New(nil)
	jar.SetCookies(u, b.Cookies(u))
	req, _ := http.NewRequest(http.MethodPost, env.HTTP.URL+path, body)
	req.Header.Set("Content-Type", ct)
	res, err := (&http.Client{Jar: jar}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	rb, _ := io.ReadAll(res.Body)
	return webtest.Response{Status: res.StatusCode, Header: res.Header, Body: string(rb), URL: res.Request.URL.String()}
}

func TestAgreementFormRecordsASignatureDrawnOnScreen(t *testing.T) {
	w := newAgreementWorld(t)
	w.env.User("store", "desk@test", "Dee Desk")
	b := w.env.Browser()
	b.Login("desk@test", webtest.Password)
	page := fmt.Sprintf("/loans/%v/agreement", w.loanID)
	r := b.Get(page)
	if r.Status != 200 || !strings.Contains(r.Body, "Record signed agreement") || !strings.Contains(r.Body, "Not printed") ||
		!strings.Contains(r.Body, `src="/static/signature.js"`) || !strings.Contains(r.Body, "parent or carer") {
		t.Fatalf("form: %d %.600s", r.Status, r.Body)
	}
	if strings.Contains(r.Body, "<script>") || strings.Contains(r.Body, " style=") {
		t.Error("the form has inline script or style, which the CSP forbids")
	}
	// A missing name: the form again, the problem beside the field, the rest kept.
	r = browserPost(t, w.env, b, page, map[string]string{"signer_relationship": "grandmother"}, "scan.pdf", fakePDF())
	if r.Status != 422 || !strings.Contains(r.Body, `href="#f-signer_name"`) || !strings.Contains(r.Body, "Signer name is required") ||
		!strings.Contains(r.Body, `value="grandmother"`) {
		t.Fatalf("no name: %d %.2000s", r.Status, r.Body)
	}
	// A program dressed as a scan.
	r = browserPost(t, w.env, b, page, map[string]string{"signer_name": "Ольга Петренко"}, "scan.pdf", []byte("MZ\x90\x00\x03"))
	if r.Status != 415 || !strings.Contains(r.Body, `href="#f-signed_copy"`) || !strings.Contains(r.Body, "is a program") {
		t.Fatalf("program: %d %.2000s", r.Status, r.Body)
	}
	if n := w.count(t, `SELECT count(*) FROM loan_agreements`); n != 0 {
		t.Fatalf("a refused form stored %d rows", n)
	}
	// Signed on screen: recorded, confirmed, and the signed copy is the agreement with
	// the signature in it.
	r = browserPost(t, w.env, b, page, map[string]string{"signer_name": "Ольга Петренко", "signer_relationship": "grandmother",
		"signature": signatureDataURL(t)}, "", nil)
	if r.Status != 200 || !strings.HasSuffix(r.URL, page) || !strings.Contains(r.Body, "Signed agreement recorded for loan L-") ||
		!strings.Contains(r.Body, "Signed by <strong>Ольга Петренко</strong> (grandmother)") || !strings.Contains(r.Body, "on screen") {
		t.Fatalf("signed on screen: %d %s %.3000s", r.Status, r.URL, r.Body)
	}
	st := w.must(t, w.store, "GET", w.path("/agreement"), nil, 200)
	if st["state"] != "signed" || st["signed_on_screen"] != true || st["recorded_by"] != "Dee Desk" || st["signed_on"] != time.Now().Format("2006-01-02") {
		t.Fatalf("state: %v", st)
	}
	status, ct, signed := w.get(t, w.store, w.path("/agreement/signed"))
	if status != 200 || ct != "application/pdf" || !strings.Contains(pdfText(t, signed), "Ольга Петренко") {
		t.Fatalf("signed copy: %d %s", status, ct)
	}
	pdfimages := testtools.Require(t, "pdfimages")
	_, _, pdf := w.get(t, w.store, w.path("/agreement.pdf"))
	name := filepath.Join(t.TempDir(), "a.pdf")
	os.WriteFile(name, pdf, 0o600)
	out, err := exec.Command(pdfimages, "-list", name).Output()
	if err != nil || strings.Count(string(out), "gray") < 2 {
		t.Fatalf("the printed agreement should carry the signature on both copies: %v\n%s", err, out)
	}
}

func TestSchoolLoanFormAsksForTheSetting(t *testing.T) {
	w := newAgreementWorld(t)
	zoe := w.child(t, w.ot, "Zoë Adams")
	id := w.must(t, w.store, "POST", "/api/v1/loans", map[string]any{"child_id": zoe, "tags": w.tags[3:4], "location": "school",
		"recipient": "Mrs Head", "recipient_relationship": "SENCO"}, 201)["id"]
	b := w.env.Browser()
	b.Login("store@test", webtest.Password)
	if r := b.Get(fmt.Sprintf("/loans/%v/agreement", id)); !strings.Contains(r.Body, "head teacher or SENCO") || strings.Contains(r.Body, "parent or carer") {
		t.Fatalf("school loan form: %.1500s", r.Body)
	}
	_, _, pdf := w.get(t, w.store, fmt.Sprintf("/loans/%v/agreement.pdf", id))
	if text := pdfText(t, pdf); !strings.Contains(text, "For the school or setting") || !strings.Contains(text, "Hilltop Primary") || strings.Contains(text, "Parent or carer") {
		t.Fatalf("school agreement: %s", text)
	}
}

// The list to chase, against loans of known ages, states and therapists.
func TestUnsignedAgreementsList(t *testing.T) {
	w := newAgreementWorld(t) // the loan of tags 0-2: issued today
	zoe := w.child(t, w.ot, "Zoë Brown")
	ben := w.child(t, w.other, "Ben Other")
	issue := func(child float64, tag string, daysAgo int) float64 {
		id := w.must(t, w.store, "POST", "/api/v1/loans", map[string]any{"child_id": child, "tags": []string{tag}, "location": "home", "recipient": "Pat"}, 201)["id"].(float64)
		at := time.Now().AddDate(0, 0, -daysAgo).UTC().Format(time.RFC3339)
		if _, err := w.env.DB.Write.Exec(`UPDATE loans SET issued_at = ? WHERE id = ?`, at, id); err != nil {
			t.Fatal(err)
		}
		return id
	}
	unprinted := issue(zoe, w.tags[3], 10)
	printed := issue(zoe, w.tags[4], 20)
	other := issue(ben, w.tags[5], 15)
	w.must(t, w.store, "POST", fmt.Sprintf("/api/v1/loans/%v/agreement/print", printed), nil, 200)
	// Signed, returned and recent loans are not chased.
	more := w.must(t, w.store, "POST", "/api/v1/items", map[string]any{"product_id": w.chair, "condition": "good"}, 201)["tag"].(string)
	signed := issue(zoe, more, 30)
	body, ct := form(t, map[string]string{"signer_name": "Pat"}, "scan.pdf", fakePDF())
	req, _ := http.NewRequest(http.MethodPost, fmt.Sprintf("%s/api/v1/loans/%v/agreement", w.env.HTTP.URL, signed), body)
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Authorization", "Bearer "+w.store)
	if res, err := (&http.Client{Transport: webtest.Transport(t)}).Do(req); err != nil || res.StatusCode != 200 {
		t.Fatalf("signing loan %v: %v %v", signed, res, err)
	}
	more = w.must(t, w.store, "POST", "/api/v1/items", map[string]any{"product_id": w.chair, "condition": "good"}, 201)["tag"].(string)
	returned := issue(zoe, more, 40)
	w.must(t, w.store, "POST", fmt.Sprintf("/api/v1/loans/%v/return", returned), map[string]any{"items": []map[string]any{{"tag": more, "condition": "good"}}}, 200)

	ids := func(token string) []float64 {
		l := w.must(t, token, "GET", "/api/v1/agreements/unsigned", nil, 200)
		var out []float64
		for _, r := range l["results"].([]any) {
			out = append(out, r.(map[string]any)["loan_id"].(float64))
		}
		if l["total"] != float64(len(out)) || l["older_than_days"] != float64(7) {
			t.Errorf("list: %v", l)
		}
		return out
	}
	if got, want := ids(w.store), []float64{printed, other, unprinted}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("store sees %v, want %v (oldest first)", got, want)
	}
	if got, want := ids(w.ot), []float64{printed, unprinted}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("therapist sees %v, want only their children's %v", got, want)
	}
	if got, want := ids(w.other), []float64{other}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("other therapist sees %v, want %v", got, want)
	}
	first := w.must(t, w.store, "GET", "/api/v1/agreements/unsigned?limit=1", nil, 200)
	row := first["results"].([]any)[0].(map[string]any)
	if first["total"] != float64(3) || row["agreement_state"] != "printed" || row["days_since_issue"] != float64(20) || row["child_name"] != "Zoë Brown" {
		t.Fatalf("first row: %v", first)
	}
	w.must(t, w.viewer, "GET", "/api/v1/agreements/unsigned", nil, 403)

	b := w.env.Browser()
	b.Login("store@test", webtest.Password)
	r := b.Get("/agreements/unsigned")
	i1, i2, i3 := strings.Index(r.Body, fmt.Sprintf("L-%06d", int(printed))), strings.Index(r.Body, fmt.Sprintf("L-%06d", int(other))), strings.Index(r.Body, fmt.Sprintf("L-%06d", int(unprinted)))
	if r.Status != 200 || i1 < 0 || !(i1 < i2 && i2 < i3) || strings.Contains(r.Body, fmt.Sprintf("L-%06d", int(signed))) || !strings.Contains(r.Body, "Printed – not signed yet") {
		t.Fatalf("page: %d %.3000s", r.Status, r.Body)
	}
	// With a longer grace period nothing is due: the empty state says so.
	if err := w.env.Server.Settings.Set(t.Context(), map[string]string{"unsigned_after_days": "25"}); err != nil {
		t.Fatal(err)
	}
	if l := w.must(t, w.store, "GET", "/api/v1/agreements/unsigned", nil, 200); l["total"] != float64(0) || len(l["results"].([]any)) != 0 {
		t.Fatalf("after 25 days: %v", l)
	}
	if r := b.Get("/agreements/unsigned"); r.Status != 200 || !strings.Contains(r.Body, "Nothing to chase") || !strings.Contains(r.Body, "25 days") {
		t.Fatalf("empty state: %.2000s", r.Body)
	}
}

func TestDeliveryNoteAndCollectionReceipt(t *testing.T) {
	w := newAgreementWorld(t)
	status, ct, note := w.get(t, w.store, fmt.Sprintf("/loans/%v/delivery-note.pdf", w.loanID))
	if text := pdfText(t, note); status != 200 || ct != "application/pdf" || !strings.Contains(text, "Delivery note") || !strings.Contains(text, w.tags[2]) {
		t.Fatalf("delivery note: %d %s %s", status, ct, text)
	}
	w.must(t, w.store, "POST", w.path("/return"), map[string]any{"items": []map[string]any{{"tag": w.tags[1], "condition": "fair"}}}, 200)
	status, _, receipt := w.get(t, w.store, w.path("/receipt.pdf"))
	text := pdfText(t, receipt)
	collected, stillOut, _ := strings.Cut(text, "Still on loan")
	if status != 200 || !strings.Contains(collected, w.tags[1]) || !strings.Contains(collected, "Fair") ||
		!strings.Contains(stillOut, w.tags[0]) || strings.Contains(collected, w.tags[0]) {
		t.Fatalf("receipt: %d %s", status, text)
	}
	if status, _, _ := w.get(t, w.ot, w.path("/receipt.pdf")); status != 403 {
		t.Errorf("therapist receipt: %d, want 403", status)
	}
}

// TestLoanPageShowsTheAgreement checks the loan page offers printing and recording, and
// says who signed once it is recorded.
func TestLoanPageShowsTheAgreement(t *testing.T) {
	w := newAgreementWorld(t)
	b := w.env.Browser()
	b.Login("store@test", webtest.Password)
	page := fmt.Sprintf("/loans/%v", w.loanID)
	r := b.Get(page)
	for _, want := range []string{"Loan agreement", "Not printed", "Print agreement", "Record signed agreement", "Print delivery note", "the parent or carer"} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("the loan page lacks %q", want)
		}
	}
	if status, _ := w.record(t, w.store, map[string]string{"signer_name": "Ольга Петренко", "signer_relationship": "grandmother"}, "scan.pdf", fakePDF()); status != 200 {
		t.Fatalf("record: %d", status)
	}
	r = b.Get(page)
	for _, want := range []string{"Signed by Ольга Петренко (grandmother)", "Download the signed copy", "See the signed agreement"} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("after signing, the loan page lacks %q", want)
		}
	}
}
