package loans

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/jung-kurt/gofpdf"

	"kitloan/internal/errs"
	"kitloan/internal/testtools"
)

// Sizes read for people, at each boundary of their units.
func TestSizeText(t *testing.T) {
	for n, want := range map[int64]string{
		0: "0 bytes", 1023: "1023 bytes", 1024: "1 KB", 1535: "1 KB", 1536: "2 KB",
		1<<20 - 1: "1024 KB", 1 << 20: "1.0 MB", 10 << 20: "10.0 MB", 10<<20 + 8: "10.0 MB", 11 << 20: "11.0 MB",
	} {
		if got := sizeText(n); got != want {
			t.Errorf("sizeText(%d) = %q, want %q", n, got, want)
		}
	}
}

// A file over a limit never reads as the same size as the limit: close to it, both are
// in bytes.
func TestTooLargeTextNeverReadsTheSameAsTheLimit(t *testing.T) {
	const limit = MaxSignedCopyBytes
	for _, c := range []struct {
		size, limit int64
		want        string
	}{
		{limit + 1, limit, "must be 10.0 MB (10,485,760 bytes) or smaller; this file is 10,485,761 bytes"},
		{limit + 8, limit, "must be 10.0 MB (10,485,760 bytes) or smaller; this file is 10,485,768 bytes"},
		{11 << 20, limit, "must be 10.0 MB or smaller; this file is 11.0 MB"},
		{MaxSignatureBytes + 100, MaxSignatureBytes, "must be 512 KB (524,288 bytes) or smaller; this file is 524,388 bytes"},
		{MaxSignatureBytes + 1000, MaxSignatureBytes, "must be 512 KB or smaller; this file is 513 KB"},
	} {
		if got := tooLargeText(c.size, c.limit); got != c.want {
			t.Errorf("tooLargeText(%d, %d) = %q, want %q", c.size, c.limit, got, c.want)
		}
	}
	for size := int64(limit + 1); size < limit+limit/20; size += 997 {
		if got := tooLargeText(size, limit); strings.HasSuffix(got, "this file is "+sizeText(limit)) {
			t.Fatalf("%d bytes: %q reads as the limit", size, got)
		}
	}
}

// jpegBomb is the start of a JPEG (JFIF) whose frame header declares width × height
// pixels, with no image data after it.
func jpegBomb(width, height int) []byte {
	b := []byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 16, 'J', 'F', 'I', 'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0}
	b = append(b, 0xFF, 0xC0, 0, 17, 8)
	b = binary.BigEndian.AppendUint16(b, uint16(height))
	b = binary.BigEndian.AppendUint16(b, uint16(width))
	return append(b, 3, 1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0)
}

