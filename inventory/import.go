package inventory

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"

	"kitloan/internal/csvfile"
	"kitloan/internal/db"
	"kitloan/internal/errs"
)

// Importing products and items from CSV. Every row goes through the rules CreateProduct
// and CreateItems apply (validateProduct, prepareItems, addProduct, addItems), inside one
// transaction: a row is checked against the database and against the rows before it (two
// rows with the same tag clash). Any bad row, or a dry run, rolls the whole transaction
// back, so a dry run reports exactly what the import would, and nothing is imported
// while any row is bad.

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

// Import reads a CSV of products or items and adds every row in one transaction, or, with
// dryRun, checks every row and adds nothing. The report lists every bad row; when there is
// one, the error says so too and nothing is added. Other errors are failures to read the
// file or the database.
func (s *Store) Import(ctx context.Context, kind string, r io.Reader, dryRun bool) (ImportReport, error) {
	rep := ImportReport{Kind: kind, DryRun: dryRun, Problems: []RowProblem{}}
	if kind != ImportProducts && kind != ImportItems {
		return rep, errs.Field("kind", "must be products or items")
	}
	table, err := readTable(kind, r)
	if err != nil {
		return rep, err
	}
	rep.Rows = len(table.rows) + table.unreadable
	rep.Problems = append(rep.Problems, table.problems...)
	if table.whole {
		return rep, importError(rep)
	}
	if rep.Rows == 0 {
		rep.Problems = append(rep.Problems, RowProblem{Line: 2, Problem: "the file has a header but no rows to import"})
		return rep, importError(rep)
	}
	errRollback := errors.New("roll back")
	imported := 0
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		products := productFinder{tx: tx, byName: map[string]productMatch{}}
		for _, row := range table.rows {
			var n int
			var problems []RowProblem
			var err error
			if kind == ImportProducts {
				n, problems, err = importProduct(tx, row)
			} else {
				n, problems, err = importItem(tx, row, &products)
			}
			if err != nil {
				return fmt.Errorf("import, line %d: %w", row.line, err)
			}
			imported += n
			rep.Problems = append(rep.Problems, problems...)
		}
		if !rep.OK() || dryRun {
			return errRollback
		}
		return nil
	})
	if err != nil && !errors.Is(err, errRollback) {
		return rep, err
	}
	if !rep.OK() {
		sort.SliceStable(rep.Problems, func(i, j int) bool { return rep.Problems[i].Line < rep.Problems[j].Line })
		return rep, importError(rep)
	}
	if !dryRun {
		rep.Imported = imported
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
}

func (r csvRow) get(col string) string { return r.values[col] }

// column names the file's column for an import field.
func (r csvRow) column(field string) string {
	if c, ok := r.used[field]; ok {
		return c
	}
	return field
}

type csvTable struct {
	rows     []csvRow
	problems []RowProblem
	// whole is set when the problem is with the file as a whole (its header, its size), so
	// no row is checked; unreadable counts rows that could not be split into the header's
	// columns.
	whole      bool
	unreadable int
}

// normalizeHeader turns "Acquired on" or " acquired-on" into "acquired_on".
func normalizeHeader(h string) string {
	h = strings.ToLower(strings.TrimSpace(h))
	return strings.NewReplacer(" ", "_", "-", "_").Replace(h)
}

// readTable reads the header and rows of an import file, reporting columns it does not
// know, missing required columns and rows that cannot be read.
func readTable(kind string, r io.Reader) (csvTable, error) {
	var t csvTable
	data, err := io.ReadAll(r)
	if err != nil {
		return t, fmt.Errorf("read the file: %w", err)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // a spreadsheet's byte-order mark
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		t.problems, t.whole = append(t.problems, RowProblem{Line: 1, Problem: "the file is empty: it needs a header row naming the columns"}), true
		return t, nil
	}
	if err != nil {
		t.problems, t.whole = append(t.problems, RowProblem{Line: 1, Problem: csvProblem(err)}), true
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
	filled := map[string]string{} // import column → the file column that fills it
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
	cols := make([]string, len(header)) // import column of each file column, "" to skip
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
	if len(t.problems) > 0 {
		t.whole = true
		return t, nil
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return t, nil
		}
		if err != nil {
			line := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.StartLine
			}
			t.unreadable++
			t.problems = append(t.problems, RowProblem{Line: line, Problem: csvProblem(err) + "; the rest of the file was not read"})
			return t, nil
		}
		line, _ := cr.FieldPos(0)
		if len(t.rows) >= MaxImportRows {
			t.problems, t.whole = append(t.problems, RowProblem{Line: line, Problem: fmt.Sprintf("the file has more than %d rows: split it and import each part", MaxImportRows)}), true
			return t, nil
		}
		if len(rec) != len(header) {
			if blank(rec) {
				continue
			}
			t.unreadable++
			t.problems = append(t.problems, RowProblem{Line: line, Problem: fmt.Sprintf("has %d values but the header names %d columns", len(rec), len(header))})
			continue
		}
		if blank(rec) {
			continue
		}
		row := csvRow{line: line, values: map[string]string{}, used: map[string]string{}, order: order}
		for i, v := range rec {
			if cols[i] != "" {
				row.values[cols[i]] = csvfile.ReadCell(v)
				row.used[cols[i]] = filled[cols[i]]
			}
		}
		t.rows = append(t.rows, row)
	}
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

