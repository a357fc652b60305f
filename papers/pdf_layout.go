package papers

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jung-kurt/gofpdf"

	"kitloan/internal/errs"
	"kitloan/internal/paper"
	"kitloan/labels"
)

// This file lays out the printed papers (agreement, delivery note, collection receipt)
// and draws them with gofpdf. A paper is a list of blocks, each with a measured height
// and a way to draw itself; the blocks are placed on pages first and then drawn once for
// each copy. Placing them first is what lets every copy number its own pages ("Page 1
// of 3", twice over in an agreement), which gofpdf's AliasNbPages, counting the whole
// file, cannot; it also lets a table's header go with a row that starts a page, and
// keeps a heading from ending one.

// Paper sizes.
const (
	PaperA4     = "A4"
	PaperLetter = "Letter"
)

type pageSize struct{ w, h float64 }

var pageSizes = map[string]pageSize{PaperA4: {210, 297}, PaperLetter: {215.9, 279.4}}

// PaperSizes lists the paper sizes the printed papers come in.
func PaperSizes() []string { return []string{PaperA4, PaperLetter} }

const (
	mmPerPt = 25.4 / 72
	margin  = 16.0 // left and right, in mm
	// qrSide is the side of the loan's QR code in mm, quiet zone apart; qrQuiet is that
	// zone, in modules, which the QR standard asks to be left light around a code.
	qrSide  = 24.0
	qrQuiet = 4
)

// Colours of the NHS identity guidelines: NHS Blue for the letterhead, near-black text,
// grey-blue secondary text, pale grey table headings. Everything also reads in black and
// white: nothing is said by colour alone.
type rgb struct{ r, g, b int }

var (
	nhsBlue   = rgb{0, 94, 184}
	textColor = rgb{33, 43, 50}
	secondary = rgb{76, 98, 114}
	paleGrey  = rgb{232, 237, 238}
	ruleGrey  = rgb{174, 183, 189}
	white     = rgb{255, 255, 255}
)

// block is a piece of a paper, drawn with its top at y.
type block struct {
	h      float64
	draw   func(y float64)
	keep   bool   // keep with the next block: a heading, a table's header
	repeat *block // a table row: a page it starts begins with this (the table's header)
}

// printout is a paper being laid out, in millimetres from the top left of the page.
type printout struct {
	pdf                      *gofpdf.Fpdf
	page                     pageSize
	left, right, top, bottom float64 // the content area
	title, ref               string  // for the letterhead and the running header
	refLabel                 string  // what the letterhead calls ref: "Loan reference"
	service                  Service
	qrSize                   int           // the QR code's side in modules; 0 for none
	qr                       []labels.Rect // its dark modules
	copies                   []paperCopy
}

// paperCopy is one copy of a paper: "Service copy", with a note on what to do with it.
// The service's copy has a filled badge, the family's an outlined one.
type paperCopy struct {
	label, note string
	filled      bool
}

func newPrintout(size, title, ref, qrURL string, svc Service, date time.Time, copies []paperCopy) (*printout, error) {
	if size == "" {
		size = PaperA4
	}
	ps, ok := pageSizes[size]
	if !ok {
		return nil, errs.Field("paper_size", "must be A4 or Letter")
	}
	p := &printout{page: ps, left: margin, right: ps.w - margin, top: 14, bottom: ps.h - 20, service: svc, copies: copies, refLabel: "Loan reference"}
	p.title, p.ref, p.service.Name = paper.Clean(title), paper.Clean(ref), paper.Clean(svc.Name)
	if qrURL != "" {
		var err error
		if p.qrSize, p.qr, err = labels.QRRects(qrURL); err != nil {
			return nil, errs.Field("loan_url", "is too long for a QR code")
		}
	}
	if date.IsZero() {
		date = time.Now()
	}
	p.pdf = paper.NewPDF(ps.w, ps.h, strings.TrimSpace(p.title+" "+p.ref))
	p.pdf.SetAuthor(p.service.Name, true)
	p.pdf.SetCreationDate(date)
	p.pdf.SetModificationDate(date)
	return p, nil
}

func lineHeight(size float64) float64 { return size * mmPerPt * 1.35 }

func (p *printout) setFont(bold bool, size float64) {
	if bold {
		p.pdf.SetFont(paper.Family, paper.Bold.Style, size)
	} else {
		p.pdf.SetFont(paper.Family, paper.Regular.Style, size)
	}
}

