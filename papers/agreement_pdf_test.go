package papers

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"kitloan/internal/errs"
	"kitloan/internal/paper"
	"kitloan/internal/testtools"
	"kitloan/loans"
)

// These tests read the printed papers the way a person would: pdftotext for the words,
// pdftoppm and zbarimg to scan the QR code, qpdf to check the file's structure.

const (
	zoe  = "Zoë Łukasiewicz-Nguyễn"
	olga = "Ольга Петренко"
)

func testAgreement(items int, location string) Agreement {
	ret := "2027-03-01"
	l := loans.Loan{ID: 42, Reference: "L-000042", ChildName: zoe, ChildDateOfBirth: "2017-03-14", Location: location,
		Address: "14 Acacia Avenue\nTesttown\nTT1 2AB", Recipient: olga, RecipientRelationship: "grandmother",
		ReviewDate: "2027-05-22", ReturnDate: &ret, IssuedAt: time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC),
		IssuedBy: "Sam Store", Setting: "Hilltop Primary School"}
	for i := range items {
		l.Items = append(l.Items, loans.LoanItem{Tag: fmt.Sprintf("KL-%06d", i+1), Product: "Classroom chair with tray (size 2)",
			Serial: fmt.Sprintf("SN-%05d", 1000+i), IssuedCondition: "good"})
	}
	return Agreement{
		Service: Service{Name: "Testshire Children's Equipment Service", Address: "Unit 4, Riverside Estate\nTesttown TT1 9ZZ",
			Phone: "0300 123 4567", Email: "equipment@testshire.example"},
		Loan: l, LoanURL: "http://kit.example.org/loans/42", Date: time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC),
	}
}

func writeAgreement(t testing.TB, a Agreement) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := WriteAgreement(&b, a); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// pageText returns the text of one page (from 1), with runs of white space made single
// spaces so that a sentence wrapped over two lines is still found.
func pageText(t testing.TB, pdf []byte, page int) string {
	t.Helper()
	pdftotext := testtools.Require(t, "pdftotext")
	out, err := exec.Command(pdftotext, "-f", strconv.Itoa(page), "-l", strconv.Itoa(page), testtools.SaveTemp(t, pdf), "-").Output()
	if err != nil {
		t.Fatalf("pdftotext page %d: %v", page, err)
	}
	return strings.Join(strings.Fields(string(out)), " ")
}

var pagesLine = regexp.MustCompile(`(?m)^Pages:\s+(\d+)`)

func pageCount(t testing.TB, pdf []byte) int {
	t.Helper()
	pdfinfo := testtools.Require(t, "pdfinfo")
	out, err := exec.Command(pdfinfo, testtools.SaveTemp(t, pdf)).Output()
	if err != nil {
		t.Fatalf("pdfinfo: %v", err)
	}
	m := pagesLine.FindSubmatch(out)
	if m == nil {
		t.Fatalf("pdfinfo gave no page count: %s", out)
	}
	n, _ := strconv.Atoi(string(m[1]))
	return n
}

func firstSentence(terms string) string {
	s, _, _ := strings.Cut(terms, ".")
	return s + "."
}

