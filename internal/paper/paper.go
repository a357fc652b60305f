// Package paper holds what every printed paper shares, labels and loan agreements alike:
// the font, and starting a PDF with it.
//
// The font is Liberation Sans, embedded in the binary, whose own glyphs cover Latin
// (Vietnamese included), Greek and Cyrillic, so Zoë, Łukasz, Nguyễn and Ольга print as
// written and the PDF's text is copied, searched and read out as typed.
package paper

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/go-fonts/liberation/liberationsansbold"
	"github.com/go-fonts/liberation/liberationsansregular"
	"github.com/jung-kurt/gofpdf"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/text/unicode/norm"
)

// Family is the font family NewPDF registers, in the styles of Regular and Bold.
const Family = "sans"

// Face is one style of the papers' font.
type Face struct {
	Style string     // gofpdf's style letter: "" or "B"
	Font  *sfnt.Font // for measuring text before it is drawn, and drawing it into images
	ttf   []byte
}

// The two faces the papers use.
var (
	Regular = load("", liberationsansregular.TTF)
	Bold    = load("B", liberationsansbold.TTF)
)

func load(style string, ttf []byte) *Face {
	f, err := sfnt.Parse(ttf)
	if err != nil {
		panic("paper: embedded Liberation Sans does not parse: " + err.Error())
	}
	return &Face{Style: style, Font: f, ttf: ttf}
}

// NewPDF starts a compressed document of w × h mm pages, measured in millimetres from the
// top left, with no margins and no automatic page breaks (the papers place everything
// themselves), and with Regular and Bold registered as Family. gofpdf embeds only the
// glyphs drawn.
func NewPDF(w, h float64, title string) *gofpdf.Fpdf {
	pdf := gofpdf.NewCustom(&gofpdf.InitType{UnitStr: "mm", Size: gofpdf.SizeType{Wd: w, Ht: h}})
	pdf.SetMargins(0, 0, 0)
	pdf.SetAutoPageBreak(false, 0)
	pdf.SetCompression(true)
	pdf.SetTitle(title, true)
	pdf.SetCreator("kitloan", true)
	for _, f := range []*Face{Regular, Bold} {
		// gofpdf writes into the bytes it is given while subsetting, so each document
		// gets its own copy: the shared slice would be a data race between requests.
		pdf.AddUTF8FontFromBytes(Family, f.Style, append([]byte(nil), f.ttf...))
	}
	return pdf
}

// Clean makes s safe to draw as one line: letters are composed (NFC), so "e" followed by
// combining accents is the one letter ễ; white space and control characters become
// single spaces; and a rune the font cannot draw becomes its base letter or, failing
// that, "?" rather than an empty box. Runes beyond U+FFFF (emoji) always become "?":
// gofpdf's width tables stop there, and it panics measuring past them.
func Clean(s string) string {
	if plain(s) {
		return s
	}
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "?")
	}
	var buf sfnt.Buffer
	drawable := func(r rune) bool {
		if r > 0xFFFF {
			return false
		}
		for _, f := range []*Face{Regular, Bold} {
			if i, err := f.Font.GlyphIndex(&buf, r); err != nil || i == 0 {
				return false
			}
		}
		return true
	}
	s = strings.Map(func(r rune) rune {
		switch {
		case r >= ' ' && r <= '~':
			return r
		case unicode.IsSpace(r) || unicode.IsControl(r):
			return ' '
		case unicode.Is(unicode.Mn, r):
			return -1 // a combining mark that did not compose: drop it
		case drawable(r):
			return r
		}
		if base, _ := utf8.DecodeRuneInString(norm.NFD.String(string(r))); base != r && drawable(base) {
			return base
		}
		return '?'
	}, norm.NFC.String(s))
	return strings.Join(strings.Fields(s), " ")
}

// plain reports whether s is already clean and needs no work: printable ASCII, one space
// between words, as nearly every tag, product name and phone number is. Labels clean
// three strings a label, thousands a sheet.
func plain(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < ' ' || s[i] > '~' || s[i] == ' ' && (i == 0 || i == len(s)-1 || s[i-1] == ' ') {
			return false
		}
	}
	return true
}
