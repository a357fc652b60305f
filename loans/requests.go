package loans

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"kitloan/accounts"
	"kitloan/internal/db"
	"kitloan/internal/errs"
	"kitloan/inventory"
)

// Request statuses: submitted → approved → allocated → fulfilled, or declined / cancelled.
const (
	Submitted = "submitted"
	Approved  = "approved"
	Allocated = "allocated"
	Fulfilled = "fulfilled"
	Declined  = "declined"
	Cancelled = "cancelled"
)

// RequestStatuses lists them in the order the queue shows them.
var RequestStatuses = []string{Submitted, Approved, Allocated, Fulfilled, Declined, Cancelled}

// Targets are how many working days each priority should take from request to issue.
var Targets = map[string]int{"urgent": 2, "standard": 7}

// Request is a therapist's request for equipment for a child.
type Request struct {
	ID              int64     `json:"id"`
	ChildID         int64     `json:"child_id"`
	ChildName       string    `json:"child_name"`
	TherapistID     int64     `json:"therapist_id"`
	ProductID       int64     `json:"product_id"`
	ProductName     string    `json:"product_name"`
	ProductKind     string    `json:"product_kind"`
	Quantity        int       `json:"quantity"`
	Priority        string    `json:"priority"`
	DeliverTo       string    `json:"deliver_to"`
	DeliveryAddress string    `json:"delivery_address"`
	Reason          string    `json:"reason"`
	NeededBy        *string   `json:"needed_by"`
	Status          string    `json:"status"`
	StatusNote      string    `json:"status_note"`
	RequestedBy     string    `json:"requested_by"`
	CreatedAt       time.Time `json:"created_at"`
	UpdatedAt       time.Time `json:"updated_at"`
	FulfilledAt     *string   `json:"fulfilled_at"`
	Allocated       []string  `json:"allocated"`
	// FreeStock is how many units could be allocated now: available items, or the stock count of a consumable.
	FreeStock int `json:"free_stock"`
	// Waiting is true when an open request cannot be met from free stock.
	Waiting            bool `json:"waiting"`
	WorkingDaysWaiting int  `json:"working_days_waiting"`
	TargetDays         int  `json:"target_days"`
	PastTarget         bool `json:"past_target"`
}

// Open reports whether the store still has work to do on the request.
func (r Request) Open() bool {
	return r.Status == Submitted || r.Status == Approved || r.Status == Allocated
}

// Reference is how people refer to the request.
func (r Request) Reference() string { return Reference("R", r.ID) }

// RequestInput is what a therapist asks for.
type RequestInput struct {
	ChildID         int64  `json:"child_id" validate:"required,gt=0"`
	ProductID       int64  `json:"product_id" validate:"required,gt=0"`
	Quantity        int    `json:"quantity" validate:"gte=0,lte=20"`
	Priority        string `json:"priority" validate:"required,oneof=urgent standard"`
	DeliverTo       string `json:"deliver_to" validate:"required,oneof=home school clinic"`
	DeliveryAddress string `json:"delivery_address" validate:"max=500" text:"multiline"`
	Reason          string `json:"reason" validate:"required,max=2000" text:"multiline"`
	NeededBy        string `json:"needed_by" validate:"omitempty,datetime=2006-01-02"`
}

// RequestFilter selects requests for the queue or a child's page.
type RequestFilter struct {
	Status  string
	ChildID int64
	Open    bool
	Limit   int
	Offset  int
}

// requestConditions is the WHERE clause of the requests the filter selects, on requests r
// and children c, within the user's caseload.
func requestConditions(u accounts.User, f RequestFilter) (string, []any, error) {
	where, args, err := caseloadScope(u)
	if err != nil {
		return "", nil, err
	}
	if f.Status != "" {
		where, args = append(where, "r.status = ?"), append(args, f.Status)
	}
	if f.Open {
		where = append(where, "r.status IN ('submitted', 'approved', 'allocated')")
	}
	if f.ChildID != 0 {
		where, args = append(where, "r.child_id = ?"), append(args, f.ChildID)
	}
	return " WHERE " + strings.Join(where, " AND "), args, nil
}

