package loans

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/text/unicode/norm"
)

// The printed papers use the Go fonts, embedded in the binary, which cover Latin, Greek and
// Cyrillic: Zoë, Łukasz and Ольга print as written. They lack most of Latin Extended
// Additional, though, so Vietnamese names (Nguyễn) would lose their accents. When the fonts
// are first loaded we add the missing letters as TrueType composite glyphs, each built
// from a letter the font has and the font's own spacing accents (ễ is ê with ˜ above it),
// and map the letters to them. The PDF then carries real text, which is copied, searched
// and read out (pdftotext, screen readers) as typed.

// paperFont is one face of the printed papers' font.
type paperFont struct {
	style  string // "" or "B"
	name   string // PostScript name: Go-Regular, Go-Bold
	tables fontTables
	glyphs *glyphSet // the Go font's glyphs, then the composed letters
	cmap   []uint16  // rune to glyph, for the BMP
	upem   float64
	// For the PDF's font descriptor, in font units.
	box                        bbox
	ascent, descent, capHeight float64
}

type paperFontSet struct {
	regular, bold paperFont
	// drawable holds, for each rune of the Basic Multilingual Plane, whether both faces
	// can draw it. The fonts' character maps stop at U+FFFF.
	drawable []bool
}

var paperFonts = sync.OnceValue(func() *paperFontSet {
	regular, err := extendFont("", "Go-Regular", goregular.TTF)
	if err != nil {
		panic("loans: extending the Go regular font: " + err.Error())
	}
	bold, err := extendFont("B", "Go-Bold", gobold.TTF)
	if err != nil {
		panic("loans: extending the Go bold font: " + err.Error())
	}
	set := &paperFontSet{regular: regular, bold: bold, drawable: make([]bool, 0x10000)}
	for r := range set.drawable {
		set.drawable[r] = regular.cmap[r] != 0 && bold.cmap[r] != 0
	}
	return set
})

