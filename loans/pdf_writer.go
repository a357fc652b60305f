package loans

import (
	"bytes"
	"compress/zlib"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"io"
	"math"
	"slices"
	"strconv"
	"sync"
	"time"
	"unicode/utf16"
)

// pdfDoc is the small PDF writer behind the printed papers: pages of text in the two
// faces of the papers' font, lines, rectangles and greyscale images, in millimetres from
// the top left of the page.
//
// It exists because gofpdf's Unicode fonts cost too much for a paper printed at every
// hand-over: each document parses both fonts afresh, hashes a 65,536-entry width table
// as JSON to name each, and compresses every stream with a new 1 MB compressor, about
// 9 ms of CPU and 14 MB of garbage before a word is drawn (the target for an agreement
// is 10 ms). Here the fonts are parsed once, each document embeds only the glyphs it
// draws (a subset keeping the font's glyph numbers, so text needs no renumbering), and
// the compressors are pooled. Text is written as glyph numbers with a ToUnicode map, so
// it is copied, searched and read out as typed.
type pdfDoc struct {
	w, h          float64 // page size, mm
	pages         []*bytes.Buffer
	page          *bytes.Buffer
	faces         [2]*paperFont        // regular, bold
	used          [2]map[uint16][]rune // glyphs drawn, with the text each stands for
	images        []pdfImage
	title, author string
	date          time.Time
	fill, stroke  string // the current colour operators of the page
}

type pdfImage struct {
	w, h int
	gray []byte // 8-bit greyscale pixels, row by row
}

const (
	ptPerMM   = 72 / 25.4
	hexDigits = "0123456789ABCDEF"
)

func newPDFDoc(w, h float64, fonts *paperFontSet, title, author string, date time.Time) *pdfDoc {
	return &pdfDoc{w: w, h: h, faces: [2]*paperFont{&fonts.regular, &fonts.bold},
		used: [2]map[uint16][]rune{{}, {}}, title: title, author: author, date: date}
}

func (d *pdfDoc) addPage() {
	d.page = &bytes.Buffer{}
	d.pages = append(d.pages, d.page)
	d.fill, d.stroke = "", ""
}

// num formats a coordinate or size: at most two decimals, no trailing zeros.
func num(b []byte, v float64) []byte {
	v = math.Round(v*100) / 100
	if v == math.Trunc(v) {
		return strconv.AppendInt(b, int64(v), 10)
	}
	return strconv.AppendFloat(b, v, 'f', -1, 64)
}

func (d *pdfDoc) op(parts ...any) {
	var b []byte
	for i, p := range parts {
		if i > 0 {
			b = append(b, ' ')
		}
		switch v := p.(type) {
		case float64:
			b = num(b, v)
		case int:
			b = strconv.AppendInt(b, int64(v), 10)
		case string:
			b = append(b, v...)
		}
	}
	d.page.Write(append(b, '\n'))
}

func colorOp(c rgb, op string) string {
	f := func(v int) string { return strconv.FormatFloat(float64(v)/255, 'f', 3, 64) }
	return f(c.r) + " " + f(c.g) + " " + f(c.b) + " " + op
}

func (d *pdfDoc) setFill(c rgb) {
	if op := colorOp(c, "rg"); op != d.fill {
		d.fill = op
		d.op(op)
	}
}

func (d *pdfDoc) setStroke(c rgb, width float64) {
	if op := colorOp(c, "RG"); op != d.stroke {
		d.stroke = op
		d.op(op)
	}
	d.op(width*ptPerMM, "w")
}

func face(bold bool) int {
	if bold {
		return 1
	}
	return 0
}

// width is how wide s is, in mm, at size points.
func (d *pdfDoc) width(s string, bold bool, size float64) float64 {
	f := d.faces[face(bold)]
	em := 0.0
	for _, r := range s {
		em += f.advance(r)
	}
	return em * size / ptPerMM
}

