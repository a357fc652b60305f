package csvfile

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
)

// Hostile are cells a spreadsheet would run, or that look like an escaped one.
var Hostile = []string{`=cmd|' /C calc'!A0`, "+1", "-2+3", "@SUM(A1)", "\tx", "\rx", "'quoted", "''double"}

func TestEscape(t *testing.T) {
	for in, want := range map[string]string{
		`=cmd|' /C calc'!A0`: `'=cmd|' /C calc'!A0`, "+1": "'+1", "-2+3": "'-2+3", "@SUM(A1)": "'@SUM(A1)", "\tx": "'\tx",
		"\rx": "'\rx", "'quoted": "''quoted", "''double": "'''double", "-": "'-",
		"\r\nx": "'\r\nx", "\nx": "'\nx", "": "", "Zoë": "Zoë", "12": "12", " =1": " =1", "a=b": "a=b",
	} {
		if got := Escape(in); got != want {
			t.Errorf("Escape(%q) = %q, want %q", in, got, want)
		}
	}
	// A quote before anything else is someone's own: Unescape keeps it.
	for _, cell := range []string{"'", "'tis", "' =1", " '=1", "Zoë", ""} {
		if got := Unescape(cell); got != cell {
			t.Errorf("Unescape(%q) = %q", cell, got)
		}
	}
	// An import keeps what is behind a quote Escape put there, and trims any other cell.
	for cell, want := range map[string]string{"'\t": "\t", "'\tx ": "\tx ", "'=1 ": "=1 ", " '=1 ": "'=1", " plain\t": "plain", "'tis ": "'tis"} {
		if got := ReadCell(cell); got != want {
			t.Errorf("ReadCell(%q) = %q, want %q", cell, got, want)
		}
	}
}

func TestWriterEscapesEveryCell(t *testing.T) {
	var b bytes.Buffer
	w := NewWriter(&b)
	if err := w.Write([]string{"id", "-name"}); err != nil {
		t.Fatal(err)
	}
	for _, h := range Hostile {
		if err := w.Write([]string{"-1", h}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(Hostile)+1 || rows[0][1] != "'-name" {
		t.Fatalf("rows: %q", rows)
	}
	for i, h := range Hostile {
		if rows[i+1][0] != "'-1" || !strings.HasPrefix(rows[i+1][1], "'") || Unescape(rows[i+1][1]) != h {
			t.Errorf("%q came out as %q", h, rows[i+1])
		}
	}
}

// FuzzCSVCell: for any value, the escaped cell never starts a formula, unescaping gives the
// value back (an import trims it unless it was quoted), and a row of such cells reads back
// through encoding/csv (whose reader turns a carriage return before a new line into the
// new line alone).
func FuzzCSVCell(f *testing.F) {
	for _, h := range Hostile {
		f.Add(h)
	}
	f.Fuzz(func(t *testing.T, value string) {
		cell := Escape(value)
		if cell != "" && strings.IndexByte(formulaStarts, cell[0]) >= 0 {
			t.Fatalf("Escape(%q) = %q starts a formula", value, cell)
		}
		if got := Unescape(cell); got != value {
			t.Fatalf("Unescape(Escape(%q)) = %q", value, got)
		}
		read := strings.TrimSpace(value)
		if escaped(value) {
			read = value
		}
		if got := ReadCell(cell); got != read {
			t.Fatalf("ReadCell(Escape(%q)) = %q, want %q", value, got, read)
		}
		var b bytes.Buffer
		w := NewWriter(&b)
		row := []string{value, "x", value}
		if err := w.Write(row); err != nil {
			t.Fatal(err)
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(&b).ReadAll()
		if err != nil || len(rows) != 1 || len(rows[0]) != len(row) {
			t.Fatalf("%q wrote %q, read back %q, %v", value, b.String(), rows, err)
		}
		want := strings.ReplaceAll(value, "\r\n", "\n")
		for i, c := range rows[0] {
			if c != "" && strings.IndexByte(formulaStarts, c[0]) >= 0 {
				t.Errorf("cell %d of %q starts a formula: %q", i, value, c)
			}
			if got := Unescape(c); i != 1 && got != want {
				t.Errorf("cell %d of %q read back as %q", i, value, got)
			}
		}
	})
}