// clean makes s safe to print on one line: white space and control characters become
// single spaces; letters are composed (NFC), so "e" followed by combining accents prints
// as one letter; and anything the fonts cannot draw becomes its base letter or, failing
// that, "?" rather than an empty box.
func (set *paperFontSet) clean(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "?")
	}
	s = norm.NFC.String(s)
	s = strings.Map(func(r rune) rune {
		switch {
		case r >= ' ' && r <= '~':
			return r
		case unicode.IsSpace(r) || unicode.IsControl(r):
			return ' '
		case unicode.Is(unicode.Mn, r):
			return -1 // a combining mark that did not compose: drop it
		case set.can(r):
			return r
		}
		if base, _ := utf8.DecodeRuneInString(norm.NFD.String(string(r))); base != r && set.can(base) {
			return base
		}
		return '?'
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

func (set *paperFontSet) can(r rune) bool {
	return r >= 0 && int(r) < len(set.drawable) && set.drawable[r]
}

// Spacing accents the Go fonts have, standing in for combining marks.
type markPlace int

const (
	above    markPlace = iota
	below              // under the letter, clear of it
	attached           // cedilla and ogonek: drawn where the font's own spacing form puts them
	horn               // at the top right, touching the letter (ơ, ư)
)

type markGlyph struct {
	r     rune
	place markPlace
	scale float64 // 0 means 1
}

var markGlyphs = map[rune]markGlyph{
	0x0300: {'`', above, 0},    // grave
	0x0301: {'´', above, 0},    // acute
	0x0302: {'ˆ', above, 0},    // circumflex
	0x0303: {'˜', above, 0},    // tilde
	0x0304: {'¯', above, 0},    // macron
	0x0306: {'˘', above, 0},    // breve
	0x0307: {'˙', above, 0},    // dot above
	0x0308: {'¨', above, 0},    // diaeresis
	0x0309: {'?', above, 0.5},  // hook above: a small question mark, as it began
	0x030A: {'˚', above, 0},    // ring
	0x030B: {'˝', above, 0},    // double acute
	0x030C: {'ˇ', above, 0},    // caron
	0x031B: {'’', horn, 0},     // horn
	0x0323: {'.', below, 0},    // dot below
	0x0327: {'¸', attached, 0}, // cedilla
	0x0328: {'˛', attached, 0}, // ogonek
}

// composedRanges are the blocks whose missing letters are composed.
var composedRanges = []*unicode.RangeTable{
	{R16: []unicode.Range16{{Lo: 0x00C0, Hi: 0x024F, Stride: 1}, {Lo: 0x1E00, Hi: 0x1EFF, Stride: 1}}},
}

// sfnt tables, read and rebuilt.
type fontTables map[string][]byte

func readTables(ttf []byte) (fontTables, error) {
	if len(ttf) < 12 {
		return nil, errors.New("too short")
	}
	n := int(binary.BigEndian.Uint16(ttf[4:]))
	t := fontTables{}
	for i := range n {
		rec := ttf[12+16*i:]
		if len(rec) < 16 {
			return nil, errors.New("truncated table directory")
		}
		off, length := binary.BigEndian.Uint32(rec[8:]), binary.BigEndian.Uint32(rec[12:])
		if int(off)+int(length) > len(ttf) {
			return nil, fmt.Errorf("table %s runs past the end", rec[:4])
		}
		t[string(rec[:4])] = ttf[off : off+length]
	}
	for _, name := range []string{"head", "hhea", "hmtx", "loca", "glyf", "maxp", "cmap"} {
		if t[name] == nil {
			return nil, fmt.Errorf("no %s table", name)
		}
	}
	return t, nil
}

// glyphSet is the glyphs of a font, with their metrics, as they are being extended.
type glyphSet struct {
	data    [][]byte // each glyph's glyf entry
	advance []uint16
	lsb     []int16
}

type bbox struct{ xMin, yMin, xMax, yMax int }

func (g *glyphSet) box(id uint16) (bbox, bool) {
	d := g.data[id]
	if len(d) < 10 {
		return bbox{}, false
	}
	v := func(i int) int { return int(int16(binary.BigEndian.Uint16(d[i:]))) }
	return bbox{v(2), v(4), v(6), v(8)}, true
}

func readGlyphs(t fontTables) (*glyphSet, error) {
	numGlyphs := int(binary.BigEndian.Uint16(t["maxp"][4:]))
	longLoca := binary.BigEndian.Uint16(t["head"][50:]) == 1
	loca := func(i int) int {
		if longLoca {
			return int(binary.BigEndian.Uint32(t["loca"][4*i:]))
		}
		return 2 * int(binary.BigEndian.Uint16(t["loca"][2*i:]))
	}
	if need := (numGlyphs + 1) * map[bool]int{false: 2, true: 4}[longLoca]; len(t["loca"]) < need {
		return nil, errors.New("loca table too short")
	}
	hMetrics := int(binary.BigEndian.Uint16(t["hhea"][34:]))
	if hMetrics == 0 || len(t["hmtx"]) < 4*hMetrics+2*(numGlyphs-hMetrics) {
		return nil, errors.New("hmtx table too short")
	}
	g := &glyphSet{}
	glyf := t["glyf"]
	for i := range numGlyphs {
		start, end := loca(i), loca(i+1)
		if start > end || end > len(glyf) {
			return nil, fmt.Errorf("glyph %d runs past the glyf table", i)
		}
		g.data = append(g.data, glyf[start:end])
		m := min(i, hMetrics-1)
		g.advance = append(g.advance, binary.BigEndian.Uint16(t["hmtx"][4*m:]))
		if i < hMetrics {
			g.lsb = append(g.lsb, int16(binary.BigEndian.Uint16(t["hmtx"][4*i+2:])))
		} else {
			g.lsb = append(g.lsb, int16(binary.BigEndian.Uint16(t["hmtx"][4*hMetrics+2*(i-hMetrics):])))
		}
	}
	return g, nil
}

// component is one part of a composite glyph.
type component struct {
	glyph  uint16
	dx, dy int
	scale  float64 // 0 means 1
}

// composite encodes a composite glyph: its bounding box, then each component placed by
// x/y offsets in font units (unscaled, so every rasteriser reads them alike).
func (g *glyphSet) composite(parts []component) ([]byte, bbox) {
	box := bbox{math.MaxInt, math.MaxInt, math.MinInt, math.MinInt}
	for _, p := range parts {
		b, ok := g.box(p.glyph)
		if !ok {
			continue
		}
		s := p.scaleOr1()
		box.xMin = min(box.xMin, int(math.Floor(float64(b.xMin)*s))+p.dx)
		box.yMin = min(box.yMin, int(math.Floor(float64(b.yMin)*s))+p.dy)
		box.xMax = max(box.xMax, int(math.Ceil(float64(b.xMax)*s))+p.dx)
		box.yMax = max(box.yMax, int(math.Ceil(float64(b.yMax)*s))+p.dy)
	}
	const (
		argsAreWords     = 0x0001
		argsAreXY        = 0x0002
		haveScale        = 0x0008
		moreComponents   = 0x0020
		unscaledOffsets  = 0x1000
		f2dot14          = 1 << 14
		compositeContour = 0xFFFF // numberOfContours -1
	)
	out := binary.BigEndian.AppendUint16(nil, compositeContour)
	for _, v := range []int{box.xMin, box.yMin, box.xMax, box.yMax} {
		out = binary.BigEndian.AppendUint16(out, uint16(int16(v)))
	}
	for i, p := range parts {
		flags := uint16(argsAreWords | argsAreXY)
		if i < len(parts)-1 {
			flags |= moreComponents
		}
		if p.scale != 0 && p.scale != 1 {
			flags |= haveScale | unscaledOffsets
		}
		out = binary.BigEndian.AppendUint16(out, flags)
		out = binary.BigEndian.AppendUint16(out, p.glyph)
		out = binary.BigEndian.AppendUint16(out, uint16(int16(p.dx)))
		out = binary.BigEndian.AppendUint16(out, uint16(int16(p.dy)))
		if flags&haveScale != 0 {
			out = binary.BigEndian.AppendUint16(out, uint16(int16(math.Round(p.scale*f2dot14))))
		}
	}
	return out, box
}

func (p component) scaleOr1() float64 {
	if p.scale == 0 {
		return 1
	}
	return p.scale
}

// extendFont returns the font with the missing letters of composedRanges added as
// composite glyphs.
func extendFont(style, name string, ttf []byte) (paperFont, error) {
	f, err := sfnt.Parse(ttf)
	if err != nil {
		return paperFont{}, err
	}
	t, err := readTables(ttf)
	if err != nil {
		return paperFont{}, err
	}
	g, err := readGlyphs(t)
	if err != nil {
		return paperFont{}, err
	}
	cmap := make([]uint16, 0x10000)
	var buf sfnt.Buffer
	for r := rune(0); r < 0x10000; r++ {
		if r >= 0xD800 && r <= 0xDFFF {
			continue
		}
		if i, err := f.GlyphIndex(&buf, r); err == nil {
			cmap[r] = uint16(i)
		}
	}
	upem := int(f.UnitsPerEm())
	gap := upem / 28 // between a letter and an accent, or two accents
	for _, table := range composedRanges {
		for _, rg := range table.R16 {
			for r := rune(rg.Lo); r <= rune(rg.Hi); r++ {
				if cmap[r] != 0 || !unicode.IsLetter(r) {
					continue
				}
				parts, ok := composeLetter(r, cmap, g, gap)
				if !ok {
					continue
				}
				data, box := g.composite(parts)
				// Keep the letter's right side bearing when an accent (a horn) sticks out.
				adv := int(g.advance[parts[0].glyph])
				if baseBox, ok := g.box(parts[0].glyph); ok && box.xMax > baseBox.xMax {
					adv += box.xMax - baseBox.xMax
				}
				g.data = append(g.data, data)
				g.advance = append(g.advance, uint16(adv))
				g.lsb = append(g.lsb, int16(box.xMin))
				cmap[r] = uint16(len(g.data) - 1)
			}
		}
	}
	if len(g.data) > 0xFFFF {
		return paperFont{}, errors.New("too many glyphs")
	}
	pf := paperFont{style: style, name: name, tables: t, glyphs: g, cmap: cmap, upem: float64(upem)}
	i16 := func(b []byte, at int) int { return int(int16(binary.BigEndian.Uint16(b[at:]))) }
	head, hhea := t["head"], t["hhea"]
	pf.box = bbox{i16(head, 36), i16(head, 38), i16(head, 40), i16(head, 42)}
	pf.ascent, pf.descent, pf.capHeight = float64(i16(hhea, 4)), float64(i16(hhea, 6)), float64(i16(hhea, 4))
	if os2 := t["OS/2"]; len(os2) >= 90 && binary.BigEndian.Uint16(os2) >= 2 {
		pf.capHeight = float64(i16(os2, 88))
	}
	return pf, nil
}

// font returns the whole extended font as a TrueType file.
func (f *paperFont) font() []byte {
	return writeFont(f.tables, f.glyphs, f.cmap, "OS/2", "cvt ", "fpgm", "gasp", "name", "prep")
}

// advance is the width of r in em.
func (f *paperFont) advance(r rune) float64 {
	if r < 0 || int(r) >= len(f.cmap) {
		return 0
	}
	return float64(f.glyphs.advance[f.cmap[r]]) / f.upem
}

// subsetProgram returns the font program a PDF embeds: every glyph keeps its number,
// so that text drawn with the full font's glyph numbers needs no change, but only the
// glyphs kept have outlines. It keeps the hinting tables the outlines may call on, and
// maps only the runes of the glyphs kept.
func (f *paperFont) subsetProgram(keep map[uint16]bool) []byte {
	sub := &glyphSet{data: make([][]byte, len(f.glyphs.data)), advance: f.glyphs.advance, lsb: f.glyphs.lsb}
	for id := range keep {
		sub.data[id] = f.glyphs.data[id]
	}
	cmap := make([]uint16, len(f.cmap))
	for r, id := range f.cmap {
		if id != 0 && keep[id] {
			cmap[r] = id
		}
	}
	return writeFont(f.tables, sub, cmap, "OS/2", "cvt ", "fpgm", "prep")
}

// componentRef is where a composite glyph names one of its parts.
type componentRef struct {
	id uint16
	at int // offset of the glyph index in the glyph's data
}

// components lists the parts of a composite glyph; a simple glyph has none.
func components(d []byte) []componentRef {
	if len(d) < 10 || int16(binary.BigEndian.Uint16(d)) >= 0 {
		return nil
	}
	var out []componentRef
	for at := 10; at+4 <= len(d); {
		flags := binary.BigEndian.Uint16(d[at:])
		out = append(out, componentRef{binary.BigEndian.Uint16(d[at+2:]), at + 2})
		at += 4
		if flags&0x0001 != 0 {
			at += 4
		} else {
			at += 2
		}
		switch {
		case flags&0x0008 != 0:
			at += 2
		case flags&0x0040 != 0:
			at += 4
		case flags&0x0080 != 0:
			at += 8
		}
		if flags&0x0020 == 0 {
			break
		}
	}
	return out
}

// composeLetter places a letter's accents on the longest part of it the font has: ễ is
// e, circumflex, tilde; the font has ê, so ễ is ê with ˜ above it.
func composeLetter(r rune, cmap []uint16, g *glyphSet, gap int) ([]component, bool) {
	d := []rune(norm.NFD.String(string(r)))
	for k := len(d) - 1; k >= 1; k-- {
		base := []rune(norm.NFC.String(string(d[:k])))
		if len(base) != 1 || cmap[base[0]] == 0 {
			continue
		}
		b := base[0]
		marks := d[k:]
		if b == 'i' && markGlyphs[marks[0]].place == above && cmap['ı'] != 0 {
			b = 'ı' // an accent replaces the dot of the i
		}
		parts := []component{{glyph: cmap[b]}}
		box, ok := g.box(cmap[b])
		if !ok {
			return nil, false
		}
		top, bottom := box.yMax, min(box.yMin, 0)
		for _, m := range marks {
			mg, ok := markGlyphs[m]
			if !ok || cmap[mg.r] == 0 {
				return nil, false
			}
			c := component{glyph: cmap[mg.r], scale: mg.scale}
			mb, ok := g.box(c.glyph)
			if !ok {
				return nil, false
			}
			s := c.scaleOr1()
			mxMin, mxMax := int(float64(mb.xMin)*s), int(float64(mb.xMax)*s)
			myMin, myMax := int(float64(mb.yMin)*s), int(float64(mb.yMax)*s)
			centre := (box.xMin+box.xMax)/2 - (mxMin+mxMax)/2
			switch mg.place {
			case above:
				c.dx, c.dy = centre, top+gap-myMin
				top = c.dy + myMax
			case below:
				c.dx, c.dy = centre, bottom-gap-myMax
				bottom = c.dy + myMin
			case attached:
				c.dx = centre
				if m == 0x0328 { // the ogonek hangs from the right of the letter
					c.dx = box.xMax - mxMax
				}
			case horn:
				c.dx = box.xMax - mxMin - (mxMax-mxMin)/3
				c.dy = box.yMax + gap/2 - myMax
			}
			parts = append(parts, c)
		}
		return parts, true
	}
	return nil, false
}

// writeFont assembles a TrueType font from the tables the optional list names and the
// glyphs, metrics and character map rebuilt: loca in the long format, one long metric a
// glyph, a format 4 character map and a version 3 post table (no glyph names).
func writeFont(t fontTables, g *glyphSet, cmap []uint16, optional ...string) []byte {
	out := fontTables{}
	for _, name := range optional {
		if t[name] != nil {
			out[name] = t[name]
		}
	}
	var glyf, loca, hmtx []byte
	for i, d := range g.data {
		loca = binary.BigEndian.AppendUint32(loca, uint32(len(glyf)))
		glyf = append(glyf, d...)
		for len(glyf)%4 != 0 {
			glyf = append(glyf, 0)
		}
		hmtx = binary.BigEndian.AppendUint16(hmtx, g.advance[i])
		hmtx = binary.BigEndian.AppendUint16(hmtx, uint16(g.lsb[i]))
	}
	loca = binary.BigEndian.AppendUint32(loca, uint32(len(glyf)))
	out["glyf"], out["loca"], out["hmtx"] = glyf, loca, hmtx

	n := uint16(len(g.data))
	head := slices.Clone(t["head"])
	binary.BigEndian.PutUint16(head[50:], 1) // long loca
	binary.BigEndian.PutUint32(head[8:], 0)  // checkSumAdjustment, set below
	out["head"] = head
	hhea := slices.Clone(t["hhea"])
	binary.BigEndian.PutUint16(hhea[34:], n)
	out["hhea"] = hhea
	maxp := slices.Clone(t["maxp"])
	binary.BigEndian.PutUint16(maxp[4:], n)
	if len(maxp) >= 32 {
		binary.BigEndian.PutUint16(maxp[28:], max(binary.BigEndian.Uint16(maxp[28:]), 3))   // components
		binary.BigEndian.PutUint16(maxp[30:], max(binary.BigEndian.Uint16(maxp[30:])+1, 2)) // depth
	}
	out["maxp"] = maxp
	if post := t["post"]; len(post) >= 32 {
		p := slices.Clone(post[:32])
		binary.BigEndian.PutUint32(p, 0x00030000)
		out["post"] = p
	}
	out["cmap"] = format4(cmap)

	names := make([]string, 0, len(out))
	for name := range out {
		names = append(names, name)
	}
	slices.Sort(names)
	numTables := len(names)
	entrySelector := 0
	for 1<<(entrySelector+1) <= numTables {
		entrySelector++
	}
	searchRange := 16 << entrySelector
	font := binary.BigEndian.AppendUint32(nil, 0x00010000)
	font = binary.BigEndian.AppendUint16(font, uint16(numTables))
	font = binary.BigEndian.AppendUint16(font, uint16(searchRange))
	font = binary.BigEndian.AppendUint16(font, uint16(entrySelector))
	font = binary.BigEndian.AppendUint16(font, uint16(numTables*16-searchRange))
	offset := 12 + 16*numTables
	var body []byte
	headAt := 0
	for _, name := range names {
		data := out[name]
		if name == "head" {
			headAt = offset
		}
		font = append(font, name...)
		font = binary.BigEndian.AppendUint32(font, checksum(data))
		font = binary.BigEndian.AppendUint32(font, uint32(offset))
		font = binary.BigEndian.AppendUint32(font, uint32(len(data)))
		body = append(body, data...)
		for len(body)%4 != 0 {
			body = append(body, 0)
		}
		offset = 12 + 16*numTables + len(body)
	}
	font = append(font, body...)
	binary.BigEndian.PutUint32(font[headAt+8:], 0xB1B0AFBA-checksum(font))
	return font
}

func checksum(b []byte) uint32 {
	var sum uint32
	for i := 0; i < len(b); i += 4 {
		var w [4]byte
		copy(w[:], b[i:])
		sum += binary.BigEndian.Uint32(w[:])
	}
	return sum
}

// format4 writes a character map with one format 4 subtable for the BMP, under the
// Unicode and the Windows Unicode encodings. Each segment is a run of characters whose
// glyph numbers rise with them, so every segment needs only its delta.
func format4(cmap []uint16) []byte {
	type segment struct{ start, end, delta uint16 }
	var segs []segment
	for r := 0; r < 0xFFFF; r++ {
		if cmap[r] == 0 {
			continue
		}
		delta := uint16(int(cmap[r]) - r)
		if n := len(segs); n > 0 && int(segs[n-1].end) == r-1 && segs[n-1].delta == delta {
			segs[n-1].end = uint16(r)
			continue
		}
		segs = append(segs, segment{uint16(r), uint16(r), delta})
	}
	segs = append(segs, segment{0xFFFF, 0xFFFF, 1})
	segX2 := 2 * len(segs)
	entrySelector := 0
	for 1<<(entrySelector+1) <= len(segs) {
		entrySelector++
	}
	searchRange := 2 << entrySelector
	sub := binary.BigEndian.AppendUint16(nil, 4)
	sub = binary.BigEndian.AppendUint16(sub, uint16(16+4*segX2))
	sub = binary.BigEndian.AppendUint16(sub, 0) // language
	sub = binary.BigEndian.AppendUint16(sub, uint16(segX2))
	sub = binary.BigEndian.AppendUint16(sub, uint16(searchRange))
	sub = binary.BigEndian.AppendUint16(sub, uint16(entrySelector))
	sub = binary.BigEndian.AppendUint16(sub, uint16(segX2-searchRange))
	for _, s := range segs {
		sub = binary.BigEndian.AppendUint16(sub, s.end)
	}
	sub = binary.BigEndian.AppendUint16(sub, 0) // reservedPad
	for _, s := range segs {
		sub = binary.BigEndian.AppendUint16(sub, s.start)
	}
	for _, s := range segs {
		sub = binary.BigEndian.AppendUint16(sub, s.delta)
	}
	for range segs {
		sub = binary.BigEndian.AppendUint16(sub, 0) // idRangeOffset
	}
	out := binary.BigEndian.AppendUint16(nil, 0) // version
	out = binary.BigEndian.AppendUint16(out, 2)
	for _, enc := range [][2]uint16{{0, 3}, {3, 1}} {
		out = binary.BigEndian.AppendUint16(out, enc[0])
		out = binary.BigEndian.AppendUint16(out, enc[1])
		out = binary.BigEndian.AppendUint32(out, 20)
	}
	return append(out, sub...)
}
