package labels

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"image"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"kitloan/internal/testtools"
)

// This file holds the helpers that check sheets the way a person would: print them
// (pdftoppm), then scan every label (zbarimg), and measure where the ink landed.

// rasterise renders every page of pdf at dpi as greyscale. It asks pdftoppm for PGM
// rather than PNG because PGM needs no decoding, which matters under -race.
func rasterise(t *testing.T, pdf []byte, dpi int) []*image.Gray {
	t.Helper()
	pdftoppm := testtools.Require(t, "pdftoppm")
	dir := t.TempDir()
	in := filepath.Join(dir, "sheet.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(pdftoppm, "-r", strconv.Itoa(dpi), "-gray", in, filepath.Join(dir, "page")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v\n%s", err, out)
	}
	files, err := filepath.Glob(filepath.Join(dir, "page-*.pgm")) // zero-padded, so in page order
	if err != nil || len(files) == 0 {
		t.Fatalf("pdftoppm wrote no pages (%v)", err)
	}
	pages := make([]*image.Gray, len(files))
	for i, f := range files {
		pages[i] = readPGM(t, f)
	}
	return pages
}

func readPGM(t *testing.T, name string) *image.Gray {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(bytes.NewReader(data))
	var magic string
	var w, h, maxval int
	if _, err := fmt.Fscan(r, &magic, &w, &h, &maxval); err != nil || magic != "P5" || maxval != 255 {
		t.Fatalf("%s: not an 8-bit PGM (%q, %v)", name, magic, err)
	}
	r.ReadByte() // the single white space before the pixels
	img := image.NewGray(image.Rect(0, 0, w, h))
	if _, err := io.ReadFull(r, img.Pix); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return img
}

func writePGM(t *testing.T, name string, img *image.Gray) {
	t.Helper()
	b := img.Bounds()
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "P5\n%d %d\n255\n", b.Dx(), b.Dy())
	for y := b.Min.Y; y < b.Max.Y; y++ {
		buf.Write(img.Pix[img.PixOffset(b.Min.X, y):img.PixOffset(b.Max.X, y)])
	}
	if err := os.WriteFile(name, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

// mmToPx converts millimetres on the page to pixels at dpi.
func mmToPx(mm float64, dpi int) int {
	return int(math.Round(mm * float64(dpi) / 25.4))
}

// slotRect is the pixel rectangle of slot i of a page rasterised at dpi.
func slotRect(layout Layout, i, dpi int) image.Rectangle {
	x, y := layout.Position(i)
	return image.Rect(mmToPx(x, dpi), mmToPx(y, dpi), mmToPx(x+layout.LabelW, dpi), mmToPx(y+layout.LabelH, dpi))
}

// scanSlots crops every slot of every page and decodes each crop with zbarimg, which
// misses codes when a page holds dozens of them but reads one label reliably. It
// returns the texts decoded in each slot, by page; a blank slot has none.
func scanSlots(t *testing.T, pages []*image.Gray, layout Layout, dpi int) [][][]string {
	t.Helper()
	zbarimg := testtools.Require(t, "zbarimg")
	dir := t.TempDir()
	found := make([][][]string, len(pages))
	where := map[string][2]int{} // crop file → page, slot
	var files []string
	for p, page := range pages {
		found[p] = make([][]string, layout.PerPage())
		for s := range layout.PerPage() {
			crop := page.SubImage(slotRect(layout, s, dpi)).(*image.Gray)
			if isBlank(crop) {
				continue
			}
			name := filepath.Join(dir, fmt.Sprintf("p%d-s%d.pgm", p, s))
			writePGM(t, name, crop)
			where[name] = [2]int{p, s}
			files = append(files, name)
		}
	}
	if len(files) == 0 {
		return found
	}
	out, err := exec.Command(zbarimg, append([]string{"--xml", "-q"}, files...)...).Output()
	var exit *exec.ExitError
	if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 4) { // 4: some crop had no code
		t.Fatalf("zbarimg: %v", err)
	}
	var result struct {
		Sources []struct {
			Href    string   `xml:"href,attr"`
			Symbols []string `xml:"index>symbol>data"`
		} `xml:"source"`
	}
	if err := xml.Unmarshal(out, &result); err != nil {
		t.Fatalf("zbarimg output: %v\n%s", err, out)
	}
	for _, src := range result.Sources {
		ps, ok := where[src.Href]
		if !ok {
			t.Fatalf("zbarimg reported an unknown file %q", src.Href)
		}
		found[ps[0]][ps[1]] = src.Symbols
	}
	return found
}

// isBlank reports whether img has no ink at all.
func isBlank(img *image.Gray) bool {
	return darkBounds(img, img.Bounds()).Empty()
}

// darkBounds returns the smallest rectangle holding every dark pixel of img within r.
func darkBounds(img *image.Gray, r image.Rectangle) image.Rectangle {
	var box image.Rectangle
	for y := r.Min.Y; y < r.Max.Y; y++ {
		row := img.Pix[img.PixOffset(r.Min.X, y):img.PixOffset(r.Max.X, y)]
		first, last := -1, -1
		for x, v := range row {
			if v < 128 {
				if first < 0 {
					first = x
				}
				last = x
			}
		}
		if first < 0 {
			continue
		}
		line := image.Rect(r.Min.X+first, y, r.Min.X+last+1, y+1)
		if box.Empty() {
			box = line
		} else {
			box = box.Union(line)
		}
	}
	return box
}

// allDecoded flattens scanSlots' result into the set of texts decoded, failing the test
// if any slot decoded to more than one code.
func allDecoded(t *testing.T, found [][][]string) map[string]bool {
	t.Helper()
	set := map[string]bool{}
	for p, page := range found {
		for s, texts := range page {
			if len(texts) > 1 {
				t.Errorf("page %d slot %d: %d codes (%s)", p+1, s, len(texts), strings.Join(texts, ", "))
			}
			for _, text := range texts {
				set[text] = true
			}
		}
	}
	return set
}
