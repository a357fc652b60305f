package loans

import (
	"fmt"
	"io"
	"strings"
	"time"

	"rsc.io/qr"

	"kitloan/internal/errs"
)

// This file is a small layout engine for the printed papers (agreement, delivery note,
// collection receipt). A paper is a list of blocks, each with a measured height and a
// way to draw itself; the blocks are placed on pages first, so the page count is known
// before anything is drawn ("Page 1 of 3"), and then drawn once for each copy. A row
// of a table that starts a page brings the table's header with it; a heading never ends
// a page.

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

// paper is a document being laid out, in millimetres from the top left of the page.
type paper struct {
	doc                      *pdfDoc
	fonts                    *paperFontSet
	page                     pageSize
	left, right, top, bottom float64 // the content area
	title, ref               string  // for the letterhead and the running header
	service                  Service
	qr                       [][]bool // the QR code's modules, dark or light, without its quiet zone
	copies                   []paperCopy
}

// paperCopy is one copy of a paper: "Service copy", with a note on what to do with it.
// The service's copy has a filled badge, the family's an outlined one.
type paperCopy struct {
	label, note string
	filled      bool
}

func newPaper(size, title, ref, qrURL string, svc Service, date time.Time, copies []paperCopy) (*paper, error) {
	if size == "" {
		size = PaperA4
	}
	ps, ok := pageSizes[size]
	if !ok {
		return nil, errs.Field("paper_size", "must be A4 or Letter")
	}
	p := &paper{page: ps, fonts: paperFonts(), left: margin, right: ps.w - margin, top: 14, bottom: ps.h - 20,
		service: svc, copies: copies}
	p.title, p.ref, p.service.Name = p.fonts.clean(title), p.fonts.clean(ref), p.fonts.clean(svc.Name)
	if qrURL != "" {
		// Level M, as on the labels: about 15% of the code can be damaged and still scan.
		code, err := qr.Encode(qrURL, qr.M)
		if err != nil {
			return nil, errs.Field("loan_url", "is too long for a QR code")
		}
		p.qr = make([][]bool, code.Size)
		for y := range p.qr {
			p.qr[y] = make([]bool, code.Size)
			for x := range p.qr[y] {
				p.qr[y][x] = code.Black(x, y)
			}
		}
	}
	if date.IsZero() {
		date = time.Now()
	}
	p.doc = newPDFDoc(ps.w, ps.h, p.fonts, strings.TrimSpace(p.title+" "+p.ref), p.service.Name, date)
	return p, nil
}

func lineHeight(size float64) float64 { return size * mmPerPt * 1.35 }

// text draws one line whose line box (lineHeight tall) has its top at y. s must be clean.
func (p *paper) text(x, y float64, s string, bold bool, size float64, c rgb) {
	p.doc.text(x, y+size*mmPerPt*1.02, s, bold, size, c)
}

func (p *paper) width(s string, bold bool, size float64) float64 { return p.doc.width(s, bold, size) }

func (p *paper) textRight(xRight, y float64, s string, bold bool, size float64, c rgb) {
	p.text(xRight-p.width(s, bold, size), y, s, bold, size, c)
}

func (p *paper) textCentre(xMid, y float64, s string, bold bool, size float64, c rgb) {
	p.text(xMid-p.width(s, bold, size)/2, y, s, bold, size, c)
}

