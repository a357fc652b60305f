package inventory

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"kitloan/internal/db"
	"kitloan/internal/errs"
)

// Recall is a manufacturer's field safety notice or a safety alert against a product.
type Recall struct {
	ID          int64          `json:"id"`
	ProductID   int64          `json:"product_id"`
	ProductName string         `json:"product_name"`
	Reference   string         `json:"reference"`
	IssuedOn    string         `json:"issued_on"`
	Action      string         `json:"action"`
	ClosedAt    *time.Time     `json:"closed_at"`
	CreatedAt   time.Time      `json:"created_at"`
	Affected    []RecalledItem `json:"affected"`
}

// Open reports whether the recall still has work to do.
func (r Recall) Open() bool { return r.ClosedAt == nil }

// RecalledItem is one affected item: its status now, where it is, and its recall action.
type RecalledItem struct {
	Tag          string  `json:"tag"`
	Status       Status  `json:"status"`
	StatusBefore Status  `json:"status_before"`
	LoanID       *int64  `json:"loan_id"`
	ChildID      *int64  `json:"child_id"`
	Holder       *Holder `json:"holder,omitempty"`
	Done         bool    `json:"done"`
	Notes        string  `json:"notes"`
}

// RecallInput records a recall.
type RecallInput struct {
	ProductID int64  `json:"product_id" validate:"required,gt=0"`
	Reference string `json:"reference" validate:"required,max=100"`
	Action    string `json:"action" validate:"required,max=4000" text:"multiline"`
	IssuedOn  string `json:"issued_on" validate:"omitempty,datetime=2006-01-02"`
}