func (s *Store) countRequests(ctx context.Context, cond string, args []any) (int, error) {
	var total int
	err := s.db.QueryRow(ctx, `SELECT count(*) FROM requests r JOIN children c ON c.id = r.child_id`+cond, args...).Scan(&total)
	return total, err
}

// CountRequests counts the requests the filter selects, up to upTo and one more (see
// db.CountUpTo), without reading them: the home page's cards need only the number, and
// each request's row counts its product's free stock.
func (s *Store) CountRequests(ctx context.Context, u accounts.User, f RequestFilter, upTo int) (int, error) {
	cond, args, err := requestConditions(u, f)
	if err != nil {
		return 0, err
	}
	return s.db.CountUpTo(ctx, `FROM requests r JOIN children c ON c.id = r.child_id`+cond, args, upTo)
}

const requestSelect = `SELECT r.id, r.child_id, c.given_name || ' ' || c.family_name, c.therapist_id, r.product_id, p.name, p.size, p.kind,
	r.quantity, r.priority, r.deliver_to, r.delivery_address, r.reason, r.needed_by, r.status, r.status_note, u.name,
	r.created_at, r.updated_at, r.fulfilled_at,
	CASE WHEN p.kind = 'consumable' THEN p.stock ELSE (SELECT count(*) FROM items i WHERE i.product_id = p.id AND i.status = 'available') END,
	(SELECT group_concat(i.tag, ' ') FROM allocations a JOIN items i ON i.id = a.item_id WHERE a.request_id = r.id)
	FROM requests r JOIN children c ON c.id = r.child_id JOIN products p ON p.id = r.product_id JOIN users u ON u.id = r.requested_by`

func (s *Store) scanRequest(r interface{ Scan(...any) error }, now time.Time) (Request, error) {
	var q Request
	var size, created, updated string
	var allocated sql.NullString
	err := r.Scan(&q.ID, &q.ChildID, &q.ChildName, &q.TherapistID, &q.ProductID, &q.ProductName, &size, &q.ProductKind,
		&q.Quantity, &q.Priority, &q.DeliverTo, &q.DeliveryAddress, &q.Reason, &q.NeededBy, &q.Status, &q.StatusNote, &q.RequestedBy,
		&created, &updated, &q.FulfilledAt, &q.FreeStock, &allocated)
	if err != nil {
		return q, err
	}
	if size != "" {
		q.ProductName += " (" + size + ")"
	}
	q.CreatedAt, q.UpdatedAt = ParseStamp(created), ParseStamp(updated)
	q.Allocated = []string{}
	if allocated.Valid && allocated.String != "" {
		q.Allocated = strings.Fields(allocated.String)
	}
	end := now
	if q.FulfilledAt != nil {
		end = ParseStamp(*q.FulfilledAt)
	} else if !q.Open() {
		end = q.UpdatedAt
	}
	q.WorkingDaysWaiting = workingDays(q.CreatedAt, end)
	q.TargetDays = Targets[q.Priority]
	q.PastTarget = q.WorkingDaysWaiting > q.TargetDays
	q.Waiting = q.Open() && q.ProductKind == inventory.Returnable && q.FreeStock < q.Quantity-len(q.Allocated) ||
		q.Open() && q.ProductKind == inventory.Consumable && q.FreeStock < q.Quantity
	return q, nil
}

// requestFor reads a request the user may see: a therapist sees requests for their own children.
func (s *Store) requestFor(q db.Querier, u accounts.User, id int64, now time.Time) (Request, error) {
	r, err := s.scanRequest(q.QueryRow(requestSelect+` WHERE r.id = ?`, id), now)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !canSee(u, r.TherapistID)) {
		return Request{}, errs.Errorf(errs.NotFound, "There is no request %d, or it is not for a child on your caseload.", id)
	}
	return r, err
}

// Request returns one request.
func (s *Store) Request(ctx context.Context, u accounts.User, id int64) (Request, error) {
	return s.requestFor(s.db.Reader(ctx), u, id, s.db.Now())
}