func TestAgreementPrintsNamesTagsAndTerms(t *testing.T) {
	a := testAgreement(3, loans.Home)
	pdf := writeAgreement(t, a)
	pages := pageCount(t, pdf)
	if pages%2 != 0 || pages < 2 {
		t.Fatalf("%d pages: want two copies of the same length", pages)
	}
	perCopy := pages / 2
	var all strings.Builder
	for p := 1; p <= pages; p++ {
		all.WriteString(pageText(t, pdf, p) + " ")
	}
	text := all.String()
	first := pageText(t, pdf, 1)
	for _, want := range []string{zoe, olga + " (grandmother)", "14 Mar 2017", "L-000042", "Testshire Children's Equipment Service",
		"0300 123 4567", "Unit 4, Riverside Estate, Testtown TT1 9ZZ", "equipment@testshire.example", "22 May 2027", "1 Mar 2027",
		"14 Acacia Avenue", "Home", "SERVICE COPY", fmt.Sprintf("Page 1 of %d", perCopy)} {
		if !strings.Contains(first, want) {
			t.Errorf("page 1 lacks %q:\n%s", want, first)
		}
	}
	for _, it := range a.Loan.Items {
		if !strings.Contains(first, it.Tag) || !strings.Contains(first, it.Serial) {
			t.Errorf("page 1 lacks item %s (%s)", it.Tag, it.Serial)
		}
	}
	sentence := firstSentence(DefaultTerms)
	if !strings.Contains(text, sentence) {
		t.Errorf("the terms' first sentence %q is missing", sentence)
	}
	for _, want := range []string{"Phone us on 0300 123 4567", "Do not lend, sell or give", "Parent or carer", "Member of staff",
		"Relationship to the child", "Moving house or school", "Your information"} {
		if !strings.Contains(text, want) {
			t.Errorf("agreement lacks %q", want)
		}
	}
	family := pageText(t, pdf, perCopy+1)
	if !strings.Contains(family, "FAMILY COPY") || !strings.Contains(family, zoe) || !strings.Contains(family, fmt.Sprintf("Page 1 of %d", perCopy)) {
		t.Errorf("page %d should start the family copy: %s", perCopy+1, family)
	}
	if strings.Contains(first, "FAMILY COPY") {
		t.Error("the service copy is marked as the family copy")
	}
}

func TestAgreementUsesTheServicesOwnTerms(t *testing.T) {
	a := testAgreement(1, loans.Home)
	a.Terms = "Our own wording comes first.\n\n# Call us\n- Ring {phone} any day.\n- Email {email}."
	a.Service.Email = ""
	var text strings.Builder
	pdf := writeAgreement(t, a)
	for p := 1; p <= pageCount(t, pdf)/2; p++ {
		text.WriteString(pageText(t, pdf, p))
	}
	if !strings.Contains(text.String(), "Our own wording comes first.") || !strings.Contains(text.String(), "Ring 0300 123 4567 any day.") {
		t.Errorf("custom terms missing: %s", text.String())
	}
	if strings.Contains(text.String(), firstSentence(DefaultTerms)) || strings.Contains(text.String(), "Email .") {
		t.Errorf("default terms, or a line with an empty placeholder, printed: %s", text.String())
	}
}

func TestAgreementPDFIsWellFormed(t *testing.T) {
	qpdf := testtools.Require(t, "qpdf")
	for name, a := range map[string]Agreement{"3 items": testAgreement(3, loans.Home), "40 items, school": testAgreement(40, loans.School)} {
		out, err := exec.Command(qpdf, "--check", testtools.SaveTemp(t, writeAgreement(t, a))).CombinedOutput()
		if err != nil || !strings.Contains(string(out), "No syntax or stream encoding errors") {
			t.Errorf("%s: qpdf --check: %v\n%s", name, err, out)
		}
	}
}

func TestAgreementQRCodeOpensTheLoan(t *testing.T) {
	pdftoppm := testtools.Require(t, "pdftoppm")
	zbarimg := testtools.Require(t, "zbarimg")
	a := testAgreement(3, loans.Home)
	pdf := writeAgreement(t, a)
	perCopy := pageCount(t, pdf) / 2
	dir := t.TempDir()
	in := testtools.SaveTemp(t, pdf)
	for _, page := range []int{1, perCopy + 1} { // the first page of each copy
		prefix := filepath.Join(dir, "page"+strconv.Itoa(page))
		if out, err := exec.Command(pdftoppm, "-r", "150", "-gray", "-png", "-singlefile", "-f", strconv.Itoa(page), "-l", strconv.Itoa(page), in, prefix).CombinedOutput(); err != nil {
			t.Fatalf("pdftoppm: %v\n%s", err, out)
		}
		out, err := exec.Command(zbarimg, "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", prefix+".png").Output()
		if err != nil {
			t.Fatalf("page %d: zbarimg found no QR code: %v", page, err)
		}
		if got := strings.TrimSpace(string(out)); got != a.LoanURL {
			t.Errorf("page %d: QR code reads %q, want %q", page, got, a.LoanURL)
		}
	}
}

