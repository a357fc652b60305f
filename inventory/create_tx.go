package inventory

import (
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"kitloan/internal/db"
	"kitloan/internal/errs"
)

// The parts of CreateProduct and CreateItems that check input and write inside a
// transaction, shared with the CSV import (import.go, import_check.go, import_write.go),
// which checks its rows against a read snapshot, writes them in batches and must apply
// exactly the same rules to each. A product id, tag or serial that an import has staged
// (import_write.go) counts as taken here, so that nothing else can take it before the
// import moves its rows in.

// addProduct adds a product that validateProduct has passed, inside tx, and returns its
// id. An id other than 0 is kept (an import moving a catalogue from another service keeps
// the ids its items refer to); an id already in use is refused.
func addProduct(tx *db.Tx, in ProductInput, id int64) (int64, error) {
	catID, err := resolveCategory(tx, in.Category)
	if err != nil {
		return 0, err
	}
	if id != 0 {
		if err := productIDFree(tx, id, nil); err != nil {
			return 0, err
		}
	}
	return insertProduct(tx, in, catID, id)
}

// productIDFree refuses an id that a product has, that an import has staged, or that a
// row checked before has (earlier: ids to product names).
func productIDFree(q db.Querier, id int64, earlier map[int64]string) error {
	name, taken := earlier[id]
	if !taken {
		err := q.QueryRow(`SELECT name FROM products WHERE id = ? UNION ALL SELECT name FROM import_products WHERE id = ? LIMIT 1`, id, id).Scan(&name)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
	}
	return &errs.Error{Code: errs.Conflict, Message: "Product " + strconv.FormatInt(id, 10) + " already exists (" + name + ").",
		Fields: map[string]string{"id": "is already the id of " + name + "; leave the id out to add this as a new product"}}
}

