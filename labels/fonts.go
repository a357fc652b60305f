package labels

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
	"golang.org/x/text/unicode/norm"
)

// face is one of the embedded Go fonts, which cover Latin, Greek and Cyrillic, so names
// like Zoë, Łukasz and Ольга print as written. The PDF embeds the font's bytes (subset);
// text is measured, and PNGs drawn, from the parsed font, so both outputs fit text the
// same way.
type face struct {
	style    string // gofpdf's style letter: "" or "B"
	ttf      []byte
	font     *sfnt.Font
	ascii    [128]float64 // advance widths of the printable ASCII runes, in em
	ellipsis float64      // the width of "…", which shortened text ends with
}

var (
	regular = loadFace("", goregular.TTF)
	bold    = loadFace("B", gobold.TTF)
)

func loadFace(style string, ttf []byte) *face {
	f, err := sfnt.Parse(ttf)
	if err != nil {
		panic("labels: embedded Go font does not parse: " + err.Error())
	}
	fc := &face{style: style, ttf: ttf, font: f}
	for r := ' '; r <= '~'; r++ {
		fc.ascii[r], _ = fc.glyphAdvance(r)
	}
	fc.ellipsis, _ = fc.glyphAdvance('…')
	return fc
}

// glyphAdvance returns the advance width of r in em, and false if the font has no glyph
// for it.
func (f *face) glyphAdvance(r rune) (float64, bool) {
	var buf sfnt.Buffer
	i, err := f.font.GlyphIndex(&buf, r)
	if err != nil || i == 0 {
		return 0, false
	}
	upem := f.font.UnitsPerEm()
	adv, err := f.font.GlyphAdvance(&buf, i, fixed.Int26_6(upem)<<6, font.HintingNone)
	if err != nil {
		return 0, false
	}
	return float64(adv) / 64 / float64(upem), true
}

// runeWidth returns the advance width of r in em. Printable ASCII, nearly every rune a
// label shows, comes from a table.
func (f *face) runeWidth(r rune) float64 {
	if r >= ' ' && r <= '~' {
		return f.ascii[r]
	}
	adv, _ := f.glyphAdvance(r)
	return adv
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

// clean makes s safe to draw in one line: runs of white space and control characters
// become one space, and runes the font cannot draw become their base letter (ễ becomes
// e) or else "?", rather than an empty box.
func (f *face) clean(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r >= ' ' && r <= '~':
			return r
		case unicode.IsSpace(r) || unicode.IsControl(r):
			return ' '
		case f.has(r):
			return r
		}
		if base, _ := utf8.DecodeRuneInString(norm.NFD.String(string(r))); base != r && f.has(base) {
			return base
		}
		return '?'
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// has reports whether f can draw r. Runes beyond U+FFFF count as undrawable because
// gofpdf's font tables stop there.
func (f *face) has(r rune) bool {
	_, ok := f.glyphAdvance(r)
	return ok && r <= 0xFFFF
}