// RequestHistory lists a request's events, newest first, if the user may see the child it
// is for.
func (s *Store) RequestHistory(ctx context.Context, u accounts.User, id int64, limit, offset int) ([]db.Event, int, error) {
	if _, err := s.Request(ctx, u, id); err != nil {
		return nil, 0, err
	}
	return s.db.Events(ctx, db.EntityRequest, id, db.PageSize(limit), offset)
}

// Requests lists requests: urgent first, then oldest first, as the store works the queue.
func (s *Store) Requests(ctx context.Context, u accounts.User, f RequestFilter) ([]Request, int, error) {
	cond, args, err := requestConditions(u, f)
	if err != nil {
		return nil, 0, err
	}
	total, err := s.countRequests(ctx, cond, args)
	if err != nil {
		return nil, 0, err
	}
	rows, err := s.db.Query(ctx, requestSelect+cond+` ORDER BY r.priority = 'urgent' DESC, r.created_at, r.id LIMIT ? OFFSET ?`,
		append(args, db.PageSize(f.Limit), f.Offset)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	now := s.db.Now()
	var out []Request
	for rows.Next() {
		r, err := s.scanRequest(rows, now)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, r)
	}
	return out, total, rows.Err()
}

// CreateRequest records a therapist's request for a child on their caseload.
func (s *Store) CreateRequest(ctx context.Context, u accounts.User, in RequestInput) (Request, error) {
	in.Reason, in.DeliveryAddress = strings.TrimSpace(in.Reason), strings.TrimSpace(in.DeliveryAddress)
	if in.Quantity == 0 {
		in.Quantity = 1
	}
	if err := errs.Validate(in); err != nil {
		return Request{}, err
	}
	if in.NeededBy != "" && in.NeededBy < s.db.Now().Format(db.DateLayout) {
		return Request{}, errs.Field("needed_by", "must be today or later")
	}
	// A request is for the coming months: a date years out is a mistyped year.
	if err := errs.DateWithin("needed_by", in.NeededBy, time.Time{}, s.db.Now().AddDate(2, 0, 0)); err != nil {
		return Request{}, err
	}
	var id int64
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		child, err := ChildFor(tx, u, in.ChildID)
		if errs.CodeOf(err) == errs.NotFound {
			return errs.Field("child_id", "is not a child on your caseload")
		}
		if err != nil {
			return err
		}
		if child.DischargedOn != nil {
			return errs.Field("child_id", child.Name()+" has been discharged: equipment cannot be requested for them")
		}
		var kind string
		if err := tx.QueryRow(`SELECT kind FROM products WHERE id = ?`, in.ProductID).Scan(&kind); errors.Is(err, sql.ErrNoRows) {
			return errs.Field("product_id", "there is no product "+strconv.FormatInt(in.ProductID, 10))
		} else if err != nil {
			return err
		}
		if in.DeliveryAddress == "" {
			in.DeliveryAddress = child.Address
			if in.DeliverTo == School {
				in.DeliveryAddress = strings.TrimSpace(child.Setting + "\n" + child.SettingAddress)
			}
		}
		var needed any
		if in.NeededBy != "" {
			needed = in.NeededBy
		}
		if err := tx.QueryRow(`INSERT INTO requests (child_id, product_id, quantity, priority, deliver_to, delivery_address, reason,
			needed_by, status, requested_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'submitted', ?, ?, ?) RETURNING id`,
			in.ChildID, in.ProductID, in.Quantity, in.Priority, in.DeliverTo, in.DeliveryAddress, in.Reason, needed, u.ID,
			tx.Stamp(), tx.Stamp()).Scan(&id); err != nil {
			return err
		}
		return db.RecordEvent(tx, db.EntityRequest, id, db.ActionSubmitted, map[string]any{"child_id": in.ChildID, "product_id": in.ProductID, "priority": in.Priority})
	})
	if err != nil {
		return Request{}, err
	}
	return s.Request(ctx, u, id)
}

// requestEvents names the request's event for each status it can move on to.
var requestEvents = map[string]db.Action{Approved: db.ActionApproved, Allocated: db.ActionAllocated,
	Fulfilled: db.ActionFulfilled, Declined: db.ActionDeclined, Cancelled: db.ActionCancelled}