// insertProduct writes a checked product and its history event; id 0 takes the next id
// that neither a product nor an import's staged product has.
func insertProduct(tx *db.Tx, in ProductInput, catID, id int64) (int64, error) {
	if id == 0 {
		if err := tx.QueryRow(`SELECT max(coalesce((SELECT max(id) FROM products), 0), coalesce((SELECT max(id) FROM import_products), 0)) + 1`).Scan(&id); err != nil {
			return 0, err
		}
	}
	decon := in.NeedsDecontamination == nil || *in.NeedsDecontamination
	_, err := tx.Exec(`INSERT INTO products (id, name, category_id, kind, manufacturer, model, size, service_interval_days,
		needs_decontamination, reorder_level, stock, unit_cost_pence, min_age_years, max_age_years, notes, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		id, in.Name, catID, in.Kind, in.Manufacturer, in.Model, in.Size, in.ServiceIntervalDays, decon, in.ReorderLevel,
		in.Stock, in.UnitCostPence, in.MinAgeYears, in.MaxAgeYears, in.Notes, tx.Stamp(), tx.Stamp())
	if err != nil {
		return 0, err
	}
	return id, db.RecordEvent(tx, db.EntityProduct, id, db.ActionCreated, map[string]any{"name": in.Name})
}

// prepareItems tidies and checks an ItemInput before any transaction: the rules every way
// of adding items shares. now bounds the acquired date.
func prepareItems(in *ItemInput, now time.Time) error {
	in.Tag = NormalizeTag(in.Tag)
	in.Serial = strings.TrimSpace(in.Serial)
	if in.Quantity == 0 {
		in.Quantity = 1
	}
	if in.Condition == "" {
		in.Condition = "new"
	}
	if err := errs.Validate(in); err != nil {
		return err
	}
	if in.Tag != "" && !validTag(in.Tag) {
		return errs.Field("tag", "use only letters, digits and hyphens, up to 40 characters")
	}
	if err := errs.DateWithin("acquired_on", in.AcquiredOn, earliestRecord, now); err != nil {
		return err
	}
	if in.Quantity > 1 && (in.Tag != "" || in.Serial != "") {
		return errs.Field("quantity", "add one unit at a time when giving a tag or serial number")
	}
	return nil
}

// unitsProduct reads what adding units needs of their product. Only that: productByID
// also counts the product's items, which an import adding thousands of units of one
// product would pay for on every row.
func unitsProduct(q db.Querier, id int64) (Product, error) {
	var p Product
	err := q.QueryRow(`SELECT id, name, size, kind, service_interval_days FROM products WHERE id = ?`, id).
		Scan(&p.ID, &p.Name, &p.Size, &p.Kind, &p.ServiceIntervalDays)
	if errors.Is(err, sql.ErrNoRows) {
		return p, errs.Field("product_id", "there is no product "+strconv.FormatInt(id, 10))
	}
	return p, err
}

// claims are the tags and serials of the rows an import has checked so far, which the
// rows after them may not take.
type claims struct {
	tags    map[string]bool
	serials map[productSerial]bool
}

type productSerial struct {
	product int64
	serial  string
}

func newClaims() *claims {
	return &claims{tags: map[string]bool{}, serials: map[productSerial]bool{}}
}

// checkUnit refuses a unit of p that cannot be added: p is a consumable, another unit of
// p has the serial, or another item has the tag; an import's staged units count, and so
// do earlier's when given. It returns the first problem, as adding stops at it.
func checkUnit(q db.Querier, p Product, tag, serial string, earlier *claims) error {
	if p.Kind != Returnable {
		return errs.Field("product_id", p.Name+" is a consumable: add to its stock count instead of labelling units")
	}
	if serial != "" {
		taken := earlier != nil && earlier.serials[productSerial{p.ID, serial}]
		if !taken {
			var err error
			if taken, err = serialTaken(q, p.ID, serial, 0); err != nil {
				return err
			}
		}
		if taken {
			return &errs.Error{Code: errs.Conflict, Message: "Another " + p.Name + " already has serial number " + serial + ".",
				Fields: map[string]string{"serial": "is already used by another unit of this product"}}
		}
	}
	if tag != "" {
		taken := earlier != nil && earlier.tags[tag]
		if !taken {
			var err error
			if taken, err = tagTaken(q, tag); err != nil {
				return err
			}
		}
		if taken {
			return &errs.Error{Code: errs.Conflict, Message: "An item with the tag " + tag + " already exists.",
				Fields: map[string]string{"tag": "is already on another item"}}
		}
	}
	return nil
}

// tagTaken reports whether an item has the tag or an import has staged it.
func tagTaken(q db.Querier, tag string) (bool, error) {
	var taken bool
	err := q.QueryRow(`SELECT EXISTS (SELECT 1 FROM items WHERE tag = ?) OR EXISTS (SELECT 1 FROM import_items WHERE tag = ?)`, tag, tag).Scan(&taken)
	return taken, err
}

// serialTaken reports whether a unit of the product other than the item except has the
// serial, or an import has staged one with it. serial <> ” lets SQLite use the partial
// unique indexes on (product_id, serial).
func serialTaken(q db.Querier, productID int64, serial string, except int64) (bool, error) {
	var taken bool
	err := q.QueryRow(`SELECT EXISTS (SELECT 1 FROM items WHERE product_id = ? AND serial = ? AND serial <> '' AND id <> ?)
		OR EXISTS (SELECT 1 FROM import_items WHERE product_id = ? AND serial = ? AND serial <> '')`,
		productID, serial, except, productID, serial).Scan(&taken)
	return taken, err
}

// serviceDates are a new unit's acquired date (today when not given) and, for a product
// serviced every interval days, when its first service is due (nil when never).
func serviceDates(tx *db.Tx, acquired string, interval int) (string, any) {
	if acquired == "" {
		acquired = tx.Today()
	}
	if interval <= 0 {
		return acquired, nil
	}
	d, _ := time.Parse(db.DateLayout, acquired)
	return acquired, d.AddDate(0, 0, interval).Format(db.DateLayout)
}

// newUnit is one unit ready to be written.
type newUnit struct {
	tag, title                              string
	productID                               int64
	serial, condition, location, acquiredOn string
	due                                     any
	notes                                   string
}

// insertUnit writes a checked unit and its history event.
func insertUnit(tx *db.Tx, u newUnit) error {
	res, err := tx.Exec(`INSERT INTO items (tag, product_id, serial, condition, status, location, acquired_on, next_service_due, notes, created_at, updated_at)
		VALUES (?, ?, ?, ?, 'available', ?, ?, ?, ?, ?, ?)`,
		u.tag, u.productID, u.serial, u.condition, u.location, u.acquiredOn, u.due, u.notes, tx.Stamp(), tx.Stamp())
	if err != nil {
		return err
	}
	id, err := res.LastInsertId()
	if err != nil {
		return err
	}
	return db.RecordEvent(tx, db.EntityItem, id, db.ActionCreated, map[string]any{"tag": u.tag, "product": u.title, "status": Available})
}

// addItems adds the units of an ItemInput that prepareItems has passed, inside tx, and
// returns their tags.
func addItems(tx *db.Tx, in ItemInput) ([]string, error) {
	p, err := unitsProduct(tx, in.ProductID)
	if err != nil {
		return nil, err
	}
	if err := checkUnit(tx, p, in.Tag, in.Serial, nil); err != nil {
		return nil, err
	}
	acquired, due := serviceDates(tx, in.AcquiredOn, p.ServiceIntervalDays)
	var tags []string
	for range in.Quantity {
		tag := in.Tag
		if tag == "" {
			if tag, err = nextTag(tx, nil); err != nil {
				return nil, err
			}
		}
		err := insertUnit(tx, newUnit{tag: tag, title: p.Title(), productID: p.ID, serial: in.Serial, condition: in.Condition,
			location: in.Location, acquiredOn: acquired, due: due, notes: in.Notes})
		if err != nil {
			return nil, err
		}
		tags = append(tags, tag)
	}
	return tags, nil
}