// lines cleans s and wraps it to width, keeping its own line breaks, in at most limit
// lines (0: no limit); text beyond the last line is cut short with "…".
func (p *paper) lines(s string, bold bool, size, width float64, limit int) []string {
	var out []string
	for _, para := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		out = append(out, p.wrap(p.fonts.clean(para), bold, size, width)...)
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
func (p *paper) wrap(s string, bold bool, size, width float64) []string {
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

func (p *paper) rule(x1, x2, y, w float64, c rgb) { p.doc.line(x1, y, x2, y, w, c) }

func (p *paper) box(x, y, w, h float64, fill *rgb, stroke *rgb, lw float64) {
	p.doc.rect(x, y, w, h, fill, stroke, lw)
}

// drawQR draws the loan's QR code as vector rectangles, one horizontal run of dark modules
// each, filled as one path so that no hairline seams show between them when printed.
// The page around it is left white for its quiet zone.
func (p *paper) drawQR(x, y, size float64) {
	n := len(p.qr)
	if n == 0 {
		return
	}
	m := size / float64(n)
	var rects [][4]float64
	for row, dark := range p.qr {
		for col := 0; col < n; {
			if !dark[col] {
				col++
				continue
			}
			start := col
			for col < n && dark[col] {
				col++
			}
			rects = append(rects, [4]float64{x + float64(start)*m, y + float64(row)*m, float64(col-start) * m, m})
		}
	}
	p.doc.fillRects(rects, rgb{0, 0, 0})
}

// letterhead draws the top of a copy's first page and returns where the content starts.
func (p *paper) letterhead(c paperCopy, draw bool) float64 {
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
	qrSize := 0.0
	if len(p.qr) > 0 {
		qrSize = 24
		if draw {
			p.drawQR(p.right-qrSize, y, qrSize)
			p.textCentre(p.right-qrSize/2, y+qrSize+1, "Scan to open this loan", false, 7, secondary)
		}
	}
	top := y
	if draw {
		p.text(p.left, y, p.title, true, 20, textColor)
	}
	y += lineHeight(20) + 1
	if p.ref != "" {
		if draw {
			p.text(p.left, y, "Loan reference", false, 9, secondary)
			p.text(p.left+p.width("Loan reference", false, 9)+3, y-0.9, p.ref, true, 12, textColor)
		}
		y += lineHeight(12)
	}
	y = max(y, top+qrSize+1+lineHeight(7))
	return y + 4
}

// runningHead draws the top of a copy's later pages and returns where the content starts.
func (p *paper) runningHead(c paperCopy, draw bool) float64 {
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

func (p *paper) footer(c paperCopy, page, pages int) {
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
func (p *paper) paginate(blocks []*block, firstTop, laterTop float64) [][]placed {
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
func (p *paper) write(w io.Writer, blocks []*block) error {
	pages := p.paginate(blocks, p.letterhead(paperCopy{}, false), p.runningHead(paperCopy{}, false))
	for _, c := range p.copies {
		for i, pg := range pages {
			p.doc.addPage()
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
	return p.doc.output(w)
}

// Blocks.

// heading is a section heading.
func (p *paper) heading(s string) *block {
	s = p.fonts.clean(s)
	return &block{h: 5 + lineHeight(12.5) + 1.5, keep: true, draw: func(y float64) {
		p.text(p.left, y+5, s, true, 12.5, textColor)
	}}
}

// paragraph is wrapped text, one block a line so that it flows across pages; indent
// and bullet make a bulleted list item.
func (p *paper) paragraph(s string, bold bool, size, before, indent float64, bullet bool) []*block {
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
func (p *paper) summaryRow(label, value string) *block {
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
func (p *paper) summary(rows [][2]string) []*block {
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
func (p *paper) table(cols []column, rows [][]string) []*block {
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
	image        int    // a signature image (from paper.image) to draw in a tall field
	note         string // a note in a tall field with no image
}

// signBox is one signature box: who signs, what they agree to, and the lines to fill in.
type signBox struct {
	title, statement string
	fields           []signField
}

// signatures draws the signature boxes side by side, kept together on one page.
func (p *paper) signatures(boxes []signBox) *block {
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
			p.text(x+pad, yy, p.fonts.clean(b.title), true, 11, textColor)
			yy += lineHeight(11) + 1
			for _, l := range lay[i].statement {
				p.text(x+pad, yy, l, false, 8.5, textColor)
				yy += lineHeight(8.5)
			}
			yy++
			for _, f := range b.fields {
				p.text(x+pad, yy, p.fonts.clean(f.label), false, 8, secondary)
				yy += lineHeight(8)
				lineY := yy + 7
				if f.tall {
					lineY += 10
				}
				switch {
				case f.image != 0:
					img := p.doc.images[f.image-1]
					iw, ih := float64(img.w), float64(img.h)
					scale := min((w-2*pad)/iw, (lineY-yy-0.5)/ih)
					p.doc.image(f.image, x+pad, lineY-0.5-ih*scale, iw*scale, ih*scale)
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

// image adds a PNG for drawing and returns its number.
func (p *paper) image(png []byte) (int, error) {
	n, _, _, err := p.doc.addImage(png)
	if err != nil {
		return 0, errs.Field("signature", "is not a PNG image that can be printed")
	}
	return n, nil
}