// CreateRecall records a recall against a product. Every unit in the store is quarantined
// at once; units on loan (or lost from a loan) are listed with their child, for the store
// to contact. Each affected unit carries an open action until it is marked done.
func (s *Store) CreateRecall(ctx context.Context, in RecallInput) (Recall, error) {
	in.Reference, in.Action = strings.TrimSpace(in.Reference), strings.TrimSpace(in.Action)
	if err := errs.Validate(in); err != nil {
		return Recall{}, err
	}
	if err := errs.DateWithin("issued_on", in.IssuedOn, earliestRecord, s.db.Now()); err != nil {
		return Recall{}, err
	}
	if in.IssuedOn == "" {
		in.IssuedOn = s.db.Now().Format(db.DateLayout)
	}
	var id int64
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		p, err := productByID(tx, in.ProductID)
		if errs.CodeOf(err) == errs.NotFound {
			return errs.Field("product_id", "there is no product "+strconv.FormatInt(in.ProductID, 10))
		}
		if err != nil {
			return err
		}
		if err := tx.QueryRow(`INSERT INTO recalls (product_id, reference, issued_on, action, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
			p.ID, in.Reference, in.IssuedOn, in.Action, tx.Stamp()).Scan(&id); err != nil {
			return err
		}
		type unit struct {
			id            int64
			tag           string
			status        Status
			loanID, child *int64
		}
		rows, err := tx.Query(`SELECT i.id, i.tag, i.status, l.id, l.child_id FROM items i
			LEFT JOIN loan_items li ON li.item_id = i.id AND li.returned_at IS NULL LEFT JOIN loans l ON l.id = li.loan_id
			WHERE i.product_id = ? AND i.status <> 'retired' ORDER BY i.tag`, p.ID)
		if err != nil {
			return err
		}
		var units []unit
		for rows.Next() {
			var u unit
			if err := rows.Scan(&u.id, &u.tag, &u.status, &u.loanID, &u.child); err != nil {
				rows.Close()
				return err
			}
			units = append(units, u)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, u := range units {
			if _, ok := NextStatus(u.status, Quarantine); ok {
				if err := dropAllocation(tx, u.id); err != nil {
					return err
				}
				if _, err := Transition(tx, u.tag, Quarantine, map[string]any{"recall_id": id, "reference": in.Reference}); err != nil {
					return err
				}
			}
			if _, err := tx.Exec(`INSERT INTO recall_items (recall_id, item_id, status_before, loan_id, child_id) VALUES (?, ?, ?, ?, ?)`,
				id, u.id, u.status, u.loanID, u.child); err != nil {
				return err
			}
		}
		return db.RecordEvent(tx, db.EntityProduct, p.ID, db.ActionRecalled, map[string]any{"recall_id": id, "reference": in.Reference, "affected": len(units)})
	})
	if err != nil {
		return Recall{}, err
	}
	return s.Recall(ctx, id)
}

// dropAllocation takes a quarantined item out of the request it was reserved for; the
// request goes back to approved, to be allocated another unit.
func dropAllocation(tx *db.Tx, itemID int64) error {
	var requestID int64
	err := tx.QueryRow(`DELETE FROM allocations WHERE item_id = ? RETURNING request_id`, itemID).Scan(&requestID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	if _, err := tx.Exec(`UPDATE requests SET status = 'approved', updated_at = ? WHERE id = ? AND status = 'allocated'`, tx.Stamp(), requestID); err != nil {
		return err
	}
	return db.RecordEvent(tx, db.EntityRequest, requestID, db.ActionAllocationRecalled, map[string]any{"item_id": itemID})
}

// Recall returns a recall with every affected item, where it is and who holds it.
func (s *Store) Recall(ctx context.Context, id int64) (Recall, error) {
	var r Recall
	var created string
	var closed sql.NullString
	err := s.db.QueryRow(ctx, `SELECT r.id, r.product_id, p.name, r.reference, r.issued_on, r.action, r.closed_at, r.created_at
		FROM recalls r JOIN products p ON p.id = r.product_id WHERE r.id = ?`, id).
		Scan(&r.ID, &r.ProductID, &r.ProductName, &r.Reference, &r.IssuedOn, &r.Action, &closed, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return r, errs.Errorf(errs.NotFound, "There is no recall %d.", id)
	}
	if err != nil {
		return r, err
	}
	r.CreatedAt, _ = time.Parse(time.RFC3339, created)
	if closed.Valid {
		t, _ := time.Parse(time.RFC3339, closed.String)
		r.ClosedAt = &t
	}
	rows, err := s.db.Query(ctx, `SELECT i.tag, i.status, ri.status_before, ri.loan_id, ri.child_id, ri.done_at IS NOT NULL, ri.notes,
		c.given_name || ' ' || c.family_name, l.location, l.address, trim(coalesce(k.name, '') || ' ' || coalesce(k.phone, '')), l.recipient
		FROM recall_items ri JOIN items i ON i.id = ri.item_id
		LEFT JOIN loans l ON l.id = ri.loan_id LEFT JOIN children c ON c.id = ri.child_id
		LEFT JOIN carers k ON k.child_id = c.id AND k.position = 0
		WHERE ri.recall_id = ? ORDER BY ri.loan_id IS NULL, i.tag`, id)
	if err != nil {
		return r, err
	}
	defer rows.Close()
	r.Affected = []RecalledItem{}
	for rows.Next() {
		var it RecalledItem
		var child, loc, addr, contact, recipient *string
		if err := rows.Scan(&it.Tag, &it.Status, &it.StatusBefore, &it.LoanID, &it.ChildID, &it.Done, &it.Notes, &child, &loc, &addr, &contact, &recipient); err != nil {
			return r, err
		}
		if it.LoanID != nil && child != nil {
			it.Holder = &Holder{LoanID: *it.LoanID, ChildID: *it.ChildID, ChildName: *child, Location: *loc, Address: *addr, Contact: *contact, Recipient: *recipient}
		}
		r.Affected = append(r.Affected, it)
	}
	return r, rows.Err()
}

// Recalls lists recalls, open ones first, newest first.
func (s *Store) Recalls(ctx context.Context) ([]Recall, error) {
	rows, err := s.db.Query(ctx, `SELECT id FROM recalls ORDER BY closed_at IS NOT NULL, id DESC LIMIT 200`)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	out := make([]Recall, 0, len(ids))
	for _, id := range ids {
		r, err := s.Recall(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// CompleteRecallAction marks the recall action for one affected item done, with notes
// (what was done: collected, modified, checked and cleared).
func (s *Store) CompleteRecallAction(ctx context.Context, recallID int64, tag, notes string) (Recall, error) {
	notes = strings.TrimSpace(notes)
	if notes == "" {
		return Recall{}, errs.Field("notes", "say what was done")
	}
	if len(notes) > 2000 {
		return Recall{}, errs.Field("notes", "must be at most 2000 characters")
	}
	if err := errs.CheckText("notes", notes, true); err != nil {
		return Recall{}, err
	}
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		it, err := itemByTag(tx, NormalizeTag(tag))
		if err != nil {
			return err
		}
		res, err := tx.Exec(`UPDATE recall_items SET done_at = ?, notes = ? WHERE recall_id = ? AND item_id = ? AND done_at IS NULL`, tx.Stamp(), notes, recallID, it.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.Field("tag", it.Tag+" has no open action on recall "+strconv.FormatInt(recallID, 10))
		}
		return db.RecordEvent(tx, db.EntityItem, it.ID, db.ActionRecallActionDone, map[string]any{"recall_id": recallID, "notes": notes})
	})
	if err != nil {
		return Recall{}, err
	}
	return s.Recall(ctx, recallID)
}

// CloseRecall closes a recall once every affected item's action is done.
func (s *Store) CloseRecall(ctx context.Context, id int64) (Recall, error) {
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		var open int
		var productID int64
		var closed sql.NullString
		err := tx.QueryRow(`SELECT product_id, closed_at, (SELECT count(*) FROM recall_items WHERE recall_id = r.id AND done_at IS NULL) FROM recalls r WHERE id = ?`, id).Scan(&productID, &closed, &open)
		if errors.Is(err, sql.ErrNoRows) {
			return errs.Errorf(errs.NotFound, "There is no recall %d.", id)
		}
		if err != nil {
			return err
		}
		if closed.Valid {
			return errs.Errorf(errs.Conflict, "Recall %d is already closed.", id)
		}
		if open > 0 {
			return errs.Errorf(errs.Conflict, "%d affected items still have an open action: mark each one done first.", open)
		}
		if _, err := tx.Exec(`UPDATE recalls SET closed_at = ? WHERE id = ?`, tx.Stamp(), id); err != nil {
			return err
		}
		return db.RecordEvent(tx, db.EntityProduct, productID, db.ActionRecallClosed, map[string]any{"recall_id": id})
	})
	if err != nil {
		return Recall{}, err
	}
	return s.Recall(ctx, id)
}

// SafetyNotice is a field safety notice still in force for one item: the recall is open
// and the item's own action is not yet done. Whoever scans the item is told to stop.
type SafetyNotice struct {
	Reference string `json:"reference"`
	IssuedOn  string `json:"issued_on"`
	Action    string `json:"action"`
}

// safetyNoticesOf is the query behind SafetyNotices, run on every scan of a label.
const safetyNoticesOf = `SELECT r.reference, r.issued_on, r.action
	FROM recall_items ri JOIN recalls r ON r.id = ri.recall_id
	WHERE ri.item_id = ? AND r.closed_at IS NULL AND ri.done_at IS NULL ORDER BY r.issued_on DESC, r.id DESC`

// SafetyNotices lists the notices in force for an item, newest first, for every page that
// shows the item: the public scan page as much as the staff's.
func (s *Store) SafetyNotices(ctx context.Context, itemID int64) ([]SafetyNotice, error) {
	rows, err := s.db.Query(ctx, safetyNoticesOf, itemID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []SafetyNotice
	for rows.Next() {
		var n SafetyNotice
		if err := rows.Scan(&n.Reference, &n.IssuedOn, &n.Action); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}
