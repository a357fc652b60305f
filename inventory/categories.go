package inventory

import (
	"context"
	"strings"

	"kitloan/internal/db"
	"kitloan/internal/errs"
)

// cleanCategory trims a category's fields and drops blank checklist lines.
func cleanCategory(in *CategoryInput) error {
	in.Name = strings.TrimSpace(in.Name)
	var points []string
	for _, l := range strings.Split(in.Checklist, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			points = append(points, l)
		}
	}
	if len(points) > 30 {
		return errs.Field("checklist", "must have at most 30 points")
	}
	in.Checklist = strings.Join(points, "\n")
	return errs.Validate(in)
}

// uniqueCategoryName refuses a name another category has, in any case.
func uniqueCategoryName(tx *db.Tx, name string, except int64) error {
	var n int
	if err := tx.QueryRow(`SELECT count(*) FROM categories WHERE name = ? COLLATE NOCASE AND id <> ?`, name, except).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return &errs.Error{Code: errs.Conflict, Message: "There is already a category called " + name + ".",
			Fields: map[string]string{"name": "is already another category's name"}}
	}
	return nil
}

// CreateCategory adds a category at the end of the list.
func (s *Store) CreateCategory(ctx context.Context, in CategoryInput) error {
	if err := cleanCategory(&in); err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := uniqueCategoryName(tx, in.Name, 0); err != nil {
			return err
		}
		var id int64
		if err := tx.QueryRow(`INSERT INTO categories (name, position, review_months, checklist)
			VALUES (?, (SELECT coalesce(max(position), 0) + 1 FROM categories), ?, ?) RETURNING id`,
			in.Name, in.ReviewMonths, in.Checklist).Scan(&id); err != nil {
			return err
		}
		return db.RecordEvent(tx, db.EntityCategory, id, db.ActionCreated, map[string]any{"name": in.Name})
	})
}

// UpdateCategory renames a category or changes its review period or inspection checklist.
func (s *Store) UpdateCategory(ctx context.Context, id int64, in CategoryInput) error {
	if err := cleanCategory(&in); err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := uniqueCategoryName(tx, in.Name, id); err != nil {
			return err
		}
		res, err := tx.Exec(`UPDATE categories SET name = ?, review_months = ?, checklist = ? WHERE id = ?`, in.Name, in.ReviewMonths, in.Checklist, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.Errorf(errs.NotFound, "There is no category %d.", id)
		}
		return db.RecordEvent(tx, db.EntityCategory, id, db.ActionUpdated, map[string]any{"name": in.Name, "review_months": in.ReviewMonths})
	})
}