// text draws one line whose line box (lineHeight tall) has its top at y. s must be clean.
func (p *printout) text(x, y float64, s string, bold bool, size float64, c rgb) {
	p.setFont(bold, size)
	p.pdf.SetTextColor(c.r, c.g, c.b)
	p.pdf.Text(x, y+size*mmPerPt*1.02, s)
}

// width is how wide s is, in mm, at size points. s must be clean.
func (p *printout) width(s string, bold bool, size float64) float64 {
	p.setFont(bold, size)
	return p.pdf.GetStringWidth(s)
}

func (p *printout) textRight(xRight, y float64, s string, bold bool, size float64, c rgb) {
	p.text(xRight-p.width(s, bold, size), y, s, bold, size, c)
}

func (p *printout) textCentre(xMid, y float64, s string, bold bool, size float64, c rgb) {
	p.text(xMid-p.width(s, bold, size)/2, y, s, bold, size, c)
}

// lines cleans s and wraps it to width, keeping its own line breaks, in at most limit
// lines (0: no limit); text beyond the last line is cut short with "…".
func (p *printout) lines(s string, bold bool, size, width float64, limit int) []string {
	var out []string
	for _, para := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		out = append(out, p.wrap(paper.Clean(para), bold, size, width)...)
	}
	if limit > 0 && len(out) > limit {
		last := []rune(out[limit-1])
		for len(last) > 0 && p.width(string(last)+"…", bold, size) > width {
			last = last[:len(last)-1]
		}
		out = append(out[:limit-1], strings.TrimRight(string(last), " ")+"…")
	}
	return out
}

// wrap breaks a clean line of text into lines at most width mm wide, between words where
// it can, and within a word too long for a line of its own.
func (p *printout) wrap(s string, bold bool, size, width float64) []string {
	var out []string
	line, lineW := "", 0.0
	space := p.width(" ", bold, size)
	for _, word := range strings.Fields(s) {
		w := p.width(word, bold, size)
		if line != "" && lineW+space+w <= width {
			line, lineW = line+" "+word, lineW+space+w
			continue
		}
		if line != "" {
			out = append(out, line)
		}
		for w > width { // a word longer than the line: break it where it must
			n, fit := 0, 0.0
			for _, r := range word {
				rw := p.width(string(r), bold, size)
				if n > 0 && fit+rw > width {
					break
				}
				n, fit = n+len(string(r)), fit+rw
			}
			out = append(out, word[:n])
			word = word[n:]
			w = p.width(word, bold, size)
		}
		line, lineW = word, w
	}
	if line != "" {
		out = append(out, line)
	}
	return out
}

func (p *printout) rule(x1, x2, y, w float64, c rgb) {
	p.pdf.SetDrawColor(c.r, c.g, c.b)
	p.pdf.SetLineWidth(w)
	p.pdf.Line(x1, y, x2, y)
}

// box draws a rectangle filled with fill and outlined in stroke, lw mm wide; either may
// be nil.
func (p *printout) box(x, y, w, h float64, fill *rgb, stroke *rgb, lw float64) {
	style := ""
	if fill != nil {
		p.pdf.SetFillColor(fill.r, fill.g, fill.b)
		style = "F"
	}
	if stroke != nil {
		p.pdf.SetDrawColor(stroke.r, stroke.g, stroke.b)
		p.pdf.SetLineWidth(lw)
		style += "D"
	}
	p.pdf.Rect(x, y, w, h, style)
}

// drawQR draws the loan's QR code, qrSide mm square with its top left corner at (x, y),
// as vector rectangles of dark modules (labels merges them, which keeps the file small
// and the seams between them few). The caller leaves the quiet zone around it white.
func (p *printout) drawQR(x, y float64) {
	m := qrSide / float64(p.qrSize)
	p.pdf.SetFillColor(0, 0, 0)
	for _, r := range p.qr {
		p.pdf.Rect(x+float64(r.X)*m, y+float64(r.Y)*m, float64(r.W)*m, float64(r.H)*m, "F")
	}
}

