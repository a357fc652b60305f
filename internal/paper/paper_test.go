package paper

import (
	"bytes"
	"sync"
	"testing"

	"golang.org/x/image/font/sfnt"
)

// Both faces draw every Vietnamese letter, and the names in the tests, with glyphs of
// their own.
func TestFontsCoverTheNames(t *testing.T) {
	var buf sfnt.Buffer
	for _, f := range []*Face{Regular, Bold} {
		for r := rune(0x1EA0); r <= 0x1EF9; r++ {
			if i, err := f.Font.GlyphIndex(&buf, r); err != nil || i == 0 {
				t.Errorf("style %q: no glyph for %c (U+%04X)", f.Style, r, r)
			}
		}
		for _, r := range "Zoë Łukasiewicz-Nguyễn Ольга Петренко ơư Ωμέγα" {
			if i, _ := f.Font.GlyphIndex(&buf, r); i == 0 && r != ' ' {
				t.Errorf("style %q: no glyph for %c", f.Style, r)
			}
		}
	}
}

func TestClean(t *testing.T) {
	cases := map[string]string{
		"  Zoë\tŁukasz\n":     "Zoë Łukasz",
		"Nguyễn Ольга":        "Nguyễn Ольга",
		"Nguye\u0302\u0303n":  "Nguyễn", // composed
		"a\u0301\u0301\u0301": "á",      // the marks that do not compose are dropped
		"a\x00b":              "a b",
		"漢字 \U0001F600 ok":    "?? ? ok",
		"\U00010000":          "?",
		"bad \xff utf-8":      "bad ? utf-8",
		"":                    "",
		"ก":                   "?", // Thai: not in the font
		"(((\\)))":            "(((\\)))",
		"Zoë Łukasiewicz-Nguyễn, Ольга Петренко": "Zoë Łukasiewicz-Nguyễn, Ольга Петренко",
	}
	for in, want := range cases {
		if got := Clean(in); got != want {
			t.Errorf("Clean(%q) = %q, want %q", in, got, want)
		}
	}
}

// Documents are made from many goroutines at once; run with -race.
func TestConcurrentDocuments(t *testing.T) {
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			pdf := NewPDF(210, 297, "Test")
			pdf.AddPage()
			for _, f := range []*Face{Regular, Bold} {
				pdf.SetFont(Family, f.Style, 12)
				pdf.Text(20, 20, Clean("Zoë Łukasiewicz-Nguyễn, Ольга Петренко 😀"))
			}
			var b bytes.Buffer
			if err := pdf.Output(&b); err != nil || b.Len() == 0 {
				t.Errorf("output: %v, %d bytes", err, b.Len())
			}
		})
	}
	wg.Wait()
}
