package inventory

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"

	"kitloan/internal/csvfile"
	"kitloan/internal/errs"
)

// Importing products and items from CSV, in two phases, so that an import of 200,000 rows
// never holds the one writer for long and issues and returns go on while it runs:
//
//  1. Check (import_check.go): every row is checked against one read snapshot of the
//     database and against the rows before it (two rows with the same tag clash), by the
//     rules CreateProduct and CreateItems apply, with no write transaction at all. Every
//     problem is collected; a dry run, or any bad row, stops here.
//  2. Write (import_write.go): the file is read again and its rows staged in batches,
//     each its own short write transaction that checks its rows again (a tag taken since
//     the check is caught here), then moved into products or items in batches, each
//     writing its rows' history. A problem while staging removes what was staged, so
//     nothing is imported while any row is bad; once every row is staged, the import is
//     certain to finish, and a process stopped while moving is finished by the next
//     (FinishImports).
//
// Only the file and the tags and serials it gives are held, never its rows: a 200,000-row
// file held as rows took 460 MB, which the server's 100 MiB memory limit turned into
// garbage collection all the while.

// Import kinds.
const (
	ImportProducts = "products"
	ImportItems    = "items"
)

// RowProblem is one thing wrong with one row of an import: the line of the file it starts
// on (the header is line 1), the column, and what is wrong. A problem with the row as a
// whole has no field.
type RowProblem struct {
	Line    int    `json:"line"`
	Field   string `json:"field"`
	Problem string `json:"problem"`
}

func (p RowProblem) String() string {
	if p.Field == "" {
		return fmt.Sprintf("line %d: %s", p.Line, p.Problem)
	}
	return fmt.Sprintf("line %d, %s: %s", p.Line, p.Field, p.Problem)
}

// ImportReport says what an import did, or, as a dry run or with bad rows, would do.
type ImportReport struct {
	Kind   string `json:"kind"`
	DryRun bool   `json:"dry_run"`
	// Rows is how many data rows the file has; Imported how many were added (0 unless the
	// import was real and every row was good). An items row adds one item.
	Rows     int          `json:"rows"`
	Imported int          `json:"imported"`
	Problems []RowProblem `json:"problems"`
}

// OK reports whether every row was good.
func (r ImportReport) OK() bool { return len(r.Problems) == 0 }

// ProductColumns are the columns a products CSV may have: the product fields of the API and
// the rest of ProductInput. id is optional: given, the product keeps it.
var ProductColumns = []string{"id", "name", "category", "kind", "manufacturer", "model", "size", "service_interval_days",
	"needs_decontamination", "reorder_level", "stock", "unit_cost_pence", "min_age_years", "max_age_years", "notes"}

// ItemColumns are the columns an items CSV may have. product is a product's id or its name
// (with its size in brackets when names repeat, as lists show it: "Chair (size 2)").
var ItemColumns = []string{"tag", "product", "serial", "condition", "location", "acquired_on", "notes"}

// Columns that exports write and imports read past: figures kitloan works out itself.
var (
	productExportOnly = []string{"item_count", "available_count", "created_at", "updated_at"}
	itemExportOnly    = []string{"id", "product_name", "status", "next_service_due", "created_at", "updated_at", "awaiting_cleaning", "loan_id", "category"}
	// aliases maps a raw table's column to the import column it fills.
	importAliases = map[string]map[string]string{
		ImportProducts: {"category_id": "category"},
		ImportItems:    {"product_id": "product"},
	}
)

// MaxImportRows bounds one import; a larger file is split.
const MaxImportRows = 200_000