// letterhead draws the top of a copy's first page and returns where the content starts.
func (p *printout) letterhead(c paperCopy, draw bool) float64 {
	y := p.top
	const badgeW = 50.0
	textW := p.right - p.left - badgeW - 8
	if draw {
		p.text(p.left, y, p.service.Name, true, 15, nhsBlue)
	}
	y += lineHeight(15)
	var contact []string
	if p.service.Phone != "" {
		contact = append(contact, "Phone "+p.service.Phone)
	}
	if p.service.Email != "" {
		contact = append(contact, "Email "+p.service.Email)
	}
	address := strings.Join(p.lines(p.service.Address, false, 9, 1000, 0), ", ")
	for _, l := range append(p.lines(address, false, 9, textW, 2), p.lines(strings.Join(contact, "   ·   "), false, 9, textW, 2)...) {
		if draw {
			p.text(p.left, y, l, false, 9, secondary)
		}
		y += lineHeight(9)
	}
	if c.label != "" && draw {
		bx := p.right - badgeW
		if c.filled {
			p.box(bx, p.top, badgeW, 9, &nhsBlue, nil, 0)
			p.textCentre(bx+badgeW/2, p.top+1.9, strings.ToUpper(c.label), true, 11, white)
		} else {
			p.box(bx, p.top, badgeW, 9, &white, &nhsBlue, 0.6)
			p.textCentre(bx+badgeW/2, p.top+1.9, strings.ToUpper(c.label), true, 11, nhsBlue)
		}
		p.textRight(p.right, p.top+10.5, c.note, false, 8, secondary)
	}
	y = max(y, p.top+10.5+lineHeight(8)) + 2.5
	if draw {
		p.rule(p.left, p.right, y, 0.8, nhsBlue)
	}
	y += 5
	// The code sits at the right margin beside the title, with its quiet zone clear of
	// them and of the caption below it. The rule is 5 mm above it, which is more than the
	// four modules of even the smallest code (21 modules: 4.6 mm).
	qrBottom := y
	if p.qrSize > 0 {
		quiet := qrQuiet * qrSide / float64(p.qrSize)
		qrBottom = y + qrSide + quiet
		if draw {
			p.drawQR(p.right-qrSide, y)
			p.textCentre(p.right-qrSide/2, qrBottom, "Scan to open this loan", false, 7, secondary)
		}
		qrBottom += lineHeight(7)
	}
	if draw {
		p.text(p.left, y, p.title, true, 20, textColor)
	}
	y += lineHeight(20) + 1
	if p.ref != "" {
		if draw {
			p.text(p.left, y, p.refLabel, false, 9, secondary)
			p.text(p.left+p.width(p.refLabel, false, 9)+3, y-0.9, p.ref, true, 12, textColor)
		}
		y += lineHeight(12)
	}
	return max(y, qrBottom) + 4
}

// runningHead draws the top of a copy's later pages and returns where the content starts.
func (p *printout) runningHead(c paperCopy, draw bool) float64 {
	y := p.top
	if draw {
		left := p.service.Name + "  ·  " + p.title
		if p.ref != "" {
			left += "  ·  " + p.ref
		}
		p.text(p.left, y, left, false, 8.5, secondary)
		if c.label != "" {
			p.textRight(p.right, y, c.label, true, 8.5, nhsBlue)
		}
		p.rule(p.left, p.right, y+lineHeight(8.5)+1, 0.3, ruleGrey)
	}
	return y + lineHeight(8.5) + 6
}

func (p *printout) footer(c paperCopy, page, pages int) {
	y := p.page.h - 15
	p.rule(p.left, p.right, y, 0.3, ruleGrey)
	left := p.title
	if p.ref != "" {
		left += "  ·  " + p.ref
	}
	if c.label != "" {
		left += "  ·  " + c.label
	}
	p.text(p.left, y+1.5, left, false, 8, secondary)
	p.textRight(p.right, y+1.5, fmt.Sprintf("Page %d of %d", page, pages), true, 8, textColor)
}

type placed struct {
	b *block
	y float64
}

// paginate places the blocks on pages: firstTop and laterTop are where the content of a
// copy's first and later pages starts.
func (p *printout) paginate(blocks []*block, firstTop, laterTop float64) [][]placed {
	pages := [][]placed{nil}
	y := firstTop
	for i, b := range blocks {
		// A heading or a table's header goes with what follows it.
		need := b.h
		for j := i; j+1 < len(blocks) && blocks[j].keep; j++ {
			need += blocks[j+1].h
		}
		cur := pages[len(pages)-1]
		if len(cur) > 0 && y+need > p.bottom {
			pages, y = append(pages, nil), laterTop
		}
		if b.repeat != nil && len(pages[len(pages)-1]) == 0 && len(pages) > 1 {
			pages[len(pages)-1] = append(pages[len(pages)-1], placed{b.repeat, y})
			y += b.repeat.h
		}
		pages[len(pages)-1] = append(pages[len(pages)-1], placed{b, y})
		y += b.h
	}
	return pages
}

