package labels

import (
	"strings"

	"golang.org/x/image/font"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"

	"kitloan/internal/paper"
)

// face is one of the papers' faces (internal/paper) with the widths a label is fitted
// by. Labels are planned in parallel before gofpdf sees them, and the PNG is drawn
// without gofpdf, so text is measured from the parsed font: the PDF and the PNG then fit
// text the same way.
type face struct {
	*paper.Face
	ascii    [128]float64 // advance widths of the printable ASCII runes, in em
	ellipsis float64      // the width of "…", which shortened text ends with
}

var (
	regular = loadFace(paper.Regular)
	bold    = loadFace(paper.Bold)
)

func loadFace(pf *paper.Face) *face {
	fc := &face{Face: pf}
	for r := ' '; r <= '~'; r++ {
		fc.ascii[r] = fc.glyphAdvance(r)
	}
	fc.ellipsis = fc.glyphAdvance('…')
	return fc
}

// glyphAdvance returns the advance width of r in em; 0 if the font has no glyph for it,
// which text cleaned by paper.Clean never asks for.
func (f *face) glyphAdvance(r rune) float64 {
	var buf sfnt.Buffer
	i, err := f.Font.GlyphIndex(&buf, r)
	if err != nil || i == 0 {
		return 0
	}
	upem := f.Font.UnitsPerEm()
	adv, err := f.Font.GlyphAdvance(&buf, i, fixed.Int26_6(upem)<<6, font.HintingNone)
	if err != nil {
		return 0
	}
	return float64(adv) / 64 / float64(upem)
}

// runeWidth returns the advance width of r in em. Printable ASCII, nearly every rune a
// label shows, comes from a table.
func (f *face) runeWidth(r rune) float64 {
	if r >= ' ' && r <= '~' {
		return f.ascii[r]
	}
	return f.glyphAdvance(r)
}

// width returns the width of s in em.
func (f *face) width(s string) float64 {
	w := 0.0
	for _, r := range s {
		w += f.runeWidth(r)
	}
	return w
}

// fitPrefix returns the length in bytes of the longest prefix of s at most limit em wide.
func (f *face) fitPrefix(s string, limit float64) int {
	w := 0.0
	for i, r := range s {
		if w += f.runeWidth(r); w > limit {
			return i
		}
	}
	return len(s)
}

// ellipsize returns s, or as much of it as fits in limit em followed by "…"; "" when not
// even that fits.
func (f *face) ellipsize(s string, limit float64) string {
	if f.width(s) <= limit {
		return s
	}
	n := f.fitPrefix(s, limit-f.ellipsis)
	if n == 0 {
		return ""
	}
	return strings.TrimRight(s[:n], " ") + "…"
}

// wrap breaks s into at most n lines of at most limit em, after a space or hyphen where
// it can, and shortens the last line with "…" when the text does not fit.
func (f *face) wrap(s string, limit float64, n int) []string {
	var lines []string
	for len(lines) < n-1 && f.width(s) > limit {
		cut := f.breakAt(s, limit)
		if cut == 0 {
			break
		}
		lines = append(lines, strings.TrimRight(s[:cut], " "))
		s = strings.TrimLeft(s[cut:], " ")
	}
	if last := f.ellipsize(s, limit); last != "" {
		lines = append(lines, last)
	}
	return lines
}

// breakAt returns where to end a line of s at most limit em wide: at the last space or
// after the last hyphen that fits, or within a word too long for a line of its own.
func (f *face) breakAt(s string, limit float64) int {
	fit := f.fitPrefix(s, limit)
	if fit < len(s) && s[fit] == ' ' {
		return fit
	}
	if i := strings.LastIndexAny(s[:fit], " -"); i > 0 {
		if s[i] == '-' {
			return i + 1
		}
		return i
	}
	return fit
}
