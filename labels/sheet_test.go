package labels

import (
	"bytes"
	"fmt"
	"image"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"kitloan/internal/testtools"
)

// testLabels returns n labels KL-000001… with URLs http://kitloan.test/t/KL-000001…
// and product names in several scripts.
func testLabels(n int) []Label {
	products := []string{"Wheelchair cushion (adult)", "Zoë's bath seat", "Łukasz standing frame", "Ольга sleep system", ""}
	labels := make([]Label, n)
	for i := range labels {
		tag := fmt.Sprintf("KL-%06d", i+1)
		labels[i] = Label{Tag: tag, Product: products[i%len(products)], URL: "http://kitloan.test/t/" + tag}
	}
	return labels
}

func writeSheet(t *testing.T, labels []Label, opt Options) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteSheet(&buf, labels, opt); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Every label of a 65-label sheet, on every stock, scans to its own URL: printed at 300
// dpi, and at 150 dpi for the stocks a cheap printer is likeliest to meet. At 300 dpi
// the codes must also sit where the stock's geometry says.
func TestEveryLabelScans(t *testing.T) {
	cases := []struct {
		layout string
		dpi    int
	}{
		{"avery-l7160", 300}, {"avery-l7651", 300}, {"avery-5160", 300}, {"roll-62x29", 300},
		{"avery-l7160", 150}, {"roll-62x29", 150},
	}
	labels := testLabels(65)
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s@%ddpi", c.layout, c.dpi), func(t *testing.T) {
			t.Parallel()
			layout, err := LookupLayout(c.layout)
			if err != nil {
				t.Fatal(err)
			}
			pages := rasterise(t, writeSheet(t, labels, Options{Layout: c.layout, Phone: "0161 496 0000"}), c.dpi)
			if want := (len(labels) + layout.PerPage() - 1) / layout.PerPage(); len(pages) != want {
				t.Fatalf("%d pages, want %d", len(pages), want)
			}
			got := allDecoded(t, scanSlots(t, pages, layout, c.dpi))
			for _, l := range labels {
				if !got[l.URL] {
					t.Errorf("%s did not scan", l.URL)
				}
				delete(got, l.URL)
			}
			for url := range got {
				t.Errorf("scanned %q, which is on no label", url)
			}
			if c.dpi == 300 {
				checkCodePositions(t, pages, layout, labels, c.dpi)
			}
		})
	}
}

// checkCodePositions measures the ink of the code on the first, a middle and the last
// slot of a page (of the first, a middle and the last page for one-label pages) and
// checks that it lies where Position plus the label's plan puts it, within 0.5 mm.
func checkCodePositions(t *testing.T, pages []*image.Gray, layout Layout, labels []Label, dpi int) {
	t.Helper()
	type spot struct{ page, slot int }
	spots := []spot{{0, 0}, {0, layout.PerPage() / 2}, {0, layout.PerPage() - 1}}
	if layout.PerPage() == 1 {
		spots = []spot{{0, 0}, {len(pages) / 2, 0}, {len(pages) - 1, 0}}
	}
	toMM := func(px int) float64 { return float64(px) * 25.4 / float64(dpi) }
	for _, s := range spots {
		label := labels[s.page*layout.PerPage()+s.slot]
		code, err := encodeQR(label.URL)
		if err != nil {
			t.Fatal(err)
		}
		plan := planLabel(label, "", layout.LabelW, layout.LabelH, code.size)
		x, y := layout.Position(s.slot)
		side := float64(code.size) * plan.module
		want := [4]float64{x + plan.codeX, y + plan.codeY, x + plan.codeX + side, y + plan.codeY + side}

		// Only the code is drawn left of the text column, which starts after the code's
		// four-module quiet zone; look up to two modules into it.
		column := image.Rect(mmToPx(x, dpi), mmToPx(y, dpi), mmToPx(want[2]+2*plan.module, dpi), mmToPx(y+layout.LabelH, dpi))
		box := darkBounds(pages[s.page], column.Intersect(pages[s.page].Bounds()))
		got := [4]float64{toMM(box.Min.X), toMM(box.Min.Y), toMM(box.Max.X), toMM(box.Max.Y)}
		for i := range got {
			if math.Abs(got[i]-want[i]) > 0.5 {
				t.Errorf("page %d slot %d: code's ink spans (%.2f, %.2f)–(%.2f, %.2f) mm, want (%.2f, %.2f)–(%.2f, %.2f)",
					s.page+1, s.slot, got[0], got[1], got[2], got[3], want[0], want[1], want[2], want[3])
				break
			}
		}
	}
}

