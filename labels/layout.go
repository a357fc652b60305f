// Package labels draws equipment labels: a QR code that opens the item's page, the tag in
// large text, the product name and the service phone. Sheets are PDFs laid out for real
// label stock, drawn as vector shapes so they stay sharp on any printer; single labels can
// also be rendered as PNG images for printers that only take pictures.
package labels

import (
	"strings"

	"kitloan/internal/errs"
)

// Layout describes a label stock's real geometry, in millimetres. The figures are the
// manufacturer's, because a sheet printed even 2 mm off puts every code across the cut
// between two labels and the only way to find out is to waste a sheet.
type Layout struct {
	Name           string
	Title          string // e.g. "Avery L7160 (A4, 21 a sheet, 63.5 × 38.1 mm)"
	PageW, PageH   float64
	Cols, Rows     int
	LabelW, LabelH float64
	// MarginLeft and MarginTop place the top-left corner of the first label.
	MarginLeft, MarginTop float64
	// PitchX and PitchY are the distances from one label's corner to the next one's
	// (label size plus gap), which is what a position calculation actually needs.
	PitchX, PitchY float64
}

const defaultLayout = "avery-l7160"

// layouts is the stock we support, in the order a select box should list it.
//
// L7160: Avery's template is 3 × 7 labels of 2.5 × 1.5 in with a 0.1 in gap, so the pitch
// is 66.04 mm, and the grid is centred on the sheet, which puts the first column at
// 7.21 mm. Published figures round these to 66.0 and 7.2 or 7.25 mm; every column lies
// within 0.1 mm of all of them.
// L7651: 5 × 13 of 38.1 × 21.2 mm, pitch 40.6 mm, centred: 4.75 mm and 10.7 mm margins.
// 5160: US Letter, 3 × 10 of 2⅝ × 1 in, ⅛ in gap, 3/16 in side and ½ in top margins.
// Roll: one 62 × 29 mm label a page, which is how thermal label printers take PDFs.
var layouts = []Layout{
	{
		Name: "avery-l7160", Title: "Avery L7160 (A4, 21 a sheet, 63.5 × 38.1 mm)",
		PageW: 210, PageH: 297, Cols: 3, Rows: 7, LabelW: 63.5, LabelH: 38.1,
		MarginLeft: 7.21, MarginTop: 15.15, PitchX: 66.04, PitchY: 38.1,
	},
	{
		Name: "avery-l7651", Title: "Avery L7651 (A4, 65 a sheet, 38.1 × 21.2 mm)",
		PageW: 210, PageH: 297, Cols: 5, Rows: 13, LabelW: 38.1, LabelH: 21.2,
		MarginLeft: 4.75, MarginTop: 10.7, PitchX: 40.6, PitchY: 21.2,
	},
	{
		Name: "avery-5160", Title: "Avery 5160 (US Letter, 30 a sheet, 2⅝ × 1 in)",
		PageW: 215.9, PageH: 279.4, Cols: 3, Rows: 10, LabelW: 66.675, LabelH: 25.4,
		MarginLeft: 4.7625, MarginTop: 12.7, PitchX: 69.85, PitchY: 25.4,
	},
	{
		Name: "roll-62x29", Title: "Label roll (62 × 29 mm, one label a page)",
		PageW: 62, PageH: 29, Cols: 1, Rows: 1, LabelW: 62, LabelH: 29,
		PitchX: 62, PitchY: 29,
	},
}

// Layouts returns every supported stock, in a stable order, for a select box.
func Layouts() []Layout {
	return append([]Layout(nil), layouts...)
}

// LookupLayout returns the stock with the given name; "" means the default, Avery L7160.
func LookupLayout(name string) (Layout, error) {
	if name == "" {
		name = defaultLayout
	}
	for _, l := range layouts {
		if l.Name == name {
			return l, nil
		}
	}
	names := make([]string, len(layouts))
	for i, l := range layouts {
		names[i] = l.Name
	}
	return Layout{}, errs.Field("layout", "must be one of: "+strings.Join(names, ", "))
}

// PerPage is the number of labels on one sheet.
func (l Layout) PerPage() int {
	return l.Cols * l.Rows
}

// Position returns the top-left corner of label slot i on its page, counting 0-based
// across each row and then down the sheet, the way people peel labels off.
func (l Layout) Position(i int) (x, y float64) {
	col, row := i%l.Cols, i/l.Cols
	return l.MarginLeft + float64(col)*l.PitchX, l.MarginTop + float64(row)*l.PitchY
}