// write lays the blocks out and writes every copy to w.
func (p *printout) write(w io.Writer, blocks []*block) error {
	for _, c := range p.copies {
		p.drawCopy(c, blocks)
	}
	return p.pdf.Output(w)
}

// drawCopy lays out and draws one copy of the blocks, its pages numbered on their own.
func (p *printout) drawCopy(c paperCopy, blocks []*block) {
	pages := p.paginate(blocks, p.letterhead(paperCopy{}, false), p.runningHead(paperCopy{}, false))
	for i, pg := range pages {
		p.pdf.AddPage()
		if i == 0 {
			p.letterhead(c, true)
		} else {
			p.runningHead(c, true)
		}
		for _, pl := range pg {
			pl.b.draw(pl.y)
		}
		p.footer(c, i+1, len(pages))
	}
}

// Blocks.

// heading is a section heading.
func (p *printout) heading(s string) *block {
	s = paper.Clean(s)
	return &block{h: 5 + lineHeight(12.5) + 1.5, keep: true, draw: func(y float64) {
		p.text(p.left, y+5, s, true, 12.5, textColor)
	}}
}

// paragraph is wrapped text, one block a line so that it flows across pages; indent
// and bullet make a bulleted list item.
func (p *printout) paragraph(s string, bold bool, size, before, indent float64, bullet bool) []*block {
	x := p.left + indent
	if bullet {
		x += 4.5
	}
	var out []*block
	for i, l := range p.lines(s, bold, size, p.right-x, 0) {
		h := lineHeight(size)
		gap := 0.0
		if i == 0 {
			gap = before
		}
		first := i == 0
		out = append(out, &block{h: h + gap, draw: func(y float64) {
			if first && bullet {
				p.text(p.left+indent+0.8, y+gap, "•", true, size, textColor)
			}
			p.text(x, y+gap, l, bold, size, textColor)
		}})
	}
	return out
}

// summaryRow is a label and its value, as in the NHS summary list.
func (p *printout) summaryRow(label, value string) *block {
	const labelW, pad, size = 52.0, 1.7, 10.0
	ls := p.lines(label, true, size, labelW-4, 2)
	vs := p.lines(value, false, size, p.right-p.left-labelW, 6)
	if len(vs) == 0 {
		vs = []string{"–"}
	}
	h := float64(max(len(ls), len(vs)))*lineHeight(size) + 2*pad
	return &block{h: h, draw: func(y float64) {
		for i, l := range ls {
			p.text(p.left, y+pad+float64(i)*lineHeight(size), l, true, size, textColor)
		}
		for i, l := range vs {
			p.text(p.left+labelW, y+pad+float64(i)*lineHeight(size), l, false, size, textColor)
		}
		p.rule(p.left, p.right, y+h, 0.25, ruleGrey)
	}}
}

// summary is a list of labels and values.
func (p *printout) summary(rows [][2]string) []*block {
	out := make([]*block, len(rows))
	for i, r := range rows {
		out[i] = p.summaryRow(r[0], r[1])
	}
	return out
}

// column is a column of a table; width 0 takes what the others leave.
type column struct {
	title string
	width float64
	bold  bool
	box   bool // a tick box to fill in by hand, not text
}