// Skip leaves used slots blank, copies repeat each label in a row, and what does not fit
// spills onto a new sheet.
func TestSkipAndCopies(t *testing.T) {
	labels := testLabels(3)
	a, b, c := labels[0].URL, labels[1].URL, labels[2].URL
	cases := []struct {
		name string
		skip int
		want [][]string // by page, the URL in each slot; "" for blank
	}{
		{"on one sheet", 5, [][]string{{"", "", "", "", "", a, a, b, b, c, c}}},
		{"spilling onto a second sheet", 18, [][]string{
			append(make([]string, 18), a, a, b),
			{b, c, c},
		}},
	}
	layout, _ := LookupLayout("avery-l7160")
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			const dpi = 150
			pages := rasterise(t, writeSheet(t, labels, Options{Skip: tc.skip, Copies: 2}), dpi)
			if len(pages) != len(tc.want) {
				t.Fatalf("%d pages, want %d", len(pages), len(tc.want))
			}
			found := scanSlots(t, pages, layout, dpi)
			for p := range pages {
				for s := range layout.PerPage() {
					want := ""
					if s < len(tc.want[p]) {
						want = tc.want[p][s]
					}
					blank := isBlank(pages[p].SubImage(slotRect(layout, s, dpi)).(*image.Gray))
					switch {
					case want == "" && !blank:
						t.Errorf("page %d slot %d: has ink, want it blank", p+1, s)
					case want != "" && !slices.Equal(found[p][s], []string{want}):
						t.Errorf("page %d slot %d: scanned %q, want %s", p+1, s, found[p][s], want)
					}
				}
			}
		})
	}
}

func TestPaginate(t *testing.T) {
	got := paginate(2, 3, 1, 2) // labels 0 and 1, three copies each, after one used slot
	want := [][]placement{{{0, 1}}, {{0, 0}, {0, 1}}, {{1, 0}, {1, 1}}, {{1, 0}}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("paginate = %v, want %v", got, want)
	}
}

func TestInvalidOptions(t *testing.T) {
	one := testLabels(1)
	cases := []struct {
		name   string
		labels []Label
		opt    Options
		field  string
	}{
		{"unknown layout", one, Options{Layout: "avery-9999"}, "layout"},
		{"negative skip", one, Options{Skip: -1}, "skip"},
		{"skip a whole sheet", one, Options{Skip: 21}, "skip"},
		{"skip on a roll", one, Options{Layout: "roll-62x29", Skip: 1}, "skip"},
		{"skip past L7651", one, Options{Layout: "avery-l7651", Skip: 65}, "skip"},
		{"negative copies", one, Options{Copies: -1}, "copies"},
		{"too many copies", one, Options{Copies: 101}, "copies"},
		{"no labels", nil, Options{}, "tag"},
		{"too many labels", testLabels(5001), Options{}, "tag"},
		{"too many with copies", testLabels(51), Options{Copies: 100}, "tag"},
		{"URL too long for a code", []Label{{Tag: "KL-1", URL: strings.Repeat("x", 3000)}}, Options{}, "url"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := WriteSheet(&buf, c.labels, c.opt)
			assertInvalid(t, err, c.field)
			if buf.Len() != 0 {
				t.Errorf("wrote %d bytes despite the error", buf.Len())
			}
		})
	}
	// The limits themselves are fine.
	if _, _, err := (Options{Layout: "avery-l7651", Skip: 64, Copies: 100}).check(50); err != nil {
		t.Errorf("5,000 labels after 64 used ones: %v", err)
	}
}

// A very long product name is shortened with "…" and kept to the column right of the
// code's quiet zone, on every stock; in the PDF, no word starts left of that column.
func TestLongProductNameStaysBesideTheCode(t *testing.T) {
	long := strings.Repeat("Pressure-relieving wheelchair cushion, Zoë's size ", 20)
	label := Label{Tag: "KL-000123", Product: long, URL: "http://kitloan.test/t/KL-000123"}
	code, _ := encodeQR(label.URL)
	for _, layout := range Layouts() {
		plan := planLabel(label, "0161 496 0000", layout.LabelW, layout.LabelH, code.size)
		codeEnd := plan.codeX + float64(code.size+quietZone)*plan.module
		if len(plan.lines) < 2 || plan.lines[0].text != "KL-000123" {
			t.Fatalf("%s: lines %+v, want the tag then the product", layout.Name, plan.lines)
		}
		if !strings.HasSuffix(plan.lines[1].text, "…") && !strings.HasSuffix(plan.lines[2].text, "…") {
			t.Errorf("%s: product %q not shortened", layout.Name, plan.lines[1].text)
		}
		for _, l := range plan.lines {
			width := l.face.width(l.text) * l.size / ptPerMM
			if l.x < codeEnd-1e-9 || l.x+width > layout.LabelW-edgePad+1e-9 {
				t.Errorf("%s: %q spans %.2f–%.2f mm, want within %.2f–%.2f", layout.Name, l.text, l.x, l.x+width, codeEnd, layout.LabelW-edgePad)
			}
		}
	}

	layout, _ := LookupLayout("avery-l7160")
	labels := slices.Repeat([]Label{label}, layout.PerPage())
	plan := planLabel(label, "", layout.LabelW, layout.LabelH, code.size)
	column := plan.codeX + float64(code.size+quietZone)*plan.module
	words := pdfWords(t, writeSheet(t, labels, Options{Phone: "0161 496 0000"}))
	if len(words) == 0 {
		t.Fatal("pdftotext found no words")
	}
	for _, w := range words {
		slot := -1
		for s := range layout.PerPage() {
			x, y := layout.Position(s)
			if w.xMin >= x && w.xMin < x+layout.LabelW && w.yMin >= y && w.yMin < y+layout.LabelH {
				slot = s
			}
		}
		if slot < 0 {
			t.Errorf("%q at (%.2f, %.2f) mm is on no label", w.text, w.xMin, w.yMin)
			continue
		}
		x, _ := layout.Position(slot)
		if w.xMin < x+column-0.1 || w.xMax > x+layout.LabelW {
			t.Errorf("slot %d: %q spans %.2f–%.2f mm, want within %.2f–%.2f", slot, w.text, w.xMin, w.xMax, x+column, x+layout.LabelW)
		}
	}
}