// text draws s with its baseline at y. s must already be clean: every rune drawable.
func (d *pdfDoc) text(x, baseline float64, s string, bold bool, size float64, c rgb) {
	if s == "" {
		return
	}
	d.setFill(c)
	fi := face(bold)
	f, used := d.faces[fi], d.used[fi]
	b := []byte("BT /F")
	b = strconv.AppendInt(b, int64(fi+1), 10)
	b = append(b, ' ')
	b = num(b, size)
	b = append(b, " Tf "...)
	b = num(b, x*ptPerMM)
	b = append(b, ' ')
	b = num(b, (d.h-baseline)*ptPerMM)
	b = append(b, " Td <"...)
	for _, r := range s {
		var gid uint16
		if r >= 0 && int(r) < len(f.cmap) {
			gid = f.cmap[r]
		}
		if _, ok := used[gid]; !ok {
			used[gid] = []rune{r}
		}
		b = append(b, hexDigits[gid>>12], hexDigits[gid>>8&15], hexDigits[gid>>4&15], hexDigits[gid&15])
	}
	d.page.Write(append(b, "> Tj ET\n"...))
}

func (d *pdfDoc) line(x1, y1, x2, y2, width float64, c rgb) {
	d.setStroke(c, width)
	d.op(x1*ptPerMM, (d.h-y1)*ptPerMM, "m", x2*ptPerMM, (d.h-y2)*ptPerMM, "l S")
}

// rect fills and/or strokes a rectangle whose top left corner is (x, y).
func (d *pdfDoc) rect(x, y, w, h float64, fill, stroke *rgb, width float64) {
	paint := ""
	switch {
	case fill != nil && stroke != nil:
		paint = "B"
	case fill != nil:
		paint = "f"
	case stroke != nil:
		paint = "S"
	default:
		return
	}
	if fill != nil {
		d.setFill(*fill)
	}
	if stroke != nil {
		d.setStroke(*stroke, width)
	}
	d.op(x*ptPerMM, (d.h-y-h)*ptPerMM, w*ptPerMM, h*ptPerMM, "re", paint)
}

// fillRects fills many rectangles (x, y, w, h in mm, from the top left) as one path, so
// that touching rectangles show no hairline seams between them.
func (d *pdfDoc) fillRects(rects [][4]float64, c rgb) {
	d.setFill(c)
	var b []byte
	for _, r := range rects {
		b = num(b, r[0]*ptPerMM)
		b = append(b, ' ')
		b = num(b, (d.h-r[1]-r[3])*ptPerMM)
		b = append(b, ' ')
		b = num(b, r[2]*ptPerMM)
		b = append(b, ' ')
		b = num(b, r[3]*ptPerMM)
		b = append(b, " re\n"...)
	}
	d.page.Write(append(b, "f\n"...))
}

// addImage adds a PNG, as greyscale on white, and returns its number and size in pixels.
func (d *pdfDoc) addImage(data []byte) (int, int, int, error) {
	src, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		return 0, 0, 0, err
	}
	gray, ok := src.(*image.Gray)
	if !ok || gray.Rect.Min != (image.Point{}) || gray.Stride != gray.Rect.Dx() {
		gray = image.NewGray(image.Rect(0, 0, src.Bounds().Dx(), src.Bounds().Dy()))
		draw.Draw(gray, gray.Rect, image.White, image.Point{}, draw.Src)
		draw.Draw(gray, gray.Rect, src, src.Bounds().Min, draw.Over)
	}
	d.images = append(d.images, pdfImage{w: gray.Rect.Dx(), h: gray.Rect.Dy(), gray: gray.Pix})
	return len(d.images), gray.Rect.Dx(), gray.Rect.Dy(), nil
}

// image draws image n with its top left corner at (x, y), w by h mm.
func (d *pdfDoc) image(n int, x, y, w, h float64) {
	d.op("q", w*ptPerMM, 0, 0, h*ptPerMM, x*ptPerMM, (d.h-y-h)*ptPerMM, "cm /Im"+strconv.Itoa(n), "Do Q")
}

// compressionLevel is zlib's level for every stream: level 4 makes a three-item agreement
// about 35 KB in about 5 ms; level 6 saves 1 KB for 30% more time, level 1 costs 4 KB.
const compressionLevel = 4

