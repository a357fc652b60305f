package labels

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"strconv"
	"sync"

	"github.com/jung-kurt/gofpdf"

	"kitloan/internal/paper"
)

const (
	// codeCompression is the zlib level for the QR codes. gofpdf compresses page content
	// at level 1, which leaves a sheet of a thousand codes at about 500 KB; level 4 makes
	// it 40% smaller for a few milliseconds more.
	codeCompression = 4
)

// drawText draws plan's lines for the label whose top-left corner is (x, y) mm.
func drawText(pdf *gofpdf.Fpdf, plan labelPlan, x, y float64) {
	for _, l := range plan.lines {
		pdf.SetFont(paper.Family, l.face.Style, l.size)
		pdf.Text(x+l.x, y+l.baseline, l.text)
	}
}

// zlibWriters keeps compressors for reuse: each holds about a megabyte of tables.
var zlibWriters = sync.Pool{New: func() any {
	zw, _ := zlib.NewWriterLevel(nil, codeCompression) // fails only for a bad level
	return zw
}}

// codesForm returns a PDF form XObject, from "<<" to "endobj", that draws the QR codes of
// one page's placements, in the page's own coordinates.
func codesForm(page []placement, prepared []preparedLabel, layout Layout) []byte {
	var content []byte
	for _, pl := range page {
		p := prepared[pl.label]
		x, y := layout.Position(pl.slot)
		// Map module units onto the page: PDF's y axis points up from the bottom, in points.
		m := p.plan.module * ptPerMM
		content = fmt.Appendf(content, "q %.3f 0 0 %.3f %.2f %.2f cm\n", m, -m,
			(x+p.plan.codeX)*ptPerMM, (layout.PageH-y-p.plan.codeY)*ptPerMM)
		content = append(content, p.modules...)
	}
	var stream bytes.Buffer
	zw := zlibWriters.Get().(*zlib.Writer)
	zw.Reset(&stream)
	zw.Write(content) // writes to memory cannot fail
	zw.Close()
	zlibWriters.Put(zw)

	obj := fmt.Appendf(nil, "<< /Type /XObject /Subtype /Form /BBox [0 0 %.2f %.2f] /Filter /FlateDecode /Length %d >>\nstream\n",
		layout.PageW*ptPerMM, layout.PageH*ptPerMM, stream.Len())
	obj = append(obj, stream.Bytes()...)
	return append(obj, "\nendstream\nendobj"...)
}

// addForm adds the form XObject obj to the document under name and draws it on the
// current page. gofpdf has no call for adding an object of our own except the one gofpdi
// uses to import pages: ImportObjects adds the object, ImportTemplates names it in the
// page resources, and UseImportedTemplate draws it, here with the identity matrix and
// with the black fill the codes rely on.
func addForm(pdf *gofpdf.Fpdf, layout Layout, name string, obj []byte) {
	key := "kitloan" + name
	pdf.ImportObjects(map[string][]byte{key: obj})
	pdf.ImportTemplates(map[string]string{name: key})
	pdf.UseImportedTemplate(name, 1/ptPerMM, 1/ptPerMM, 0, -layout.PageH)
}

// moduleOps returns PDF path operators that fill the code's dark modules, in module
// units, then restore the graphics state. Every rectangle is four small integers, which
// keeps the PDF small, and one fill for the whole code leaves no hairline seams between
// touching rectangles when the page is rasterised.
func moduleOps(code *qrCode) string {
	rects := code.rects()
	b := make([]byte, 0, 12*len(rects)+8)
	for _, r := range rects {
		for _, v := range [4]int{r.X, r.Y, r.W, r.H} {
			b = strconv.AppendInt(b, int64(v), 10)
			b = append(b, ' ')
		}
		b = append(b, "re\n"...)
	}
	return string(append(b, "f Q\n"...))
}