// Import reads a CSV of products or items and adds every row, or, with dryRun, checks
// every row and adds nothing. The report lists every bad row; when there is one, the error
// says so too and nothing is added. Other errors are failures to read the file or the
// database.
func (s *Store) Import(ctx context.Context, kind string, r io.Reader, dryRun bool) (ImportReport, error) {
	rep := ImportReport{Kind: kind, DryRun: dryRun, Problems: []RowProblem{}}
	if kind != ImportProducts && kind != ImportItems {
		return rep, errs.Field("kind", "must be products or items")
	}
	table, err := readTable(kind, r)
	if err != nil {
		return rep, err
	}
	rep.Problems = append(rep.Problems, table.problems...)
	if !rep.OK() {
		return rep, importError(rep)
	}
	checked, err := s.checkImport(ctx, table)
	if err != nil {
		return rep, err
	}
	rep.Rows = checked.rows
	if checked.tooMany != nil {
		rep.Problems = append(rep.Problems, *checked.tooMany)
		return rep, importError(rep)
	}
	if rep.Rows == 0 {
		rep.Problems = append(rep.Problems, RowProblem{Line: 2, Problem: "the file has a header but no rows to import"})
		return rep, importError(rep)
	}
	rep.Problems = append(rep.Problems, checked.problems...)
	if rep.OK() && !dryRun {
		// Rows a stopped import left staged would hold their tags; clear them first.
		if _, _, err := s.FinishImports(ctx); err != nil {
			return rep, err
		}
		problems, err := s.writeImport(ctx, table, checked.fileTags)
		if err != nil {
			return rep, err
		}
		rep.Problems = append(rep.Problems, problems...)
	}
	if !rep.OK() {
		sort.SliceStable(rep.Problems, func(i, j int) bool { return rep.Problems[i].Line < rep.Problems[j].Line })
		return rep, importError(rep)
	}
	if !dryRun {
		rep.Imported = rep.Rows
	}
	return rep, nil
}

// importError summarises the bad rows in one line.
func importError(rep ImportReport) error {
	lines := map[int]bool{}
	for _, p := range rep.Problems {
		lines[p.Line] = true
	}
	what := strconv.Itoa(len(lines)) + " rows have problems"
	if len(lines) == 1 {
		what = "1 row has problems"
	}
	return &errs.Error{Code: errs.Invalid, Message: fmt.Sprintf("%s (first: %s); nothing was imported", what, rep.Problems[0])}
}

// csvRow is one data row: its line and its values by import column.
type csvRow struct {
	line   int
	values map[string]string
	// used records which column filled each import column (an alias or the name itself),
	// so problems name the column the file has; order is each file column's position.
	used  map[string]string
	order map[string]int
	// characters are the problems with the characters of its values, found as it is read.
	characters []RowProblem
}

func (r csvRow) get(col string) string { return r.values[col] }

// column names the file's column for an import field.
func (r csvRow) column(field string) string {
	if c, ok := r.used[field]; ok {
		return c
	}
	return field
}

// csvTable is an import file whose header has been read. Its rows are read when needed,
// and read again to write them, so that a file of 200,000 rows is never held as rows.
type csvTable struct {
	kind string
	data []byte // the file as UTF-8
	// problems are with the file as a whole (its header): then no row is read.
	problems []RowProblem
	// names are the file's columns, normalised; cols the import column each fills ("" to
	// read past it); filled the file column that fills each import column; order each
	// file column's position.
	names, cols []string
	filled      map[string]string
	order       map[string]int
}

// normalizeHeader turns "Acquired on" or " acquired-on" into "acquired_on".
func normalizeHeader(h string) string {
	h = strings.ToLower(strings.TrimSpace(h))
	return strings.NewReplacer(" ", "_", "-", "_").Replace(h)
}