// zlibWriters keeps compressors for reuse: each holds about a megabyte of tables.
var zlibWriters = sync.Pool{New: func() any {
	zw, _ := zlib.NewWriterLevel(nil, compressionLevel) // fails only for a bad level
	return zw
}}

func deflate(data []byte) []byte {
	var buf bytes.Buffer
	zw := zlibWriters.Get().(*zlib.Writer)
	zw.Reset(&buf)
	zw.Write(data) // writes to memory cannot fail
	zw.Close()
	zlibWriters.Put(zw)
	return buf.Bytes()
}

// pdfObjects numbers and collects the objects of the file.
type pdfObjects struct{ objs [][]byte }

func (o *pdfObjects) reserve() int { o.objs = append(o.objs, nil); return len(o.objs) }

func (o *pdfObjects) set(n int, body []byte) { o.objs[n-1] = body }

func (o *pdfObjects) add(body []byte) int { n := o.reserve(); o.set(n, body); return n }

// stream makes a compressed stream object; extra goes in its dictionary.
func stream(data []byte, extra string) []byte {
	z := deflate(data)
	b := fmt.Appendf(nil, "<< /Length %d /Filter /FlateDecode%s >>\nstream\n", len(z), extra)
	b = append(b, z...)
	return append(b, "\nendstream"...)
}

// textString encodes s as a PDF text string: UTF-16BE with its byte order mark, in hex.
func textString(s string) string {
	b := []byte("<FEFF")
	for _, u := range utf16.Encode([]rune(s)) {
		b = fmt.Appendf(b, "%04X", u)
	}
	return string(append(b, '>'))
}

// output writes the document.
func (d *pdfDoc) output(w io.Writer) error {
	var o pdfObjects
	catalog, pagesRef, resources := o.reserve(), o.reserve(), o.reserve()
	o.set(catalog, fmt.Appendf(nil, "<< /Type /Catalog /Pages %d 0 R /Lang (en-GB) /ViewerPreferences << /DisplayDocTitle true >> >>", pagesRef))

	var fonts, xobjects []byte
	for i, f := range d.faces {
		if len(d.used[i]) > 0 {
			fonts = fmt.Appendf(fonts, " /F%d %d 0 R", i+1, d.embedFont(&o, f, d.used[i]))
		}
	}
	for i, img := range d.images {
		n := o.add(stream(img.gray, fmt.Sprintf(" /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 8", img.w, img.h)))
		xobjects = fmt.Appendf(xobjects, " /Im%d %d 0 R", i+1, n)
	}
	o.set(resources, fmt.Appendf(nil, "<< /ProcSet [/PDF /Text /ImageB] /Font <<%s >> /XObject <<%s >> >>", fonts, xobjects))

	kids := []byte{}
	for _, pg := range d.pages {
		content := o.add(stream(pg.Bytes(), ""))
		page := o.add(fmt.Appendf(nil, "<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %s %s] /Resources %d 0 R /Contents %d 0 R >>",
			pagesRef, num(nil, d.w*ptPerMM), num(nil, d.h*ptPerMM), resources, content))
		kids = fmt.Appendf(kids, "%d 0 R ", page)
	}
	o.set(pagesRef, fmt.Appendf(nil, "<< /Type /Pages /Kids [%s] /Count %d >>", bytes.TrimSpace(kids), len(d.pages)))
	stamp := "(D:" + d.date.UTC().Format("20060102150405") + "Z)"
	info := o.add(fmt.Appendf(nil, "<< /Title %s /Author %s /Creator (kitloan) /Producer (kitloan) /CreationDate %s /ModDate %s >>",
		textString(d.title), textString(d.author), stamp, stamp))

	var out bytes.Buffer
	out.WriteString("%PDF-1.7\n%\xE2\xE3\xCF\xD3\n")
	offsets := make([]int, len(o.objs))
	for i, body := range o.objs {
		offsets[i] = out.Len()
		fmt.Fprintf(&out, "%d 0 obj\n", i+1)
		out.Write(body)
		out.WriteString("\nendobj\n")
	}
	xref := out.Len()
	fmt.Fprintf(&out, "xref\n0 %d\n0000000000 65535 f \n", len(o.objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&out, "%010d 00000 n \n", off)
	}
	id := sha256.Sum256(out.Bytes())
	fmt.Fprintf(&out, "trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R /ID [<%X> <%X>] >>\nstartxref\n%d\n%%%%EOF\n",
		len(o.objs)+1, catalog, info, id[:16], id[:16], xref)
	_, err := w.Write(out.Bytes())
	return err
}

