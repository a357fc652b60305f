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
// transaction, shared with the CSV import (import.go), which adds many rows in one
// transaction and must apply exactly the same rules to each.

// addProduct adds a product that validateProduct has passed, inside tx, and returns its
// id. An id other than 0 is kept (an import moving a catalogue from another service keeps
// the ids its items refer to); an id already in use is refused.
func addProduct(tx *db.Tx, in ProductInput, id int64) (int64, error) {
	catID, err := resolveCategory(tx, in.Category)
	if err != nil {
		return 0, err
	}
	if id != 0 {
		var name string
		err := tx.QueryRow(`SELECT name FROM products WHERE id = ?`, id).Scan(&name)
		if err == nil {
			return 0, &errs.Error{Code: errs.Conflict, Message: "Product " + strconv.FormatInt(id, 10) + " already exists (" + name + ").",
				Fields: map[string]string{"id": "is already the id of " + name + "; leave the id out to add this as a new product"}}
		}
	}
	decon := in.NeedsDecontamination == nil || *in.NeedsDecontamination
	cols := `name, category_id, kind, manufacturer, model, size, service_interval_days,
		needs_decontamination, reorder_level, stock, unit_cost_pence, min_age_years, max_age_years, notes, created_at, updated_at`
	args := []any{in.Name, catID, in.Kind, in.Manufacturer, in.Model, in.Size, in.ServiceIntervalDays, decon, in.ReorderLevel,
		in.Stock, in.UnitCostPence, in.MinAgeYears, in.MaxAgeYears, in.Notes, tx.Stamp(), tx.Stamp()}
	marks := `?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?`
	if id != 0 {
		cols, marks, args = "id, "+cols, "?, "+marks, append([]any{id}, args...)
	}
	if err := tx.QueryRow(`INSERT INTO products (`+cols+`) VALUES (`+marks+`) RETURNING id`, args...).Scan(&id); err != nil {
		return 0, err
	}
	return id, db.RecordEvent(tx, db.EntityProduct, id, db.ActionCreated, map[string]any{"name": in.Name})
}

// prepareItems tidies and checks an ItemInput before any transaction: the rules every way
// of adding items shares.
func prepareItems(in *ItemInput) error {
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
	if in.Quantity > 1 && (in.Tag != "" || in.Serial != "") {
		return errs.Field("quantity", "add one unit at a time when giving a tag or serial number")
	}
	return nil
}

// addItems adds the units of an ItemInput that prepareItems has passed, inside tx, and
// returns their tags.
func addItems(tx *db.Tx, in ItemInput) ([]string, error) {
	// Only what adding units needs: productByID also counts the product's items, which an
	// import adding thousands of units of one product would pay for on every row.
	var p Product
	err := tx.QueryRow(`SELECT id, name, size, kind, service_interval_days FROM products WHERE id = ?`, in.ProductID).
		Scan(&p.ID, &p.Name, &p.Size, &p.Kind, &p.ServiceIntervalDays)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.Field("product_id", "there is no product "+strconv.FormatInt(in.ProductID, 10))
	}
	if err != nil {
		return nil, err
	}
	if p.Kind != Returnable {
		return nil, errs.Field("product_id", p.Name+" is a consumable: add to its stock count instead of labelling units")
	}
	var dup int
	if in.Serial != "" {
		// serial <> '' lets SQLite use the partial unique index on (product_id, serial).
		if err := tx.QueryRow(`SELECT count(*) FROM items WHERE product_id = ? AND serial = ? AND serial <> ''`, p.ID, in.Serial).Scan(&dup); err != nil {
			return nil, err
		}
		if dup > 0 {
			return nil, &errs.Error{Code: errs.Conflict, Message: "Another " + p.Name + " already has serial number " + in.Serial + ".",
				Fields: map[string]string{"serial": "is already used by another unit of this product"}}
		}
	}
	if err := errs.DateWithin("acquired_on", in.AcquiredOn, earliestRecord, tx.Now); err != nil {
		return nil, err
	}
	acquired := in.AcquiredOn
	if acquired == "" {
		acquired = tx.Today()
	}
	var due any
	if p.ServiceIntervalDays > 0 {
		d, _ := time.Parse(db.DateLayout, acquired)
		due = d.AddDate(0, 0, p.ServiceIntervalDays).Format(db.DateLayout)
	}
	var tags []string
	for range in.Quantity {
		tag := in.Tag
		if tag == "" {
			if tag, err = nextTag(tx); err != nil {
				return nil, err
			}
		} else if err := tx.QueryRow(`SELECT count(*) FROM items WHERE tag = ?`, tag).Scan(&dup); err != nil {
			return nil, err
		} else if dup > 0 {
			return nil, &errs.Error{Code: errs.Conflict, Message: "An item with the tag " + tag + " already exists.",
				Fields: map[string]string{"tag": "is already on another item"}}
		}
		var id int64
		err := tx.QueryRow(`INSERT INTO items (tag, product_id, serial, condition, status, location, acquired_on, next_service_due, notes, created_at, updated_at)
			VALUES (?, ?, ?, ?, 'available', ?, ?, ?, ?, ?, ?) RETURNING id`,
			tag, p.ID, in.Serial, in.Condition, in.Location, acquired, due, in.Notes, tx.Stamp(), tx.Stamp()).Scan(&id)
		if err != nil {
			return nil, err
		}
		if err := db.RecordEvent(tx, db.EntityItem, id, db.ActionCreated, map[string]any{"tag": tag, "product": p.Title(), "status": Available}); err != nil {
			return nil, err
		}
		tags = append(tags, tag)
	}
	return tags, nil
}
