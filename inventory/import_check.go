package inventory

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"kitloan/internal/db"
	"kitloan/internal/errs"
)

// The first phase of an import: every row checked against one read snapshot of the
// database and against the good rows before it, holding no write transaction.

// checked is what the check found.
type checked struct {
	rows     int // data rows, good and bad
	problems []RowProblem
	// tooMany is set when the file has more rows than one import takes.
	tooMany *RowProblem
	// fileTags are the tags the file gives, which a row without a tag must not be given.
	fileTags map[string]bool
}

type plannedProduct struct {
	row   csvRow
	id    int64 // the id the file gives, or 0 for the next free one
	in    ProductInput
	catID int64
}

type plannedItem struct {
	row     csvRow
	in      ItemInput // with ProductID found
	product Product
}

// itemRenames names the stores' product_id as the import's product column.
var itemRenames = map[string]string{"product_id": "product"}

// checkImport checks every row of the file against one read snapshot of the database
// and the good rows before it; an error is the database failing.
func (s *Store) checkImport(ctx context.Context, t *csvTable) (checked, error) {
	var c checked
	snapshot, err := s.db.Read.BeginTx(ctx, nil)
	if err != nil {
		return c, err
	}
	defer snapshot.Rollback()
	k := newChecker(ctx, snapshot, s.db.Now())
	n := 0
	rows, unreadable, tooMany, err := t.eachRow(func(row csvRow) error {
		bad, err := k.check(t.kind, row)
		c.problems = append(c.problems, bad...)
		if n++; n%importBatch == 0 {
			s.observe(stageChecked, n)
		}
		if err != nil {
			return fmt.Errorf("import, line %d: %w", row.line, err)
		}
		return nil
	})
	c.rows, c.tooMany, c.fileTags = rows, tooMany, k.earlier.tags
	c.problems = append(c.problems, unreadable...)
	return c, err
}

// checker checks rows one after another as CreateProduct and CreateItems would add them:
// each against the database and against the good rows before it. The import checks the
// whole file with one, on a read snapshot, and each batch again as it writes it.
type checker struct {
	q          db.Querier
	categories map[string]categoryMatch
	products   productFinder
	ids        map[int64]string // product ids of the good rows before, to their names
	earlier    *claims          // tags and serials of the good rows before
	now        time.Time        // when the import runs: no row's dates may be after it
}

func newChecker(ctx context.Context, q db.Querier, now time.Time) *checker {
	return &checker{q: q, now: now, categories: map[string]categoryMatch{}, ids: map[int64]string{}, earlier: newClaims(),
		products: productFinder{ctx: ctx, q: q, byName: map[string]productMatch{}, byID: map[int64]Product{}}}
}

// check checks one row and returns its problems.
func (k *checker) check(kind string, row csvRow) ([]RowProblem, error) {
	if kind == ImportProducts {
		_, bad, err := k.product(row)
		return bad, err
	}
	_, bad, err := k.item(row)
	return bad, err
}

type categoryMatch struct {
	id  int64
	err error
}

// category finds a category by name or id, remembering the answer.
func (k *checker) category(ref CategoryRef) (int64, error) {
	key := strings.ToLower(strings.TrimSpace(string(ref)))
	m, ok := k.categories[key]
	if !ok {
		m.id, m.err = resolveCategory(k.q, ref)
		if m.err != nil && errs.CodeOf(m.err) == errs.Internal {
			return 0, m.err
		}
		k.categories[key] = m
	}
	return m.id, m.err
}