// importProduct adds one products row inside tx and returns how many it added (0 or 1)
// and the row's problems; an error is the database failing.
func importProduct(tx *db.Tx, row csvRow) (int, []RowProblem, error) {
	c := &cellProblems{row: row}
	var id int64
	if v := row.get("id"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			c.add("id", "must be a whole number above 0, or left empty")
		}
		id = n
	}
	in := ProductInput{
		Name: row.get("name"), Category: CategoryRef(row.get("category")), Kind: strings.ToLower(row.get("kind")),
		Manufacturer: row.get("manufacturer"), Model: row.get("model"), Size: row.get("size"),
		ServiceIntervalDays: c.intCell("service_interval_days"), NeedsDecontamination: c.boolCell("needs_decontamination"),
		ReorderLevel: c.intCell("reorder_level"), Stock: c.intCell("stock"), UnitCostPence: c.intPtrCell("unit_cost_pence"),
		MinAgeYears: c.intPtrCell("min_age_years"), MaxAgeYears: c.intPtrCell("max_age_years"), Notes: row.get("notes"),
	}
	if err := validateProduct(&in); err != nil {
		c.addErr(err, nil)
	}
	if len(c.problems) > 0 {
		// The category is the one other thing to check against the database: name it too,
		// so one pass over the file finds all of a row's problems that it can.
		if in.Category != "" {
			_, err := resolveCategory(tx, in.Category)
			switch {
			case err == nil:
			case errs.CodeOf(err) == errs.Internal:
				return 0, nil, err
			default:
				c.addErr(err, nil)
			}
		}
		return 0, c.sorted(), nil
	}
	if _, err := addProduct(tx, in, id); err != nil {
		if errs.CodeOf(err) == errs.Internal {
			return 0, nil, err
		}
		c.addErr(err, nil)
		return 0, c.sorted(), nil
	}
	return 1, nil, nil
}

// importItem adds one items row inside tx.
func importItem(tx *db.Tx, row csvRow, products *productFinder) (int, []RowProblem, error) {
	c := &cellProblems{row: row}
	in := ItemInput{Tag: row.get("tag"), Serial: row.get("serial"), Condition: strings.ToLower(row.get("condition")),
		Location: row.get("location"), AcquiredOn: row.get("acquired_on"), Notes: row.get("notes"), Quantity: 1}
	ref := row.get("product")
	if ref == "" {
		c.add("product", "is required: the product's id or name")
	} else {
		id, problem, err := products.find(ref)
		if err != nil {
			return 0, nil, err
		}
		if problem != "" {
			c.add("product", problem)
		}
		in.ProductID = id
	}
	// The stores name the product product_id; a problem already found with the product
	// column is not repeated.
	rename := map[string]string{"product_id": "product"}
	if err := prepareItems(&in); err != nil {
		c.addErr(err, rename)
	}
	if len(c.problems) > 0 {
		return 0, c.sorted(), nil
	}
	if _, err := addItems(tx, in); err != nil {
		if errs.CodeOf(err) == errs.Internal {
			return 0, nil, err
		}
		c.addErr(err, rename)
		return 0, c.sorted(), nil
	}
	return 1, nil, nil
}

// productFinder resolves an items row's product, by id or by name, remembering names.
type productFinder struct {
	tx     *db.Tx
	byName map[string]productMatch
}

type productMatch struct {
	id      int64
	problem string
}

// find returns the product a reference names, or a problem saying why it names none.
func (f *productFinder) find(ref string) (int64, string, error) {
	if n, err := strconv.ParseInt(ref, 10, 64); err == nil {
		var kind string
		err := f.tx.QueryRow(`SELECT kind FROM products WHERE id = ?`, n).Scan(&kind)
		if err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return 0, "there is no product " + ref, nil
			}
			return 0, "", err
		}
		return n, "", nil
	}
	key := strings.ToLower(ref)
	if m, ok := f.byName[key]; ok {
		return m.id, m.problem, nil
	}
	rows, err := f.tx.Query(`SELECT id FROM products WHERE name = ? COLLATE NOCASE
		OR (size <> '' AND name || ' (' || size || ')' = ? COLLATE NOCASE) ORDER BY id`, ref, ref)
	if err != nil {
		return 0, "", err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, "", err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, "", err
	}
	var m productMatch
	switch len(ids) {
	case 0:
		m.problem = "there is no product called " + strconv.Quote(ref)
	case 1:
		m.id = ids[0]
	default:
		m.problem = fmt.Sprintf("%d products are called %q: give the product's id, or its name with its size as lists show it", len(ids), ref)
	}
	f.byName[key] = m
	return m.id, m.problem, nil
}