// embedFont adds a face as a Type 0 font over a TrueType CID font holding the glyphs
// drawn, and returns the Type 0 font's object number.
func (d *pdfDoc) embedFont(o *pdfObjects, f *paperFont, used map[uint16][]rune) int {
	keep := make(map[uint16]bool, len(used)+1)
	var add func(id uint16)
	add = func(id uint16) {
		if keep[id] || int(id) >= len(f.glyphs.data) {
			return
		}
		keep[id] = true
		for _, c := range components(f.glyphs.data[id]) {
			add(c.id)
		}
	}
	add(0)
	gids := make([]uint16, 0, len(used))
	for id := range used {
		add(id)
		gids = append(gids, id)
	}
	slices.Sort(gids)
	program := f.subsetProgram(keep)

	// A subset's name starts with six capitals, the same for the same glyphs.
	sum := sha256.New()
	for _, id := range gids {
		binary.Write(sum, binary.BigEndian, id)
	}
	tag := make([]byte, 6)
	for i, c := range sum.Sum(nil)[:6] {
		tag[i] = 'A' + c%26
	}
	name := string(tag) + "+" + f.name

	fontFile := o.add(stream(program, fmt.Sprintf(" /Length1 %d", len(program))))
	scale := 1000 / f.upem
	descriptor := o.add(fmt.Appendf(nil, "<< /Type /FontDescriptor /FontName /%s /Flags 32 /FontBBox [%d %d %d %d] /ItalicAngle 0 /Ascent %d /Descent %d /CapHeight %d /StemV %d /FontFile2 %d 0 R >>",
		name, int(float64(f.box.xMin)*scale), int(float64(f.box.yMin)*scale), int(float64(f.box.xMax)*scale), int(float64(f.box.yMax)*scale),
		int(f.ascent*scale), int(f.descent*scale), int(f.capHeight*scale), map[string]int{"": 80, "B": 140}[f.style], fontFile))

	widths := []byte("[")
	for i := 0; i < len(gids); {
		j := i + 1
		for j < len(gids) && gids[j] == gids[j-1]+1 {
			j++
		}
		widths = fmt.Appendf(widths, "%d [", gids[i])
		for _, id := range gids[i:j] {
			widths = fmt.Appendf(widths, "%d ", int(math.Round(float64(f.glyphs.advance[id])*scale)))
		}
		widths = append(bytes.TrimSuffix(widths, []byte(" ")), "] "...)
		i = j
	}
	widths = append(bytes.TrimSuffix(widths, []byte(" ")), ']')
	cid := o.add(fmt.Appendf(nil, "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /%s /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor %d 0 R /DW %d /W %s /CIDToGIDMap /Identity >>",
		name, descriptor, int(math.Round(float64(f.glyphs.advance[0])*scale)), widths))

	cmap := []byte("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n")
	for i := 0; i < len(gids); i += 100 {
		chunk := gids[i:min(i+100, len(gids))]
		cmap = fmt.Appendf(cmap, "%d beginbfchar\n", len(chunk))
		for _, id := range chunk {
			cmap = fmt.Appendf(cmap, "<%04X> <", id)
			for _, u := range utf16.Encode(used[id]) {
				cmap = fmt.Appendf(cmap, "%04X", u)
			}
			cmap = append(cmap, ">\n"...)
		}
		cmap = append(cmap, "endbfchar\n"...)
	}
	cmap = append(cmap, "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"...)
	toUnicode := o.add(stream(cmap, ""))

	return o.add(fmt.Appendf(nil, "<< /Type /Font /Subtype /Type0 /BaseFont /%s /Encoding /Identity-H /DescendantFonts [%d 0 R] /ToUnicode %d 0 R >>",
		name, cid, toUnicode))
}