// A loan with many items flows onto further pages, each starting with the table's header,
// and every page says which page of how many it is.
func TestManyItemsPaginateWithTheHeaderRepeated(t *testing.T) {
	a := testAgreement(40, loans.Home)
	pdf := writeAgreement(t, a)
	pages := pageCount(t, pdf)
	perCopy := pages / 2
	if perCopy < 3 {
		t.Fatalf("40 items on %d pages a copy: want them to flow over at least 3", perCopy)
	}
	tagAt := map[string]int{}
	tablePages := 0
	for p := 1; p <= perCopy; p++ {
		text := pageText(t, pdf, p)
		if want := fmt.Sprintf("Page %d of %d", p, perCopy); !strings.Contains(text, want) {
			t.Errorf("page %d lacks %q", p, want)
		}
		firstTag := strings.Index(text, "KL-0")
		if firstTag < 0 {
			continue
		}
		tablePages++
		header := strings.Index(text, "Tag Product Serial number Condition")
		if header < 0 || header > firstTag {
			t.Errorf("page %d has item rows without the table header before them:\n%s", p, text)
		}
		for _, it := range a.Loan.Items {
			if strings.Contains(text, it.Tag+" ") {
				if prev, ok := tagAt[it.Tag]; ok {
					t.Errorf("%s on pages %d and %d", it.Tag, prev, p)
				}
				tagAt[it.Tag] = p
			}
		}
	}
	if tablePages < 2 {
		t.Errorf("the table is on %d page; 40 items should need two", tablePages)
	}
	for _, it := range a.Loan.Items {
		if _, ok := tagAt[it.Tag]; !ok {
			t.Errorf("%s is missing from the service copy", it.Tag)
		}
	}
	// The family copy is the same length and numbered from 1 again.
	if text := pageText(t, pdf, pages); !strings.Contains(text, fmt.Sprintf("Page %d of %d", perCopy, perCopy)) || !strings.Contains(text, "Family copy") {
		t.Errorf("last page: %s", text)
	}
}

func TestSchoolLoanIsSignedForByTheSetting(t *testing.T) {
	text := func(a Agreement) string {
		pdf := writeAgreement(t, a)
		var b strings.Builder
		for p := 1; p <= pageCount(t, pdf)/2; p++ {
			b.WriteString(pageText(t, pdf, p) + " ")
		}
		return b.String()
	}
	school := text(testAgreement(2, loans.School))
	for _, want := range []string{"For the school or setting", "head teacher or SENCO", "Role (head teacher or SENCO)", "Hilltop Primary School", "School or setting"} {
		if !strings.Contains(school, want) {
			t.Errorf("school loan's agreement lacks %q", want)
		}
	}
	if strings.Contains(school, "Parent or carer") || strings.Contains(school, "Relationship to the child") {
		t.Error("a school loan's agreement has a parent or carer's box")
	}
	home := text(testAgreement(2, loans.Home))
	if !strings.Contains(home, "Parent or carer") || strings.Contains(home, "For the school or setting") {
		t.Error("a home loan's agreement should have the parent or carer's box, not the setting's")
	}
}

func TestRecordedSignatureIsPrinted(t *testing.T) {
	pdfimages := testtools.Require(t, "pdfimages")
	a := testAgreement(1, loans.Home)
	sig, err := loans.NormalizeSignature("data:image/png;base64," + base64.StdEncoding.EncodeToString(testtools.SignaturePNG(t)))
	if err != nil {
		t.Fatal(err)
	}
	a.Signature = &loans.Signature{Name: olga, Relationship: "grandmother", SignedOn: "2026-11-23", PNG: sig}
	pdf := writeAgreement(t, a)
	var text strings.Builder
	for p := 1; p <= pageCount(t, pdf)/2; p++ {
		text.WriteString(pageText(t, pdf, p) + " ")
	}
	if !strings.Contains(text.String(), "23 Nov 2026") || strings.Count(text.String(), olga) < 2 {
		t.Errorf("the signer's name and date should be printed in their box: %s", text.String())
	}
	out, err := exec.Command(pdfimages, "-list", testtools.SaveTemp(t, pdf)).Output()
	if err != nil {
		t.Fatal(err)
	}
	if lines := strings.Count(strings.TrimSpace(string(out)), "\n") - 1; lines < 2 {
		t.Errorf("want the signature image on both copies:\n%s", out)
	}
	// Signed on paper: the box says where the signed copy is.
	a.Signature.PNG = nil
	if text := pageText(t, writeAgreement(t, a), 2); !strings.Contains(text, "Signed on paper") {
		t.Errorf("signed on paper: %s", text)
	}
}