// readTable reads an import file and its header, reporting columns it does not know and
// missing required columns.
func readTable(kind string, r io.Reader) (*csvTable, error) {
	t := &csvTable{kind: kind}
	data, err := io.ReadAll(r)
	if err != nil {
		return t, fmt.Errorf("read the file: %w", err)
	}
	if t.data, err = DecodeImport(data, EncodingUTF8); err != nil {
		return t, err
	}
	cr := t.reader()
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		t.problems = append(t.problems, RowProblem{Line: 1, Problem: "the file is empty: it needs a header row naming the columns"})
		return t, nil
	}
	if err != nil {
		t.problems = append(t.problems, RowProblem{Line: 1, Problem: csvProblem(err)})
		return t, nil
	}
	for i, h := range header {
		if p := errs.TextProblem(h, false); p != "" {
			t.problems = append(t.problems, RowProblem{Line: 1, Field: "column " + strconv.Itoa(i+1), Problem: characterProblem(p)})
		}
	}
	if len(t.problems) > 0 {
		return t, nil
	}
	known, skipped := ProductColumns, productExportOnly
	if kind == ImportItems {
		known, skipped = ItemColumns, itemExportOnly
	}
	aliases := importAliases[kind]
	// Which file column fills each import column: the column itself wins over an alias
	// (product over product_id), and a name twice is a mistake.
	names := make([]string, len(header))
	filled := map[string]string{}
	for i, h := range header {
		names[i] = normalizeHeader(h)
	}
	for i, name := range names {
		target, isAlias := aliases[name]
		if !isAlias {
			target = name
		}
		switch {
		case name == "":
			t.problems = append(t.problems, RowProblem{Line: 1, Field: "column " + strconv.Itoa(i+1), Problem: "has no name in the header row"})
		case slices.Contains(skipped, name):
			// Written by exports, worked out by kitloan: read past it.
		case !slices.Contains(known, target):
			t.problems = append(t.problems, RowProblem{Line: 1, Field: strings.TrimSpace(header[i]), Problem: "is not a column kitloan imports; the columns are " + strings.Join(known, ", ")})
		case slices.Index(names, name) != i:
			t.problems = append(t.problems, RowProblem{Line: 1, Field: strings.TrimSpace(header[i]), Problem: "appears twice in the header row"})
		case isAlias && slices.Contains(names, target):
			// The column itself is there too, and wins.
		default:
			filled[target] = name
		}
	}
	cols := make([]string, len(header))
	order := map[string]int{}
	for target, name := range filled {
		cols[slices.Index(names, name)] = target
		order[name] = slices.Index(names, name)
	}
	required := []string{"name", "category", "kind"}
	if kind == ImportItems {
		required = []string{"product"}
	}
	for _, req := range required {
		if filled[req] == "" {
			t.problems = append(t.problems, RowProblem{Line: 1, Field: req, Problem: "column is missing from the header row"})
		}
	}
	t.names, t.cols, t.filled, t.order = names, cols, filled, order
	return t, nil
}

func (t *csvTable) reader() *csv.Reader {
	cr := csv.NewReader(bytes.NewReader(t.data))
	cr.FieldsPerRecord = -1
	return cr
}

// eachRow reads the data rows in order and calls row with each one it can read, stopping
// at the first error row returns. It returns the problems of the rows it could not read
// (the last when a quotation mark is never closed), and tooMany, with the file as a
// whole, past MaxImportRows rows; rows counts the rows read, read or not.
func (t *csvTable) eachRow(row func(csvRow) error) (rows int, unreadable []RowProblem, tooMany *RowProblem, err error) {
	cr := t.reader()
	if _, err := cr.Read(); err != nil { // past the header, which readTable read
		return 0, nil, nil, err
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return rows, unreadable, nil, nil
		}
		if err != nil {
			line := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.StartLine
			}
			unreadable = append(unreadable, RowProblem{Line: line, Problem: csvProblem(err) + "; the rest of the file was not read"})
			return rows + 1, unreadable, nil, nil
		}
		line, _ := cr.FieldPos(0)
		if blank(rec) {
			continue
		}
		if rows >= MaxImportRows {
			return rows, unreadable, &RowProblem{Line: line, Problem: fmt.Sprintf("the file has more than %d rows: split it and import each part", MaxImportRows)}, nil
		}
		rows++
		if len(rec) != len(t.names) {
			unreadable = append(unreadable, RowProblem{Line: line, Problem: fmt.Sprintf("has %d values but the header names %d columns", len(rec), len(t.names))})
			continue
		}
		r := csvRow{line: line, values: map[string]string{}, used: map[string]string{}, order: t.order,
			characters: characterProblems(rec, t.names, t.cols, line)}
		for i, v := range rec {
			if c := t.cols[i]; c != "" {
				r.values[c] = csvfile.ReadCell(v)
				r.used[c] = t.filled[c]
			}
		}
		if err := row(r); err != nil {
			return rows, unreadable, nil, err
		}
	}
}

// characterProblems checks the characters of a row's values, as they will be stored:
// only notes (and columns kitloan reads past) may run over several lines.
func characterProblems(rec, names, cols []string, line int) []RowProblem {
	var out []RowProblem
	for i, v := range rec {
		multiLine := cols[i] == "notes" || cols[i] == ""
		if p := errs.TextProblem(csvfile.ReadCell(v), multiLine); p != "" {
			out = append(out, RowProblem{Line: line, Field: names[i], Problem: characterProblem(p)})
		}
	}
	return out
}

// characterProblem says how to fix a value's characters in a file, where an import can
// tell more than a form: which encoding to choose, and which column may run over lines.
func characterProblem(p string) string {
	switch p {
	case errs.NotUTF8:
		return "is not UTF-8 text: save the file as CSV UTF-8, or choose the encoding it was saved in (such as Windows-1252) when importing"
	case errs.OneLine:
		return p + ": only notes may hold line breaks"
	}
	return p
}