// setRequestStatus moves a request on, refusing moves from any status not in from.
func setRequestStatus(tx *db.Tx, r Request, to, note string, from ...string) error {
	ok := false
	for _, f := range from {
		ok = ok || r.Status == f
	}
	if !ok {
		return errs.Errorf(errs.Conflict, "Request %s is %s, so it cannot be %s.", r.Reference(), r.Status, to)
	}
	fulfilled := any(nil)
	if to == Fulfilled {
		fulfilled = tx.Stamp()
	}
	if _, err := tx.Exec(`UPDATE requests SET status = ?, status_note = ?, updated_at = ?, fulfilled_at = coalesce(?, fulfilled_at) WHERE id = ?`,
		to, note, tx.Stamp(), fulfilled, r.ID); err != nil {
		return err
	}
	details := map[string]any{"from": r.Status, "to": to}
	if note != "" {
		details["note"] = note
	}
	return db.RecordEvent(tx, db.EntityRequest, r.ID, requestEvents[to], details)
}

// changeRequest runs fn on a request inside one transaction and returns it afterwards.
func (s *Store) changeRequest(ctx context.Context, u accounts.User, id int64, fn func(tx *db.Tx, r Request) error) (Request, error) {
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		r, err := s.requestFor(tx, u, id, tx.Now)
		if err != nil {
			return err
		}
		return fn(tx, r)
	})
	if err != nil {
		return Request{}, err
	}
	return s.Request(ctx, u, id)
}

// ApproveRequest accepts a submitted request: the store will meet it.
func (s *Store) ApproveRequest(ctx context.Context, u accounts.User, id int64) (Request, error) {
	return s.changeRequest(ctx, u, id, func(tx *db.Tx, r Request) error {
		return setRequestStatus(tx, r, Approved, "", Submitted)
	})
}

// DeclineRequest refuses a request, with the reason the therapist will read.
func (s *Store) DeclineRequest(ctx context.Context, u accounts.User, id int64, reason string) (Request, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return Request{}, errs.Field("reason", "is required: tell the therapist why")
	}
	if len(reason) > 2000 {
		return Request{}, errs.Field("reason", "must be at most 2000 characters")
	}
	if err := errs.CheckText("reason", reason, true); err != nil {
		return Request{}, err
	}
	return s.changeRequest(ctx, u, id, func(tx *db.Tx, r Request) error {
		if err := releaseAll(tx, r); err != nil {
			return err
		}
		return setRequestStatus(tx, r, Declined, reason, Submitted, Approved, Allocated)
	})
}

// CancelRequest withdraws a request; a therapist cancels their own, the store any.
func (s *Store) CancelRequest(ctx context.Context, u accounts.User, id int64, reason string) (Request, error) {
	reason = strings.TrimSpace(reason)
	if len(reason) > 2000 {
		return Request{}, errs.Field("reason", "must be at most 2000 characters")
	}
	if err := errs.CheckText("reason", reason, true); err != nil {
		return Request{}, err
	}
	return s.changeRequest(ctx, u, id, func(tx *db.Tx, r Request) error {
		if err := releaseAll(tx, r); err != nil {
			return err
		}
		return setRequestStatus(tx, r, Cancelled, reason, Submitted, Approved, Allocated)
	})
}

// releaseAll frees every item reserved for a request.
func releaseAll(tx *db.Tx, r Request) error {
	for _, tag := range r.Allocated {
		if err := release(tx, r, tag); err != nil {
			return err
		}
	}
	return nil
}

func release(tx *db.Tx, r Request, tag string) error {
	it, err := inventory.Transition(tx, tag, inventory.Release, map[string]any{"request_id": r.ID})
	if err != nil {
		return err
	}
	_, err = tx.Exec(`DELETE FROM allocations WHERE item_id = ? AND request_id = ?`, it.ID, r.ID)
	return err
}