// product checks one products row and returns it planned, or its problems; an error is
// the database failing.
func (k *checker) product(row csvRow) (plannedProduct, []RowProblem, error) {
	c := rowProblems(row)
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
	// The category is named even beside other problems, so that one pass over the file
	// finds all of a row's problems that it can; the id only once the rest is right, as
	// addProduct checks it.
	var catID int64
	if in.Category != "" || len(c.problems) == 0 {
		var err error
		if catID, err = k.category(in.Category); err != nil {
			if errs.CodeOf(err) == errs.Internal {
				return plannedProduct{}, nil, err
			}
			c.addErr(err, nil)
		}
	}
	if len(c.problems) == 0 && id != 0 {
		if err := productIDFree(k.q, id, k.ids); err != nil {
			if errs.CodeOf(err) == errs.Internal {
				return plannedProduct{}, nil, err
			}
			c.addErr(err, nil)
		}
	}
	if len(c.problems) > 0 {
		return plannedProduct{}, c.sorted(), nil
	}
	if id != 0 {
		k.ids[id] = in.Name
	}
	return plannedProduct{row: row, id: id, in: in, catID: catID}, nil, nil
}

// item checks one items row and returns it planned, or its problems.
func (k *checker) item(row csvRow) (plannedItem, []RowProblem, error) {
	c := rowProblems(row)
	in := ItemInput{Tag: row.get("tag"), Serial: row.get("serial"), Condition: strings.ToLower(row.get("condition")),
		Location: row.get("location"), AcquiredOn: row.get("acquired_on"), Notes: row.get("notes"), Quantity: 1}
	var p Product
	if ref := row.get("product"); ref == "" {
		c.add("product", "is required: the product's id or name")
	} else {
		var problem string
		var err error
		if p, problem, err = k.products.find(ref); err != nil {
			return plannedItem{}, nil, err
		}
		if problem != "" {
			c.add("product", problem)
		}
		in.ProductID = p.ID
	}
	// A problem already found with the product column is not repeated.
	if err := prepareItems(&in, k.now); err != nil {
		c.addErr(err, itemRenames)
	}
	if len(c.problems) > 0 {
		return plannedItem{}, c.sorted(), nil
	}
	if err := checkUnit(k.q, p, in.Tag, in.Serial, k.earlier); err != nil {
		if errs.CodeOf(err) == errs.Internal {
			return plannedItem{}, nil, err
		}
		c.addErr(err, itemRenames)
		return plannedItem{}, c.sorted(), nil
	}
	if in.Tag != "" {
		k.earlier.tags[in.Tag] = true
	}
	if in.Serial != "" {
		k.earlier.serials[productSerial{p.ID, in.Serial}] = true
	}
	return plannedItem{row: row, in: in, product: p}, nil, nil
}

// productFinder resolves an items row's product, by id or by name, remembering both.
type productFinder struct {
	ctx    context.Context
	q      db.Querier
	byName map[string]productMatch
	byID   map[int64]Product
}

type productMatch struct {
	id      int64
	problem string
}

// find returns the product a reference names, or a problem saying why it names none.
func (f *productFinder) find(ref string) (Product, string, error) {
	if n, err := strconv.ParseInt(ref, 10, 64); err == nil {
		p, err := f.product(n)
		if errs.CodeOf(err) == errs.Invalid {
			return p, "there is no product " + ref, nil
		}
		return p, "", err
	}
	key := strings.ToLower(ref)
	m, ok := f.byName[key]
	if !ok {
		var err error
		if m, err = f.named(ref); err != nil {
			return Product{}, "", err
		}
		f.byName[key] = m
	}
	if m.problem != "" {
		return Product{}, m.problem, nil
	}
	p, err := f.product(m.id)
	return p, "", err
}

// product reads a product by id once.
func (f *productFinder) product(id int64) (Product, error) {
	if p, ok := f.byID[id]; ok {
		return p, nil
	}
	p, err := unitsProduct(f.q, id)
	if err == nil {
		f.byID[id] = p
	}
	return p, err
}

// named finds the one product a name (or "name (size)", as lists show it) names.
func (f *productFinder) named(ref string) (productMatch, error) {
	rows, err := f.q.QueryContext(f.ctx, `SELECT id FROM products WHERE name = ? COLLATE NOCASE
		OR (size <> '' AND name || ' (' || size || ')' = ? COLLATE NOCASE) ORDER BY id`, ref, ref)
	if err != nil {
		return productMatch{}, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return productMatch{}, err
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return productMatch{}, err
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
	return m, nil
}