// table is a table with a shaded header row, repeated on every page the table reaches.
func (p *printout) table(cols []column, rows [][]string) []*block {
	const size, pad, padX = 9.5, 1.6, 1.8
	flex := p.right - p.left
	for _, c := range cols {
		flex -= c.width
	}
	xs := make([]float64, len(cols)+1)
	xs[0] = p.left
	for i, c := range cols {
		w := c.width
		if w == 0 {
			w = flex
		}
		xs[i+1] = xs[i] + w
	}
	titles := make([][]string, len(cols))
	hh := 0
	for i, c := range cols {
		titles[i] = p.lines(c.title, true, 9, xs[i+1]-xs[i]-2*padX, 2)
		hh = max(hh, len(titles[i]))
	}
	header := &block{h: float64(hh)*lineHeight(9) + 2*pad, keep: true}
	header.draw = func(y float64) {
		p.box(p.left, y, p.right-p.left, header.h, &paleGrey, nil, 0)
		for i := range cols {
			for j, l := range titles[i] {
				p.text(xs[i]+padX, y+pad+float64(j)*lineHeight(9), l, true, 9, textColor)
			}
		}
		p.rule(p.left, p.right, y+header.h, 0.5, textColor)
	}
	out := []*block{header}
	for _, row := range rows {
		cells := make([][]string, len(cols))
		n := 1
		for i, c := range cols {
			if c.box || i >= len(row) {
				continue
			}
			cells[i] = p.lines(row[i], c.bold, size, xs[i+1]-xs[i]-2*padX, 3)
			n = max(n, len(cells[i]))
		}
		h := float64(n)*lineHeight(size) + 2*pad
		out = append(out, &block{h: h, repeat: header, draw: func(y float64) {
			for i, c := range cols {
				if c.box {
					p.box(xs[i]+padX, y+pad+0.6, 4, 4, nil, &textColor, 0.3)
					continue
				}
				for j, l := range cells[i] {
					p.text(xs[i]+padX, y+pad+float64(j)*lineHeight(size), l, c.bold, size, textColor)
				}
			}
			p.rule(p.left, p.right, y+h, 0.25, ruleGrey)
		}})
	}
	return out
}

// signField is a line of a signature box: a label over a line to write on, or the value
// already known.
type signField struct {
	label, value string
	tall         bool   // the signature itself
	image        string // the name of a signature image (printout.image) to draw in a tall field
	note         string // a note in a tall field with no image
}

// signBox is one signature box: who signs, what they agree to, and the lines to fill in.
type signBox struct {
	title, statement string
	fields           []signField
}

// signatures draws the signature boxes side by side, kept together on one page.
func (p *printout) signatures(boxes []signBox) *block {
	const gapX, pad = 6.0, 3.5
	w := (p.right - p.left - gapX*float64(len(boxes)-1)) / float64(len(boxes))
	type laid struct {
		statement []string
		h         float64
	}
	lay := make([]laid, len(boxes))
	h := 0.0
	for i, b := range boxes {
		lay[i].statement = p.lines(b.statement, false, 8.5, w-2*pad, 5)
		bh := pad + lineHeight(11) + 1 + float64(len(lay[i].statement))*lineHeight(8.5) + 1
		for _, f := range b.fields {
			bh += lineHeight(8) + 8
			if f.tall {
				bh += 10
			}
		}
		lay[i].h = bh + pad
		h = max(h, lay[i].h)
	}
	return &block{h: h + 4, draw: func(y float64) {
		y += 4
		for i, b := range boxes {
			x := p.left + float64(i)*(w+gapX)
			p.box(x, y, w, h, nil, &textColor, 0.35)
			yy := y + pad
			p.text(x+pad, yy, paper.Clean(b.title), true, 11, textColor)
			yy += lineHeight(11) + 1
			for _, l := range lay[i].statement {
				p.text(x+pad, yy, l, false, 8.5, textColor)
				yy += lineHeight(8.5)
			}
			yy++
			for _, f := range b.fields {
				p.text(x+pad, yy, paper.Clean(f.label), false, 8, secondary)
				yy += lineHeight(8)
				lineY := yy + 7
				if f.tall {
					lineY += 10
				}
				switch {
				case f.image != "":
					img := p.pdf.GetImageInfo(f.image)
					iw, ih := img.Width(), img.Height()
					scale := min((w-2*pad)/iw, (lineY-yy-0.5)/ih)
					p.pdf.ImageOptions(f.image, x+pad, lineY-0.5-ih*scale, iw*scale, ih*scale, false, gofpdf.ImageOptions{}, 0, "")
				case f.note != "":
					for j, l := range p.lines(f.note, false, 8, w-2*pad, 2) {
						p.text(x+pad, yy+3+float64(j)*lineHeight(8), l, false, 8, secondary)
					}
				}
				if f.value != "" {
					if v := p.lines(f.value, false, 10.5, w-2*pad, 1); len(v) > 0 {
						p.text(x+pad, lineY-lineHeight(10.5), v[0], false, 10.5, textColor)
					}
				}
				p.rule(x+pad, x+w-pad, lineY, 0.3, textColor)
				yy = lineY + 1
			}
		}
	}}
}

// image adds a PNG, under name, for a signField to draw.
func (p *printout) image(name string, png []byte) error {
	p.pdf.RegisterImageOptionsReader(name, gofpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(png))
	if p.pdf.Err() {
		return errs.Field("signature", "is not a PNG image that can be printed")
	}
	return nil
}