// Encodings an import file that does not say what it is (with a byte-order mark) may be
// read as.
const (
	EncodingUTF8        = "utf-8"
	EncodingWindows1252 = "windows-1252"
)

// ImportEncodings lists them, the default first.
var ImportEncodings = []string{EncodingUTF8, EncodingWindows1252}

// DecodeImport returns the text of an import file as UTF-8. A byte-order mark says what
// the file is and wins over encoding: UTF-8's is dropped, and UTF-16's (Excel's "Unicode
// text") decodes the file. Without one, the file is read as encoding says: UTF-8 as it is
// (bytes that are not UTF-8 are then refused by line and column, not guessed at), or
// Windows-1252 (older Excel's "CSV" on Windows; a superset of Latin-1) decoded.
func DecodeImport(data []byte, encoding string) ([]byte, error) {
	switch {
	case bytes.HasPrefix(data, []byte("\xef\xbb\xbf")):
		return data[3:], nil
	case bytes.HasPrefix(data, []byte("\xff\xfe")), bytes.HasPrefix(data, []byte("\xfe\xff")):
		return unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder().Bytes(data)
	}
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "", EncodingUTF8:
		return data, nil
	case EncodingWindows1252:
		return charmap.Windows1252.NewDecoder().Bytes(data)
	}
	return nil, errs.Field("encoding", "must be "+strings.Join(ImportEncodings, " or "))
}

func blank(rec []string) bool {
	for _, v := range rec {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}

// csvProblem says in words why a row could not be read.
func csvProblem(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		switch {
		case errors.Is(pe.Err, csv.ErrQuote), errors.Is(pe.Err, csv.ErrBareQuote):
			return "a quotation mark is not closed or stands inside an unquoted value"
		}
		return pe.Err.Error()
	}
	return err.Error()
}

// cellProblems collects the problems of one row, one a column.
type cellProblems struct {
	row      csvRow
	problems []RowProblem
	seen     map[string]bool
}

// rowProblems starts a row's problems with those of its characters: a column whose
// characters are wrong is not checked further.
func rowProblems(row csvRow) *cellProblems {
	c := &cellProblems{row: row, seen: map[string]bool{}}
	for _, p := range row.characters {
		c.problems = append(c.problems, p)
		c.seen[p.Field] = true
	}
	return c
}

func (c *cellProblems) add(field, problem string) {
	if field == "" {
		c.problems = append(c.problems, RowProblem{Line: c.row.line, Problem: problem})
		return
	}
	if c.seen == nil {
		c.seen = map[string]bool{}
	}
	col := c.row.column(field)
	if c.seen[col] {
		return
	}
	c.seen[col] = true
	c.problems = append(c.problems, RowProblem{Line: c.row.line, Field: col, Problem: problem})
}

// sorted returns the row's problems in the order of the file's columns, problems with
// the row as a whole last.
func (c *cellProblems) sorted() []RowProblem {
	pos := func(p RowProblem) int {
		if i, ok := c.row.order[p.Field]; ok {
			return i
		}
		return 1 << 30
	}
	sort.SliceStable(c.problems, func(i, j int) bool { return pos(c.problems[i]) < pos(c.problems[j]) })
	return c.problems
}

// addErr adds the problems of an error from the stores: one a field it names, or its
// message when it names none.
func (c *cellProblems) addErr(err error, rename map[string]string) {
	e := errs.As(err)
	if len(e.Fields) == 0 {
		c.add("", e.Message)
		return
	}
	names := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		field := k
		if r, ok := rename[k]; ok {
			field = r
		}
		c.add(field, e.Fields[k])
	}
}

func (c *cellProblems) intCell(field string) int {
	v := c.row.get(field)
	if v == "" {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		c.add(field, "must be a whole number, like 12")
	}
	return n
}

func (c *cellProblems) intPtrCell(field string) *int {
	if c.row.get(field) == "" {
		return nil
	}
	n := c.intCell(field)
	return &n
}

func (c *cellProblems) boolCell(field string) *bool {
	v := strings.ToLower(c.row.get(field))
	var b bool
	switch v {
	case "":
		return nil
	case "yes", "y", "true", "1":
		b = true
	case "no", "n", "false", "0":
		b = false
	default:
		c.add(field, "must be yes or no")
		return nil
	}
	return &b
}
