package loans

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"kitloan/accounts"
	"kitloan/internal/db"
	"kitloan/internal/errs"
	"kitloan/inventory"
)

// ConsumableIssue is a quantity of a consumable given to a child for keeps.
type ConsumableIssue struct {
	ID          int64  `json:"id"`
	ProductID   int64  `json:"product_id"`
	ProductName string `json:"product_name"`
	ChildID     int64  `json:"child_id"`
	Quantity    int    `json:"quantity"`
	IssuedOn    string `json:"issued_on"`
	IssuedBy    string `json:"issued_by"`
	StockAfter  int    `json:"stock_after"`
}

// ConsumableInput issues a consumable to a child.
type ConsumableInput struct {
	ProductID int64  `json:"product_id" validate:"required,gt=0"`
	ChildID   int64  `json:"child_id" validate:"required,gt=0"`
	Quantity  int    `json:"quantity" validate:"required,gte=1,lte=1000"`
	RequestID *int64 `json:"request_id"`
}

// IssueConsumable gives a child some of a consumable's stock; a shortfall is a conflict
// and changes nothing. Issued against a request, the request is fulfilled.
func (s *Store) IssueConsumable(ctx context.Context, u accounts.User, in ConsumableInput) (ConsumableIssue, error) {
	if err := errs.Validate(in); err != nil {
		return ConsumableIssue{}, err
	}
	var out ConsumableIssue
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		child, err := ChildFor(tx, u, in.ChildID)
		if errs.CodeOf(err) == errs.NotFound {
			return errs.Field("child_id", "there is no child "+strconv.FormatInt(in.ChildID, 10))
		}
		if err != nil {
			return err
		}
		var name, kind string
		var stock int
		err = tx.QueryRow(`SELECT name, kind, stock FROM products WHERE id = ?`, in.ProductID).Scan(&name, &kind, &stock)
		if errors.Is(err, sql.ErrNoRows) {
			return errs.Field("product_id", "there is no product "+strconv.FormatInt(in.ProductID, 10))
		}
		if err != nil {
			return err
		}
		if kind != inventory.Consumable {
			return errs.Field("product_id", name+" is returnable: lend labelled items on a loan instead")
		}
		if stock < in.Quantity {
			return &errs.Error{Code: errs.Conflict, Message: fmt.Sprintf("Only %d of %s in stock; %d asked for.", stock, name, in.Quantity),
				Fields: map[string]string{"quantity": fmt.Sprintf("only %d in stock", stock)}}
		}
		if _, err := tx.Exec(`UPDATE products SET stock = stock - ?, updated_at = ? WHERE id = ?`, in.Quantity, tx.Stamp(), in.ProductID); err != nil {
			return err
		}
		if err := tx.QueryRow(`INSERT INTO consumable_issues (product_id, child_id, quantity, issued_on, issued_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, in.ProductID, child.ID, in.Quantity, tx.Today(), NullID(u.ID), tx.Stamp()).Scan(&out.ID); err != nil {
			return err
		}
		if in.RequestID != nil {
			r, err := s.requestFor(tx, u, *in.RequestID, tx.Now)
			if err != nil || r.ChildID != child.ID || r.ProductID != in.ProductID {
				return errs.Field("request_id", "is not an open request of this child for this product")
			}
			if err := setRequestStatus(tx, r, Fulfilled, fmt.Sprintf("%d issued", in.Quantity), Submitted, Approved); err != nil {
				return err
			}
		}
		out = ConsumableIssue{ID: out.ID, ProductID: in.ProductID, ProductName: name, ChildID: child.ID, Quantity: in.Quantity,
			IssuedOn: tx.Today(), IssuedBy: u.Name, StockAfter: stock - in.Quantity}
		if err := db.RecordEvent(tx, db.EntityChild, child.ID, db.ActionConsumableIssued, map[string]any{"product": name, "quantity": in.Quantity}); err != nil {
			return err
		}
		return db.RecordEvent(tx, db.EntityProduct, in.ProductID, db.ActionIssued, map[string]any{"child_id": child.ID, "quantity": in.Quantity, "stock_after": out.StockAfter})
	})
	return out, err
}

// Stock adjustment kinds: stock received, a count that sets the stock, and a write-off.
const (
	Received   = "received"
	Counted    = "counted"
	WrittenOff = "written_off"
)

// stockEvents names the product's event for each kind of stock adjustment.
var stockEvents = map[string]db.Action{Received: db.ActionStockReceived, Counted: db.ActionStockCounted, WrittenOff: db.ActionStockWrittenOff}

// StockAdjustment changes a consumable's stock, with a reason.
type StockAdjustment struct {
	Kind     string `json:"kind" validate:"required,oneof=received counted written_off"`
	Quantity int    `json:"quantity" validate:"gte=0,lte=1000000"`
	Reason   string `json:"reason" validate:"required,max=500" text:"multiline"`
}

// AdjustStock records stock received, counted or written off, and returns the new stock.
func (s *Store) AdjustStock(ctx context.Context, productID int64, in StockAdjustment) (int, error) {
	in.Reason = strings.TrimSpace(in.Reason)
	if err := errs.Validate(in); err != nil {
		return 0, err
	}
	if in.Kind != Counted && in.Quantity == 0 {
		return 0, errs.Field("quantity", "must be at least 1")
	}
	var after int
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		var stock int
		var kind string
		err := tx.QueryRow(`SELECT stock, kind FROM products WHERE id = ?`, productID).Scan(&stock, &kind)
		if errors.Is(err, sql.ErrNoRows) {
			return errs.Errorf(errs.NotFound, "There is no product %d.", productID)
		}
		if err != nil {
			return err
		}
		if kind != inventory.Consumable {
			return errs.Field("kind", "only a consumable's stock is counted; add or retire labelled items instead")
		}
		switch in.Kind {
		case Received:
			after = stock + in.Quantity
		case Counted:
			after = in.Quantity
		case WrittenOff:
			if in.Quantity > stock {
				return &errs.Error{Code: errs.Conflict, Message: fmt.Sprintf("Only %d in stock: cannot write off %d.", stock, in.Quantity),
					Fields: map[string]string{"quantity": fmt.Sprintf("only %d in stock", stock)}}
			}
			after = stock - in.Quantity
		}
		if _, err := tx.Exec(`UPDATE products SET stock = ?, updated_at = ? WHERE id = ?`, after, tx.Stamp(), productID); err != nil {
			return err
		}
		a := db.ActorFrom(ctx)
		if _, err := tx.Exec(`INSERT INTO stock_adjustments (product_id, kind, change, stock_after, reason, at, by_user) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			productID, in.Kind, after-stock, after, in.Reason, tx.Stamp(), NullID(a.UserID)); err != nil {
			return err
		}
		return db.RecordEvent(tx, db.EntityProduct, productID, stockEvents[in.Kind], map[string]any{"change": after - stock, "stock_after": after, "reason": in.Reason})
	})
	return after, err
}