// A picture too large is refused from its header, before anything decodes it: the
// refusal says the size, not that the file could not be read, though its image data is
// missing. A photo from a 50-megapixel phone camera is taken.
func TestImagesAreJudgedByTheirHeaderBeforeDecoding(t *testing.T) {
	for _, c := range []struct {
		name     string
		data     []byte
		wantType string
		says     string
	}{
		{"a 1 KB PNG of 50,000 × 50,000", testtools.PNGBomb(50_000, 50_000), "", "is 50,000 × 50,000 pixels; the largest we take is 50 megapixels"},
		{"a PNG just over 50 megapixels", testtools.PNGBomb(10_000, 5_001), "", "is 10,000 × 5,001 pixels"},
		{"a JPEG of 60,000 × 60,000", jpegBomb(60_000, 60_000), "", "is 60,000 × 60,000 pixels"},
		{"a PNG of exactly 50 megapixels", testtools.PNGBomb(10_000, 5_000), "image/png", ""},
		{"a 50-megapixel phone photo", jpegBomb(8160, 6120), "image/jpeg", ""},
	} {
		ct, problem, code := checkSignedCopy(Upload{Filename: "photo", Size: int64(len(c.data)), Data: c.data})
		if ct != c.wantType || !strings.Contains(problem, c.says) || (c.says == "") != (problem == "") {
			t.Errorf("%s: %q, %q; want %q, %q", c.name, ct, problem, c.wantType, c.says)
		}
		if c.says != "" && code != errs.TooLarge {
			t.Errorf("%s: code %q, want %q", c.name, code, errs.TooLarge)
		}
	}

	blank := func(w, h int) []byte {
		var b bytes.Buffer
		if err := png.Encode(&b, image.NewNRGBA(image.Rect(0, 0, w, h))); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	for _, c := range []struct {
		name string
		png  []byte
		says string
	}{
		{"the 4,000 × 2,000 of the report", testtools.PNGBomb(4000, 2000), "is 4,000 × 2,000 pixels; a signature from the pad is at most 4,000 pixels wide, 2,000 high and 1,000,000 in all"},
		{"a long thin strip", testtools.PNGBomb(5000, 20), "is 5,000 × 20 pixels"},
		{"just over a million pixels", testtools.PNGBomb(1001, 1000), "is 1,001 × 1,000 pixels"},
		{"a million pixels, decoded and found blank", blank(1000, 1000), "is empty"},
	} {
		_, err := NormalizeSignature("data:image/png;base64," + b64(c.png))
		if err == nil || !strings.Contains(err.Error(), c.says) {
			t.Errorf("signature %s: %v, want %q", c.name, err, c.says)
		}
	}
}

// printedPDF is a two-page document drawn with gofpdf, as every paper kitloan prints is
// (the papers package, which stands above loans, draws the real agreement).
func printedPDF(t *testing.T) []byte {
	t.Helper()
	pdf := gofpdf.New("P", "mm", "A4", "")
	pdf.SetFont("Helvetica", "", 12)
	for page := 1; page <= 2; page++ {
		pdf.AddPage()
		for line := 0; line < 40; line++ {
			pdf.CellFormat(0, 6, fmt.Sprintf("Loan agreement, page %d, line %d: the equipment stays with the child.", page, line), "", 1, "", false, 0, "")
		}
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// pdfsToCheck are files that start like a PDF: real ones, and ones that only look it.
func pdfsToCheck(t *testing.T) (good, bad map[string][]byte) {
	agreement := printedPDF(t)
	htmlAndELF := "%PDF-1.7\n<html><body><script>alert(1)</script></body></html>\n\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00>\x00"
	good = map[string][]byte{
		"a document printed as kitloan prints its papers": agreement,
		"a scan with binary data":                         testtools.PDF("a scan", bytes.Repeat([]byte{0, 0xFF, '\n', 'e', 'n', 'd'}, 500)),
	}
	bad = map[string][]byte{
		"HTML and a program behind a PDF header":           []byte(htmlAndELF),
		"HTML and a program behind a PDF header, an end":   []byte(htmlAndELF + "\n%%EOF\n"),
		"an agreement cut short in sending":                agreement[:len(agreement)/2],
		"an agreement without its middle":                  append(bytes.Clone(agreement[:len(agreement)/2]), agreement[len(agreement)-400:]...),
		"an agreement whose objects are overwritten":       bytes.ReplaceAll(bytes.Clone(agreement), []byte(" obj"), []byte(" xxx")),
		"a PDF header on an empty page tree and a trailer": []byte("%PDF-1.4\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"),
	}
	return good, bad
}

// A signed copy that starts like a PDF is read with a PDF parser: real PDFs are taken,
// and what only starts like one is refused, naming the problem. The server checks
// uploads side by side, so the checks here run at once too (under -race).
func TestPDFSignedCopiesMustReadAsPDFs(t *testing.T) {
	good, bad := pdfsToCheck(t)
	var wg sync.WaitGroup
	for name, d := range good {
		wg.Go(func() {
			if ct, problem, _ := checkSignedCopy(Upload{Data: d}); ct != "application/pdf" || problem != "" {
				t.Errorf("%s: %q, %q; want a PDF", name, ct, problem)
			}
		})
	}
	for name, d := range bad {
		wg.Go(func() {
			ct, problem, code := checkSignedCopy(Upload{Data: d})
			if ct != "" || code != errs.Unsupported || !strings.Contains(problem, "PDF") {
				t.Errorf("%s: %q, %q (%s); want it refused as not a PDF", name, ct, problem, code)
			}
		})
	}
	wg.Wait()
	in := AgreementInput{SignerName: "Pat", Copy: &Upload{Filename: "scan.pdf", Data: bad["an agreement cut short in sending"]}}
	e := errs.As(in.Check("2026-06-01"))
	if e.Code != errs.Unsupported || e.Fields["signed_copy"] != "is not a complete PDF: its end is missing. Save or scan it again, and choose the new file" ||
		!strings.HasPrefix(e.Message, "Check the signed copy: is not a complete PDF") {
		t.Errorf("a PDF cut short: %+v", e)
	}
}

// qpdf, an independent PDF checker, agrees: what is taken passes qpdf --check, what is
// refused fails it. A PDF that opens only with a password is refused too: nobody could
// read it later.
func TestPDFCheckAgreesWithQPDF(t *testing.T) {
	qpdf := testtools.Require(t, "qpdf")
	good, bad := pdfsToCheck(t)
	for name, d := range good {
		if out, err := exec.Command(qpdf, "--check", testtools.SaveTemp(t, d)).CombinedOutput(); err != nil {
			t.Errorf("%s is taken, but qpdf --check says %v\n%s", name, err, out)
		}
	}
	for name, d := range bad {
		if exec.Command(qpdf, "--check", testtools.SaveTemp(t, d)).Run() == nil {
			t.Errorf("%s is refused, but qpdf --check passes it", name)
		}
	}
	locked := filepath.Join(t.TempDir(), "locked.pdf")
	plain := testtools.SaveTemp(t, good["a document printed as kitloan prints its papers"])
	if out, err := exec.Command(qpdf, "--encrypt", "user-pw", "owner-pw", "256", "--", plain, locked).CombinedOutput(); err != nil {
		t.Fatalf("qpdf --encrypt: %v\n%s", err, out)
	}
	d, err := os.ReadFile(locked)
	if err != nil {
		t.Fatal(err)
	}
	if _, problem, _ := checkSignedCopy(Upload{Data: d}); !strings.Contains(problem, "is protected by a password") {
		t.Errorf("a PDF locked with a password: %q", problem)
	}
}
