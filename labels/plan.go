package labels

import "kitloan/internal/paper"

const (
	ptPerMM = 72 / 25.4
	// edgePad is kept clear inside each label's edge, because sheet feeders drift by about
	// that much and ink across the cut is lost.
	edgePad = 1.0
	// quietZone is the light margin, in modules, the QR standard requires around a code.
	quietZone = 4
	// lineSpacing and ascent are in em: Liberation Sans's ascent is 0.905 em and its
	// descent 0.212 em.
	lineSpacing = 1.15
	ascent      = 0.905
)

// labelPlan says where everything on one label goes, in millimetres from the label's
// top-left corner. The PDF and the PNG both draw from it, so they look the same.
type labelPlan struct {
	codeX, codeY float64 // the top-left of the code's first module, inside its quiet zone
	module       float64 // the side of one module
	lines        []textLine
}

type textLine struct {
	text        string
	face        *face
	size        float64 // points
	x, baseline float64
}

// planLabel lays out a w × h mm label: the code as large as the height allows on the
// left, its quiet zone inside the label; to its right the tag, as large as fits, then
// the product name on up to two lines, then the phone. When the label is too small for
// all of it, the tag comes first, then a line of the product, then the phone, then the
// product's second line. Text is fitted to the column right of the quiet zone, so it
// can never touch the code.
func planLabel(l Label, phone string, w, h float64, modules int) labelPlan {
	side := h - 2*edgePad
	module := side / float64(modules+2*quietZone)
	p := labelPlan{codeX: edgePad + quietZone*module, codeY: edgePad + quietZone*module, module: module}

	// The text column starts where the quiet zone ends. emAt is its width in em at a
	// size in points, height a line's height in mm.
	textX := edgePad + side
	emAt := func(pt float64) float64 { return (w - edgePad - textX) * ptPerMM / pt }
	height := func(pt float64) float64 { return lineSpacing * pt / ptPerMM }

	// The tag gets the largest size that fits the column (sized as at least 1 em wide,
	// so that an empty tag needs no special case), up to 20 pt or 30% of the height.
	tag := paper.Clean(l.Tag)
	tagPt := clamp(emAt(1)/max(bold.width(tag), 1), 6, min(20, 0.3*h*ptPerMM))
	productPt := clamp(0.6*tagPt, 6, 10)
	phonePt := clamp(0.85*productPt, 5, 8)
	product := paper.Clean(l.Product)
	phone = regular.ellipsize(paper.Clean(phone), emAt(phonePt))

	room := side - height(tagPt)
	productLines := 0
	if product != "" && room >= height(productPt) {
		productLines, room = 1, room-height(productPt)
	}
	showPhone := phone != "" && room >= height(phonePt)
	if showPhone {
		room -= height(phonePt)
	}
	if productLines == 1 && regular.width(product) > emAt(productPt) && room >= height(productPt) {
		productLines = 2
	}

	add := func(text string, f *face, pt float64) {
		if text != "" {
			p.lines = append(p.lines, textLine{text: text, face: f, size: pt, x: textX})
		}
	}
	add(bold.ellipsize(tag, emAt(tagPt)), bold, tagPt)
	if productLines > 0 {
		for _, s := range regular.wrap(product, emAt(productPt), productLines) {
			add(s, regular, productPt)
		}
	}
	if showPhone {
		add(phone, regular, phonePt)
	}
	p.placeLines(edgePad, side)
	return p
}

// placeLines sets the lines' baselines so the block is centred in the band from top
// that is span mm tall.
func (p *labelPlan) placeLines(top, span float64) {
	total := 0.0
	for _, l := range p.lines {
		total += lineSpacing * l.size / ptPerMM
	}
	y := top + (span-total)/2
	for i := range p.lines {
		l := &p.lines[i]
		l.baseline = y + ascent*l.size/ptPerMM
		y += lineSpacing * l.size / ptPerMM
	}
}

func clamp(v, lo, hi float64) float64 {
	return max(lo, min(hi, v))
}
