// Package csvfile writes every CSV kitloan gives out, and reads back the cells it wrote.
//
// A spreadsheet runs a cell that starts with = + - or @ as a formula, and some skip a
// leading tab or carriage return first, so a child or product named =cmd|' /C calc'!A0
// would run on the computer of whoever opens an export. Following OWASP, the writer puts
// a single quote before such a cell, which a spreadsheet shows as text. It also quotes a
// cell that already starts with a quote (or a new line, below), so that Unescape can take
// exactly one quote off and give back the value that was written, whatever it was.
package csvfile

import (
	"encoding/csv"
	"io"
	"strings"
)

// formulaStarts are the first characters that make a spreadsheet read a cell as a formula.
const formulaStarts = "=+-@\t\r"

// escapedStarts are the first characters Escape puts a quote before: a formula's, a quote,
// and a new line, because a CSV reader reads a carriage return and new line as the new
// line alone (encoding/csv does), so the cell '\r\n... comes back as '\n... and must still
// lose its quote.
const escapedStarts = formulaStarts + "'\n"

func escaped(s string) bool { return s != "" && strings.IndexByte(escapedStarts, s[0]) >= 0 }

// Escape makes a value safe to write as a spreadsheet cell.
func Escape(value string) string {
	if escaped(value) {
		return "'" + value
	}
	return value
}

// Unescape gives back the value Escape was given: it takes off one leading quote when
// what follows starts with a character Escape quotes, and leaves any other cell as it is.
func Unescape(cell string) string {
	if quoted(cell) {
		return cell[1:]
	}
	return cell
}

// quoted reports whether a cell has a quote Escape put there.
func quoted(cell string) bool { return cell != "" && cell[0] == '\'' && escaped(cell[1:]) }

// ReadCell is the value an import takes from a cell. A cell Escape quoted loses its quote
// and nothing else: its leading tab or carriage return belongs to the value. The spaces
// around any other cell are taken for a person's typing, and go.
func ReadCell(cell string) string {
	if quoted(cell) {
		return cell[1:]
	}
	return strings.TrimSpace(cell)
}

// Writer writes CSV records (RFC 4180, as encoding/csv does) with every cell escaped.
type Writer struct {
	cw  *csv.Writer
	rec []string
}

// NewWriter writes to w; call Flush at the end.
func NewWriter(w io.Writer) *Writer { return &Writer{cw: csv.NewWriter(w)} }

// Write writes one record, header rows included, escaping each cell.
func (w *Writer) Write(record []string) error {
	w.rec = w.rec[:0]
	for _, v := range record {
		w.rec = append(w.rec, Escape(v))
	}
	return w.cw.Write(w.rec)
}

// Flush writes what is buffered and returns the first error of any write.
func (w *Writer) Flush() error {
	w.cw.Flush()
	return w.cw.Error()
}
