package labels

import (
	"fmt"
	"io"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"

	"kitloan/internal/errs"
	"kitloan/internal/paper"
)

// Label is what one printed label shows.
type Label struct {
	Tag     string // e.g. "KL-000123", printed large and bold next to the code
	Product string // product name, shortened with "…" to fit, never drawn over the code
	URL     string // encoded in the QR code, e.g. "http://127.0.0.1:8080/t/KL-000123"
}

// Options for a sheet.
type Options struct {
	Layout string // "avery-l7160" | "avery-l7651" | "avery-5160" | "roll-62x29"; "" means avery-l7160
	Skip   int    // used labels to leave blank at the start of the first sheet (0..positions-1)
	Copies int    // copies of each label; 0 means 1; max 100
	Phone  string // the service phone, printed small on each label where it fits
}

const (
	maxCopies = 100
	// maxLabels bounds one request's work: about 240 sheets of L7160, a few MB of PDF.
	maxLabels = 5000
)

// check validates opt for a sheet of n labels and returns the layout and the number of
// copies of each label.
func (opt Options) check(n int) (Layout, int, error) {
	layout, err := LookupLayout(opt.Layout)
	if err != nil {
		return Layout{}, 0, err
	}
	if opt.Skip < 0 || opt.Skip >= layout.PerPage() {
		return Layout{}, 0, errs.Field("skip", fmt.Sprintf("must be between 0 and %d for %s", layout.PerPage()-1, layout.Title))
	}
	if opt.Copies < 0 || opt.Copies > maxCopies {
		return Layout{}, 0, errs.Field("copies", fmt.Sprintf("must be between 1 and %d", maxCopies))
	}
	copies := max(opt.Copies, 1)
	if n == 0 {
		return Layout{}, 0, errs.Field("tag", "choose at least one label")
	}
	if n*copies > maxLabels {
		return Layout{}, 0, errs.Field("tag", fmt.Sprintf("choose at most %d labels at a time, copies included", maxLabels))
	}
	return layout, copies, nil
}

// WriteSheet writes a PDF of labels laid out for opt's stock: each label opt.Copies
// times in a row, starting after opt.Skip used positions on the first sheet, adding
// sheets as needed. Bad options are *errs.Error with code Invalid.
//
// The work that does not depend on gofpdf, encoding the codes and compressing each
// page's drawing of them, is spread over the CPUs; gofpdf then assembles the pages.
func WriteSheet(w io.Writer, labels []Label, opt Options) error {
	layout, copies, err := opt.check(len(labels))
	if err != nil {
		return err
	}
	prepared := make([]preparedLabel, len(labels))
	err = forEach(len(labels), func(i int) error {
		var err error
		prepared[i], err = prepare(labels[i], opt.Phone, layout)
		return err
	})
	if err != nil {
		return err
	}
	pages := paginate(len(labels), copies, opt.Skip, layout.PerPage())
	forms := make([][]byte, len(pages))
	forEach(len(pages), func(i int) error {
		forms[i] = codesForm(pages[i], prepared, layout)
		return nil
	})

	pdf := paper.NewPDF(layout.PageW, layout.PageH, "Labels: "+layout.Title)
	for i, page := range pages {
		pdf.AddPage()
		for _, pl := range page {
			x, y := layout.Position(pl.slot)
			drawText(pdf, prepared[pl.label].plan, x, y)
		}
		addForm(pdf, layout, "/QR"+strconv.Itoa(i+1), forms[i])
	}
	return pdf.Output(w)
}

// preparedLabel is the part of drawing a label that does not depend on where it goes.
type preparedLabel struct {
	plan    labelPlan
	modules string // the code's dark modules as PDF path operators, in module units
}

func prepare(l Label, phone string, layout Layout) (preparedLabel, error) {
	code, err := encodeQR(l.URL)
	if err != nil {
		return preparedLabel{}, err
	}
	return preparedLabel{
		plan:    planLabel(l, phone, layout.LabelW, layout.LabelH, code.size),
		modules: moduleOps(code),
	}, nil
}

// placement puts label number label in slot number slot of a page.
type placement struct{ label, slot int }

// paginate places n labels, each copies times in a row, after skip used slots on the
// first page, and returns the placements page by page.
func paginate(n, copies, skip, perPage int) [][]placement {
	total := skip + n*copies
	pages := make([][]placement, (total+perPage-1)/perPage)
	for i := 0; i < n*copies; i++ {
		s := skip + i
		pages[s/perPage] = append(pages[s/perPage], placement{label: i / copies, slot: s % perPage})
	}
	return pages
}

// forEach calls fn for every i in [0, n), spread over the CPUs, and returns the error of
// the lowest i that failed.
func forEach(n int, fn func(i int) error) error {
	failed := make([]error, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), n) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				failed[i] = fn(i)
			}
		})
	}
	wg.Wait()
	for _, err := range failed {
		if err != nil {
			return err
		}
	}
	return nil
}