// AllocateItems reserves the items with the given tags for an approved request. Every tag
// must be a free unit of the requested product; any that is not refuses the lot.
func (s *Store) AllocateItems(ctx context.Context, u accounts.User, id int64, tags []string) (Request, error) {
	tags, err := cleanTags(tags)
	if err != nil {
		return Request{}, err
	}
	return s.changeRequest(ctx, u, id, func(tx *db.Tx, r Request) error {
		if r.ProductKind != inventory.Returnable {
			return errs.Errorf(errs.Conflict, "%s is a consumable: issue it to the child instead of allocating labelled items.", r.ProductName)
		}
		if r.Status == Submitted {
			return errs.Errorf(errs.Conflict, "Approve request %s before allocating items to it.", r.Reference())
		}
		if r.Status != Approved && r.Status != Allocated {
			return errs.Errorf(errs.Conflict, "Request %s is %s, so items cannot be allocated to it.", r.Reference(), r.Status)
		}
		if len(r.Allocated)+len(tags) > r.Quantity {
			return errs.Field("tags", fmt.Sprintf("the request is for %d and %d already allocated: allocate at most %d more", r.Quantity, len(r.Allocated), r.Quantity-len(r.Allocated)))
		}
		problems := errs.FieldsError{}
		for _, tag := range tags {
			var productID int64
			if err := tx.QueryRow(`SELECT product_id FROM items WHERE tag = ?`, tag).Scan(&productID); errors.Is(err, sql.ErrNoRows) {
				problems.Add(tag, "there is no item with this tag")
				continue
			} else if err != nil {
				return err
			}
			if productID != r.ProductID {
				problems.Add(tag, "is not a "+r.ProductName)
				continue
			}
			it, err := inventory.Transition(tx, tag, inventory.Allocate, map[string]any{"request_id": r.ID})
			if err != nil {
				if e := errs.As(err); e.Code == errs.Conflict {
					problems.Add(tag, e.Fields["tag"])
					continue
				}
				return err
			}
			if _, err := tx.Exec(`INSERT INTO allocations (item_id, request_id, created_at) VALUES (?, ?, ?)`, it.ID, r.ID, tx.Stamp()); err != nil {
				return err
			}
		}
		if err := itemProblems(problems, "allocated"); err != nil {
			return err
		}
		if len(r.Allocated)+len(tags) == r.Quantity {
			return setRequestStatus(tx, r, Allocated, "", Approved, Allocated)
		}
		return nil
	})
}

// ReleaseItem gives back one item reserved for a request; it becomes available again.
func (s *Store) ReleaseItem(ctx context.Context, u accounts.User, id int64, tag string) (Request, error) {
	tag = inventory.NormalizeTag(tag)
	return s.changeRequest(ctx, u, id, func(tx *db.Tx, r Request) error {
		found := false
		for _, t := range r.Allocated {
			found = found || t == tag
		}
		if !found {
			return errs.Field("tag", tag+" is not allocated to request "+r.Reference())
		}
		if err := release(tx, r, tag); err != nil {
			return err
		}
		if r.Status == Allocated {
			return setRequestStatus(tx, r, Approved, "item released", Allocated)
		}
		return nil
	})
}

// cleanTags normalises scanned tags and refuses an empty list or the same tag twice.
func cleanTags(tags []string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, t := range tags {
		t = inventory.NormalizeTag(t)
		if t == "" {
			continue
		}
		if seen[t] {
			return nil, errs.Field("tags", t+" is listed twice")
		}
		seen[t] = true
		out = append(out, t)
	}
	if len(out) == 0 {
		return nil, errs.Field("tags", "scan or type at least one tag")
	}
	if len(out) > 100 {
		return nil, errs.Field("tags", "at most 100 items at once")
	}
	return out, nil
}

// itemProblems turns per-item problems into one conflict naming each item and why.
func itemProblems(problems errs.FieldsError, verb string) error {
	if len(problems) == 0 {
		return nil
	}
	var parts []string
	for tag, why := range problems {
		parts = append(parts, tag+": "+why)
	}
	slices.Sort(parts)
	return &errs.Error{Code: errs.Conflict,
		Message: "Nothing was " + verb + ", because " + strings.Join(parts, "; ") + ".",
		Fields:  map[string]string(problems)}
}