// Names in Latin, Polish, Vietnamese and Cyrillic letters come out of the PDF as written.
func TestUnicodeText(t *testing.T) {
	labels := append(testLabels(5), Label{Tag: "KL-000006", Product: "Nguyễn's walker", URL: "http://kitloan.test/t/KL-000006"})
	words := pdfWords(t, writeSheet(t, labels, Options{}))
	var all []string
	for _, w := range words {
		all = append(all, w.text)
	}
	text := strings.Join(all, " ")
	for _, want := range []string{"Zoë's", "Łukasz", "Ольга", "Nguyễn's"} {
		if !strings.Contains(text, want) {
			t.Errorf("PDF text %q lacks %q", text, want)
		}
	}
}

type pdfWord struct {
	text                   string
	xMin, yMin, xMax, yMax float64 // mm from the top-left of the page
}

var wordPattern = regexp.MustCompile(`<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>`)

// pdfWords returns the words of the first page of pdf with their boxes, as pdftotext
// reads them.
func pdfWords(t *testing.T, pdf []byte) []pdfWord {
	t.Helper()
	pdftotext := testtools.Require(t, "pdftotext")
	in := filepath.Join(t.TempDir(), "sheet.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(pdftotext, "-bbox", "-f", "1", "-l", "1", in, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	var words []pdfWord
	for _, m := range wordPattern.FindAllStringSubmatch(string(out), -1) {
		w := pdfWord{text: strings.ReplaceAll(m[5], "&apos;", "'")}
		for i, p := range []*float64{&w.xMin, &w.yMin, &w.xMax, &w.yMax} {
			pt, _ := strconv.ParseFloat(m[i+1], 64)
			*p = pt / ptPerMM
		}
		words = append(words, w)
	}
	return words
}

// Whatever people type into product names, and whatever reaches the API, a sheet comes
// out: no panic, no error.
func TestOddTextStillMakesASheet(t *testing.T) {
	odd := []string{"", " ", "\x00\r\n\t", "\xff\xfe", "(((\\)))", "漢字😀\U00010000", strings.Repeat("W", 10000), "a\u0301\u0301\u0301"}
	var labels []Label
	for _, s := range odd {
		labels = append(labels, Label{Tag: s, Product: s, URL: s[:min(len(s), 100)]})
	}
	for i, phone := range odd {
		layout := Layouts()[i%len(Layouts())]
		if err := WriteSheet(&bytes.Buffer{}, labels, Options{Layout: layout.Name, Phone: phone}); err != nil {
			t.Errorf("%s, phone %.20q: %v", layout.Name, phone, err)
		}
	}
}

// Handlers call WriteSheet from many goroutines at once; run with -race.
func TestConcurrentSheets(t *testing.T) {
	labels := testLabels(30)
	var wg sync.WaitGroup
	for _, layout := range Layouts() {
		wg.Go(func() {
			if err := WriteSheet(&bytes.Buffer{}, labels, Options{Layout: layout.Name}); err != nil {
				t.Error(err)
			}
			if err := WritePNG(&bytes.Buffer{}, labels[0], Options{Layout: layout.Name}, 150); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
}

// The codes' form XObjects are written by hand, so check the file's structure with qpdf.
func TestPDFIsWellFormed(t *testing.T) {
	qpdf := testtools.Require(t, "qpdf")
	for _, layout := range Layouts() {
		in := filepath.Join(t.TempDir(), "sheet.pdf")
		if err := os.WriteFile(in, writeSheet(t, testLabels(40), Options{Layout: layout.Name, Skip: layout.PerPage() - 1}), 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(qpdf, "--check", in).CombinedOutput()
		if err != nil || !strings.Contains(string(out), "No syntax or stream encoding errors") {
			t.Errorf("%s: qpdf --check: %v\n%s", layout.Name, err, out)
		}
	}
}