func TestLetterPaper(t *testing.T) {
	pdfinfo := testtools.Require(t, "pdfinfo")
	a := testAgreement(3, loans.Home)
	a.PaperSize = PaperLetter
	out, err := exec.Command(pdfinfo, testtools.SaveTemp(t, writeAgreement(t, a))).Output()
	if err != nil || !strings.Contains(string(out), "612 x 792 pts (letter)") {
		t.Fatalf("want US Letter pages: %v\n%s", err, out)
	}
	a.PaperSize = "A5"
	if err := WriteAgreement(&bytes.Buffer{}, a); errs.As(err).Fields["paper_size"] == "" {
		t.Fatalf("A5: %v", err)
	}
}

func TestDeliveryNoteAndReceipt(t *testing.T) {
	a := testAgreement(3, loans.Home)
	var b bytes.Buffer
	if err := WriteDeliveryNote(&b, a); err != nil {
		t.Fatal(err)
	}
	note := pageText(t, b.Bytes(), 1)
	for _, want := range []string{"Delivery note", zoe, olga, "KL-000001", "KL-000003", "Handed over", "Received by", "Page 1 of"} {
		if !strings.Contains(note, want) {
			t.Errorf("delivery note lacks %q: %s", want, note)
		}
	}
	back, fair := time.Date(2027, 1, 5, 12, 0, 0, 0, time.UTC), "fair"
	a.Loan.Items[1].ReturnedAt, a.Loan.Items[1].ReturnCondition = &back, &fair
	b.Reset()
	if err := WriteCollectionReceipt(&b, a); err != nil {
		t.Fatal(err)
	}
	receipt := pageText(t, b.Bytes(), 1)
	for _, want := range []string{"Collection receipt", zoe, "Equipment collected (1 item)", "KL-000002", "Fair", "5 Jan 2027", "Still on loan (2 items)", "KL-000001"} {
		if !strings.Contains(receipt, want) {
			t.Errorf("receipt lacks %q: %s", want, receipt)
		}
	}
	collected, _, _ := strings.Cut(receipt, "Still on loan")
	if strings.Contains(collected, "KL-000001") {
		t.Error("an item still out is listed as collected")
	}
}

// Whatever reaches the fields, a PDF comes out: no panic, no error, and nothing the
// fonts cannot draw.
func TestOddTextStillPrints(t *testing.T) {
	odd := []string{"", " ", "\x00\r\n\t", "\xff\xfe", "(((\\)))", "漢字😀\U00010000", strings.Repeat("W", 5000), "a\u0301\u0301\u0301", "e\u0302\u0303"}
	for _, s := range odd {
		a := testAgreement(2, loans.Home)
		a.ChildName, a.Loan.Recipient, a.Loan.Address, a.Service.Name, a.Loan.Items[0].Product, a.Terms = s, s, s, s, s, s
		if err := WriteAgreement(&bytes.Buffer{}, a); err != nil {
			t.Errorf("%q: %v", s, err)
		}
	}
	if got := paper.Clean("e\u0302\u0303 Nguye\u0302\u0303n 漢 😀"); got != "ễ Nguyễn ? ?" {
		t.Errorf("clean: %q", got)
	}
}

// byteCounter discards what is written to it, counting the bytes.
type byteCounter int

func (c *byteCounter) Write(p []byte) (int, error) {
	*c += byteCounter(len(p))
	return len(p), nil
}

// Targets: under 10 ms and 80 KB for a three-item agreement (both copies).
func BenchmarkAgreement3Items(b *testing.B) {
	a := testAgreement(3, loans.Home)
	var size byteCounter
	for b.Loop() {
		size = 0
		if err := WriteAgreement(&size, a); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(size), "bytes/pdf")
}