// ChildEquipment is everything a child holds and has ever had.
type ChildEquipment struct {
	Loans       []Loan            `json:"loans"`
	Consumables []ConsumableIssue `json:"consumables"`
}

// Equipment lists a child's loans (open first) and consumables, for their page.
func (s *Store) Equipment(ctx context.Context, u accounts.User, childID int64) (ChildEquipment, error) {
	var out ChildEquipment
	if _, err := ChildFor(s.db.Reader(ctx), u, childID); err != nil {
		return out, err
	}
	ls, _, err := s.Loans(ctx, u, LoanFilter{ChildID: childID, Limit: 500})
	if err != nil {
		return out, err
	}
	out.Loans = ls
	rows, err := s.db.Query(ctx, `SELECT ci.id, ci.product_id, p.name, ci.child_id, ci.quantity, ci.issued_on, coalesce(u.name, 'system')
		FROM consumable_issues ci JOIN products p ON p.id = ci.product_id LEFT JOIN users u ON u.id = ci.issued_by
		WHERE ci.child_id = ? ORDER BY ci.id DESC`, childID)
	if err != nil {
		return out, err
	}
	defer rows.Close()
	for rows.Next() {
		var c ConsumableIssue
		if err := rows.Scan(&c.ID, &c.ProductID, &c.ProductName, &c.ChildID, &c.Quantity, &c.IssuedOn, &c.IssuedBy); err != nil {
			return out, err
		}
		out.Consumables = append(out.Consumables, c)
	}
	return out, rows.Err()
}

// Today is the store's date, for pages that show ages and due dates.
func (s *Store) Today() string { return s.db.Now().Format(db.DateLayout) }
