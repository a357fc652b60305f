package loans

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"kitloan/accounts"
	"kitloan/internal/db"
	"kitloan/internal/errs"
	"kitloan/inventory"
)

// Loan is equipment in a child's hands.
type Loan struct {
	ID                    int64      `json:"id"`
	Reference             string     `json:"reference"`
	ChildID               int64      `json:"child_id"`
	ChildName             string     `json:"child_name"`
	ChildDateOfBirth      string     `json:"-"`
	TherapistID           int64      `json:"therapist_id"`
	Setting               string     `json:"setting"`
	RequestID             *int64     `json:"request_id"`
	Location              string     `json:"location"`
	Address               string     `json:"address"`
	Recipient             string     `json:"recipient"`
	RecipientRelationship string     `json:"recipient_relationship"`
	ReviewDate            string     `json:"review_date"`
	ReturnDate            *string    `json:"return_date"`
	IssuedAt              time.Time  `json:"issued_at"`
	IssuedBy              string     `json:"issued_by"`
	ClosedAt              *time.Time `json:"closed_at"`
	Status                string     `json:"status"`
	Items                 []LoanItem `json:"items"`
}

// ReviewOverdue reports whether an open loan's review date has passed.
func (l Loan) ReviewOverdue(today string) bool { return l.ClosedAt == nil && l.ReviewDate < today }

// LoanItem is one item of a loan, returned on its own date.
type LoanItem struct {
	ItemID          int64            `json:"-"`
	Tag             string           `json:"tag"`
	Product         string           `json:"product"`
	Serial          string           `json:"serial"`
	Status          inventory.Status `json:"status"`
	IssuedCondition string           `json:"issued_condition"`
	ReturnedAt      *time.Time       `json:"returned_at"`
	ReturnCondition *string          `json:"return_condition"`
	// AwaitingCleaning is set while a returned item waits to be cleaned before inspection.
	AwaitingCleaning bool `json:"-"`
}

// StateLabel is the item's status in words, saying what a returned item waits for.
func (li LoanItem) StateLabel() string { return inventory.StateLabel(li.Status, li.AwaitingCleaning) }

// Out reports whether the item is still with the child (or lost from the loan).
func (li LoanItem) Out() bool { return li.ReturnedAt == nil }

// LoanInput issues items to a child.
type LoanInput struct {
	ChildID               int64    `json:"child_id" validate:"required,gt=0"`
	Tags                  []string `json:"tags"`
	RequestID             *int64   `json:"request_id"`
	Location              string   `json:"location" validate:"required,oneof=home school clinic"`
	Address               string   `json:"address" validate:"max=500" text:"multiline"`
	Recipient             string   `json:"recipient" validate:"required,max=200"`
	RecipientRelationship string   `json:"recipient_relationship" validate:"max=100"`
	ReviewDate            string   `json:"review_date" validate:"omitempty,datetime=2006-01-02"`
	ReturnDate            string   `json:"return_date" validate:"omitempty,datetime=2006-01-02"`
}

// ReturnLine books one item back in with the condition it came back in.
type ReturnLine struct {
	Tag       string `json:"tag"`
	Condition string `json:"condition"`
}

// LoanFilter selects loans for a list.
type LoanFilter struct {
	ChildID     int64
	TherapistID int64
	Setting     string
	// Active keeps loans with items still out; ReviewWithinDays keeps active loans whose review
	// falls within that many days from today, overdue ones included.
	Active           bool
	ReviewWithinDays int
	Overdue          bool
	Limit            int
	Offset           int
	// CountUpTo stops counting past this many (0 counts them all): a list page of a
	// county's 20,000 open loans says "more than 1,000" rather than count each one.
	CountUpTo int
}

// openOnly reports whether the filter keeps open loans alone.
func (f LoanFilter) openOnly() bool { return f.Active || f.ReviewWithinDays > 0 || f.Overdue }

const loanSelect = `SELECT l.id, l.child_id, c.given_name || ' ' || c.family_name, c.date_of_birth, c.therapist_id, c.setting, l.request_id,
	l.location, l.address, l.recipient, l.recipient_relationship, l.review_date, l.return_date, l.issued_at,
	coalesce(u.name, 'system'), l.closed_at
	FROM loans l JOIN children c ON c.id = l.child_id LEFT JOIN users u ON u.id = l.issued_by`

func scanLoan(r interface{ Scan(...any) error }) (Loan, error) {
	var l Loan
	var issued string
	var closed sql.NullString
	err := r.Scan(&l.ID, &l.ChildID, &l.ChildName, &l.ChildDateOfBirth, &l.TherapistID, &l.Setting, &l.RequestID, &l.Location, &l.Address,
		&l.Recipient, &l.RecipientRelationship, &l.ReviewDate, &l.ReturnDate, &issued, &l.IssuedBy, &closed)
	l.Reference = Reference("L", l.ID)
	l.IssuedAt = ParseStamp(issued)
	l.Status = "open"
	if closed.Valid {
		t := ParseStamp(closed.String)
		l.ClosedAt = &t
		l.Status = "closed"
	}
	return l, err
}

// loanFor reads a loan with its items, if the user may see the child it is for.
func loanFor(q db.Querier, ctx context.Context, u accounts.User, id int64) (Loan, error) {
	l, err := loanHeaderFor(q, u, id)
	if err != nil {
		return l, err
	}
	rows, err := q.QueryContext(ctx, `SELECT `+loanItemColumns+`
		FROM loan_items li JOIN items i ON i.id = li.item_id JOIN products p ON p.id = i.product_id
		WHERE li.loan_id = ? ORDER BY i.tag`, id)
	if err != nil {
		return l, err
	}
	defer rows.Close()
	for rows.Next() {
		li, err := scanLoanItem(rows)
		if err != nil {
			return l, err
		}
		l.Items = append(l.Items, li)
	}
	return l, rows.Err()
}

// loanHeaderFor reads a loan without its items: who has it, where, and until when.
func loanHeaderFor(q db.Querier, u accounts.User, id int64) (Loan, error) {
	l, err := scanLoan(q.QueryRow(loanSelect+` WHERE l.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !canSee(u, l.TherapistID)) {
		return Loan{}, errs.Errorf(errs.NotFound, "There is no loan %d, or it is not for a child on your caseload.", id)
	}
	return l, err
}

// loanItemColumns are a loan item's columns as scanLoanItem reads them.
const loanItemColumns = `i.id, i.tag, p.name, p.size, i.serial, i.status, li.issued_condition, li.returned_at, li.return_condition, i.awaiting_cleaning`

// scanLoanItem reads a loan item row, after any lead columns (such as its loan's id).
func scanLoanItem(r interface{ Scan(...any) error }, lead ...any) (LoanItem, error) {
	var li LoanItem
	var size string
	var returned sql.NullString
	if err := r.Scan(append(lead, &li.ItemID, &li.Tag, &li.Product, &size, &li.Serial, &li.Status, &li.IssuedCondition, &returned, &li.ReturnCondition, &li.AwaitingCleaning)...); err != nil {
		return li, err
	}
	if size != "" {
		li.Product += " (" + size + ")"
	}
	if returned.Valid {
		t := ParseStamp(returned.String)
		li.ReturnedAt = &t
	}
	return li, nil
}

// Loan returns one loan with its items.
func (s *Store) Loan(ctx context.Context, u accounts.User, id int64) (Loan, error) {
	return loanFor(s.db.Reader(ctx), ctx, u, id)
}

// LoanHistory lists a loan's events, newest first, if the user may see the child it is for.
func (s *Store) LoanHistory(ctx context.Context, u accounts.User, id int64, limit, offset int) ([]db.Event, int, error) {
	if _, err := loanHeaderFor(s.db.Reader(ctx), u, id); err != nil {
		return nil, 0, err
	}
	return s.db.Events(ctx, db.EntityLoan, id, db.PageSize(limit), offset)
}

// IssueLoan lends items to a child in one transaction: every item is issued or none is,
// and the refusal names each item that could not be issued and why. Issued from a
// request, the request is fulfilled and the items reserved for it may be used.
func (s *Store) IssueLoan(ctx context.Context, u accounts.User, in LoanInput) (Loan, error) {
	in.Recipient, in.Address, in.RecipientRelationship = strings.TrimSpace(in.Recipient), strings.TrimSpace(in.Address), strings.TrimSpace(in.RecipientRelationship)
	if err := errs.Validate(in); err != nil {
		return Loan{}, err
	}
	tags, err := cleanTags(in.Tags)
	if err != nil {
		return Loan{}, err
	}
	today := s.db.Now().Format(db.DateLayout)
	if in.ReviewDate != "" && in.ReviewDate < today {
		return Loan{}, errs.Field("review_date", "must be today or later")
	}
	if in.ReturnDate != "" && in.ReturnDate < today {
		return Loan{}, errs.Field("return_date", "must be today or later")
	}
	if err := loanDatesWithin(s.db.Now(), in.ReviewDate, in.ReturnDate); err != nil {
		return Loan{}, err
	}
	var id int64
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		child, err := ChildFor(tx, u, in.ChildID)
		if errs.CodeOf(err) == errs.NotFound {
			return errs.Field("child_id", "there is no child "+strconv.FormatInt(in.ChildID, 10))
		}
		if err != nil {
			return err
		}
		var req *Request
		if in.RequestID != nil {
			r, err := s.requestFor(tx, u, *in.RequestID, tx.Now)
			if errs.CodeOf(err) == errs.NotFound {
				return errs.Field("request_id", "there is no request "+strconv.FormatInt(*in.RequestID, 10))
			}
			if err != nil {
				return err
			}
			req = &r
		}
		if err := issuable(child, req); err != nil {
			return err
		}
		if in.Address == "" {
			in.Address = addressAt(child, in.Location)
		}
		if in.ReviewDate == "" {
			if in.ReviewDate, err = defaultReviewDate(tx, tags); err != nil {
				return err
			}
		}
		var ret any
		if in.ReturnDate != "" {
			ret = in.ReturnDate
		}
		if err := tx.QueryRow(`INSERT INTO loans (child_id, request_id, location, address, recipient, recipient_relationship, review_date,
			return_date, issued_at, issued_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			child.ID, in.RequestID, in.Location, in.Address, in.Recipient, in.RecipientRelationship, in.ReviewDate, ret,
			tx.Stamp(), NullID(u.ID)).Scan(&id); err != nil {
			return err
		}
		problems := errs.FieldsError{}
		for _, tag := range tags {
			if err := issueItem(tx, id, req, tag); err != nil {
				if e := errs.As(err); e.Code == errs.Conflict || e.Code == errs.NotFound {
					problems.Add(tag, firstNonEmpty(e.Fields["tag"], e.Message))
					continue
				}
				return err
			}
		}
		if err := itemProblems(problems, "issued"); err != nil {
			return err
		}
		if req != nil {
			if err := setRequestStatus(tx, *req, Fulfilled, Reference("L", id), Approved, Allocated); err != nil {
				return err
			}
		}
		return db.RecordEvent(tx, db.EntityLoan, id, db.ActionIssued, map[string]any{"child_id": child.ID, "tags": tags, "location": in.Location})
	})
	if err != nil {
		return Loan{}, err
	}
	return s.Loan(ctx, u, id)
}

// IssueTarget reads the child equipment is to be issued to, or with a request (requestID
// not 0) the request and its child, and refuses them as IssueLoan would, so that the
// issue form says so before anything is scanned.
func (s *Store) IssueTarget(ctx context.Context, u accounts.User, childID, requestID int64) (Child, *Request, error) {
	var req *Request
	if requestID != 0 {
		r, err := s.Request(ctx, u, requestID)
		if err != nil {
			return Child{}, nil, err
		}
		req, childID = &r, r.ChildID
	}
	child, err := s.Child(ctx, u, childID)
	if err != nil {
		return Child{}, nil, err
	}
	return child, req, issuable(child, req)
}

// issuable refuses to lend to a discharged child, or against a request (nil: none) that is
// for another child, not yet approved, closed, or for a consumable, which is given to keep
// from the request's page rather than lent.
func issuable(child Child, req *Request) error {
	refuse := func(field, problem, message string) error {
		return &errs.Error{Code: errs.Conflict, Message: message, Fields: map[string]string{field: problem}}
	}
	switch {
	case req != nil && req.ChildID != child.ID:
		return errs.Field("request_id", "request "+req.Reference()+" is for another child")
	case req != nil && (!req.Open() || req.Status == Submitted):
		status, next := strings.ToLower(req.StatusLabel()), "it is closed"
		if req.Open() {
			next = "approve it first"
		}
		return refuse("request_id", "is "+status+": "+next, "Request "+req.Reference()+" is "+status+", so nothing can be issued against it: "+next+".")
	case req != nil && !req.Returnable():
		return refuse("request_id", "is for a consumable: issue it from the request’s page", req.ProductName+" is a consumable: issue it from request "+req.Reference()+"’s page.")
	case child.DischargedOn != nil:
		on, err := time.Parse(db.DateLayout, *child.DischargedOn)
		day := on.Format("2 Jan 2006")
		if err != nil {
			day = *child.DischargedOn
		}
		return refuse("child_id", "was discharged on "+day, child.Name()+" was discharged on "+day+", so equipment cannot be issued to them.")
	}
	return nil
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// NullID is an id as a query argument: NULL when there is none (0).
func NullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// issueItem puts one item on the loan. An item reserved for a request can only be issued
// against that request.
func issueItem(tx *db.Tx, loanID int64, req *Request, tag string) error {
	var itemID int64
	var reservedFor sql.NullInt64
	err := tx.QueryRow(`SELECT i.id, a.request_id FROM items i LEFT JOIN allocations a ON a.item_id = i.id WHERE i.tag = ?`, tag).Scan(&itemID, &reservedFor)
	if errors.Is(err, sql.ErrNoRows) {
		return &errs.Error{Code: errs.NotFound, Message: "there is no item with this tag", Fields: map[string]string{"tag": "there is no item with this tag"}}
	}
	if err != nil {
		return err
	}
	if reservedFor.Valid && (req == nil || req.ID != reservedFor.Int64) {
		why := "is reserved for request " + Reference("R", reservedFor.Int64)
		return &errs.Error{Code: errs.Conflict, Message: tag + " " + why, Fields: map[string]string{"tag": tag + " " + why}}
	}
	it, err := inventory.Transition(tx, tag, inventory.Issue, map[string]any{"loan_id": loanID})
	if err != nil {
		return err
	}
	if _, err := tx.Exec(`DELETE FROM allocations WHERE item_id = ?`, itemID); err != nil {
		return err
	}
	_, err = tx.Exec(`INSERT INTO loan_items (loan_id, item_id, issued_condition) VALUES (?, ?, ?)`, loanID, itemID, it.Condition)
	return err
}

// defaultReviewDate is the soonest review of the items' categories (seating: 6 months).
func defaultReviewDate(tx *db.Tx, tags []string) (string, error) {
	months := 12
	for _, tag := range tags {
		var m int
		err := tx.QueryRow(`SELECT c.review_months FROM items i JOIN products p ON p.id = i.product_id JOIN categories c ON c.id = p.category_id WHERE i.tag = ?`, tag).Scan(&m)
		if err == nil && m > 0 && m < months {
			months = m
		}
	}
	return tx.Now.AddDate(0, months, 0).Format(db.DateLayout), nil
}

// ReturnItems books items of a loan back in, each with its return condition; they go to
// `returned`, awaiting cleaning and inspection. The loan closes when all its items are back.
func (s *Store) ReturnItems(ctx context.Context, u accounts.User, loanID int64, lines []ReturnLine) (Loan, error) {
	if len(lines) == 0 {
		return Loan{}, errs.Field("items", "scan or type at least one tag to book in")
	}
	seen := map[string]bool{}
	for i := range lines {
		lines[i].Tag = inventory.NormalizeTag(lines[i].Tag)
		lines[i].Condition = strings.TrimSpace(lines[i].Condition)
		field := "items[" + strconv.Itoa(i) + "]"
		switch {
		case lines[i].Tag == "":
			return Loan{}, errs.Field(field+".tag", "is required")
		case seen[lines[i].Tag]:
			return Loan{}, errs.Field(field+".tag", lines[i].Tag+" is listed twice")
		case lines[i].Condition == "":
			return Loan{}, errs.Field(field+".condition", "is required: new, good, fair or poor")
		case !validCondition(lines[i].Condition):
			return Loan{}, errs.Field(field+".condition", "must be one of: new, good, fair, poor")
		}
		seen[lines[i].Tag] = true
	}
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		l, err := loanFor(tx, ctx, u, loanID)
		if err != nil {
			return err
		}
		problems := errs.FieldsError{}
		for _, line := range lines {
			li, ok := loanItem(l, line.Tag)
			switch {
			case !ok:
				problems.Add(line.Tag, "is not on loan "+l.Reference)
				continue
			case !li.Out():
				problems.Add(line.Tag, "was already returned")
				continue
			}
			if _, err := inventory.Transition(tx, line.Tag, inventory.Return, map[string]any{"loan_id": l.ID, "condition": line.Condition}); err != nil {
				if e := errs.As(err); e.Code == errs.Conflict {
					problems.Add(line.Tag, e.Fields["tag"])
					continue
				}
				return err
			}
			if _, err := tx.Exec(`UPDATE items SET condition = ? WHERE id = ?`, line.Condition, li.ItemID); err != nil {
				return err
			}
			if _, err := tx.Exec(`UPDATE loan_items SET returned_at = ?, return_condition = ? WHERE loan_id = ? AND item_id = ?`,
				tx.Stamp(), line.Condition, l.ID, li.ItemID); err != nil {
				return err
			}
		}
		if err := itemProblems(problems, "booked in"); err != nil {
			return err
		}
		tags := make([]string, len(lines))
		for i, line := range lines {
			tags[i] = line.Tag
		}
		if err := db.RecordEvent(tx, db.EntityLoan, l.ID, db.ActionReturned, map[string]any{"tags": tags}); err != nil {
			return err
		}
		return closeIfDone(tx, l.ID)
	})
	if err != nil {
		return Loan{}, err
	}
	return s.Loan(ctx, u, loanID)
}

func validCondition(c string) bool {
	for _, k := range inventory.Conditions {
		if c == k {
			return true
		}
	}
	return false
}

func loanItem(l Loan, tag string) (LoanItem, bool) {
	for _, li := range l.Items {
		if li.Tag == tag {
			return li, true
		}
	}
	return LoanItem{}, false
}

// closeIfDone closes a loan once none of its items is still out.
func closeIfDone(tx *db.Tx, loanID int64) error {
	var out int
	if err := tx.QueryRow(`SELECT count(*) FROM loan_items WHERE loan_id = ? AND returned_at IS NULL`, loanID).Scan(&out); err != nil {
		return err
	}
	if out > 0 {
		return nil
	}
	if _, err := tx.Exec(`UPDATE loans SET closed_at = ? WHERE id = ? AND closed_at IS NULL`, tx.Stamp(), loanID); err != nil {
		return err
	}
	return db.RecordEvent(tx, db.EntityLoan, loanID, db.ActionClosed, nil)
}

// ReportLost records that an item on a loan is lost. It stays on the loan until it is
// found and returned, or written off.
func (s *Store) ReportLost(ctx context.Context, u accounts.User, loanID int64, tag, note string) (Loan, error) {
	return s.changeLoanItem(ctx, u, loanID, tag, inventory.ReportLost, note)
}

// MarkFound records that a lost item has turned up with the child; book it in with a return.
func (s *Store) MarkFound(ctx context.Context, u accounts.User, loanID int64, tag, note string) (Loan, error) {
	return s.changeLoanItem(ctx, u, loanID, tag, inventory.Found, note)
}

func (s *Store) changeLoanItem(ctx context.Context, u accounts.User, loanID int64, tag string, action inventory.Action, note string) (Loan, error) {
	tag = inventory.NormalizeTag(tag)
	if len(note) > 2000 {
		return Loan{}, errs.Field("note", "must be at most 2000 characters")
	}
	if err := errs.CheckText("note", note, true); err != nil {
		return Loan{}, err
	}
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		l, err := loanFor(tx, ctx, u, loanID)
		if err != nil {
			return err
		}
		li, ok := loanItem(l, tag)
		if !ok || !li.Out() {
			return errs.Field("tag", tag+" is not out on loan "+l.Reference)
		}
		details := map[string]any{"loan_id": l.ID}
		if note = strings.TrimSpace(note); note != "" {
			details["note"] = note
		}
		if _, err := inventory.Transition(tx, tag, action, details); err != nil {
			return err
		}
		return db.RecordEvent(tx, db.EntityLoan, l.ID, action, map[string]any{"tag": tag})
	})
	if err != nil {
		return Loan{}, err
	}
	return s.Loan(ctx, u, loanID)
}

// loanYearsAhead is how far ahead a loan's review or return date may be: a child's needs
// change long before, and a date beyond is a mistyped year.
const loanYearsAhead = 10

// loanDatesWithin refuses a review or return date more than loanYearsAhead years away.
func loanDatesWithin(now time.Time, review, ret string) error {
	latest := now.AddDate(loanYearsAhead, 0, 0)
	if err := errs.DateWithin("review_date", review, time.Time{}, latest); err != nil {
		return err
	}
	return errs.DateWithin("return_date", ret, time.Time{}, latest)
}

// LoanChange extends a loan's review or moves it when a child moves home or school.
type LoanChange struct {
	// Kind says what the change is, and so what it must give: "review" a review or return
	// date, "move" a location. Empty, the fields given are applied as they are.
	Kind                  string `json:"kind" validate:"omitempty,oneof=review move"`
	ReviewDate            string `json:"review_date" validate:"omitempty,datetime=2006-01-02"`
	ReturnDate            string `json:"return_date" validate:"omitempty,datetime=2006-01-02"`
	Location              string `json:"location" validate:"omitempty,oneof=home school clinic"`
	Address               string `json:"address" validate:"max=500" text:"multiline"`
	Recipient             string `json:"recipient" validate:"max=200"`
	RecipientRelationship string `json:"recipient_relationship" validate:"max=100"`
	Reason                string `json:"reason" validate:"max=2000" text:"multiline"`
}

// ChangeLoan applies the fields given: a new review or return date (an extension), or a new
// location, address and recipient (a move). Each writes its event.
func (s *Store) ChangeLoan(ctx context.Context, u accounts.User, loanID int64, ch LoanChange) (Loan, error) {
	if err := errs.Validate(ch); err != nil {
		return Loan{}, err
	}
	ch.Location, ch.Address, ch.Recipient = strings.TrimSpace(ch.Location), strings.TrimSpace(ch.Address), strings.TrimSpace(ch.Recipient)
	switch {
	case ch.Kind == "review" && ch.ReviewDate == "" && ch.ReturnDate == "":
		return Loan{}, errs.Field("review_date", "is required: choose the date of the next review")
	case ch.Kind == "move" && ch.Location == "":
		return Loan{}, errs.Field("location", "is not chosen: choose where the equipment has moved to")
	}
	today := s.db.Now().Format(db.DateLayout)
	if ch.ReviewDate != "" && ch.ReviewDate < today {
		return Loan{}, errs.Field("review_date", "must be today or later")
	}
	if err := loanDatesWithin(s.db.Now(), ch.ReviewDate, ch.ReturnDate); err != nil {
		return Loan{}, err
	}
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		l, err := loanFor(tx, ctx, u, loanID)
		if err != nil {
			return err
		}
		if l.ClosedAt != nil {
			return errs.Errorf(errs.Conflict, "Loan %s is closed: every item has come back.", l.Reference)
		}
		if ch.Kind == "move" && ch.Location == l.Location && ch.Address == "" && ch.Recipient == "" {
			return errs.Field("location", "has not changed: choose where the equipment has moved to, or give a new address or person")
		}
		if ch.Location != "" && ch.Location != l.Location && ch.Location != Clinic && ch.Address == "" {
			// A move between home and school goes to the child's address there, as an
			// issue would; a move to the clinic keeps the address until one is given.
			child, err := ChildFor(tx, u, l.ChildID)
			if err != nil {
				return err
			}
			ch.Address = addressAt(child, ch.Location)
		}
		if ch.ReviewDate != "" && ch.ReviewDate != l.ReviewDate {
			if _, err := tx.Exec(`UPDATE loans SET review_date = ? WHERE id = ?`, ch.ReviewDate, l.ID); err != nil {
				return err
			}
			if err := db.RecordEvent(tx, db.EntityLoan, l.ID, db.ActionReviewExtended, map[string]any{"from": l.ReviewDate, "to": ch.ReviewDate, "reason": ch.Reason}); err != nil {
				return err
			}
		}
		if ch.ReturnDate != "" {
			if _, err := tx.Exec(`UPDATE loans SET return_date = ? WHERE id = ?`, ch.ReturnDate, l.ID); err != nil {
				return err
			}
			if err := db.RecordEvent(tx, db.EntityLoan, l.ID, db.ActionReturnDateSet, map[string]any{"to": ch.ReturnDate}); err != nil {
				return err
			}
		}
		if ch.Location != "" || ch.Address != "" || ch.Recipient != "" {
			loc, addr, rec, rel := pick(ch.Location, l.Location), pick(ch.Address, l.Address), pick(ch.Recipient, l.Recipient), pick(ch.RecipientRelationship, l.RecipientRelationship)
			if _, err := tx.Exec(`UPDATE loans SET location = ?, address = ?, recipient = ?, recipient_relationship = ? WHERE id = ?`, loc, addr, rec, rel, l.ID); err != nil {
				return err
			}
			if err := db.RecordEvent(tx, db.EntityLoan, l.ID, db.ActionMoved, map[string]any{"from": l.Location, "to": loc, "reason": ch.Reason}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Loan{}, err
	}
	return s.Loan(ctx, u, loanID)
}

// addressAt is the child's address at a location: their setting's at school, else their own.
func addressAt(c Child, location string) string {
	if location == School {
		return strings.TrimSpace(c.Setting + "\n" + c.SettingAddress)
	}
	return c.Address
}

func pick(v, old string) string {
	if v = strings.TrimSpace(v); v != "" {
		return v
	}
	return old
}

// Loans lists loans the user may see, soonest review first.
func (s *Store) Loans(ctx context.Context, u accounts.User, f LoanFilter) ([]Loan, int, error) {
	cond, args, err := s.loanConditions(u, f)
	if err != nil {
		return nil, 0, err
	}
	var total int
	if f.CountUpTo > 0 {
		total, err = s.db.CountUpTo(ctx, loansFrom+cond, args, f.CountUpTo)
	} else {
		total, err = s.countLoans(ctx, cond, args)
	}
	if err != nil {
		return nil, 0, err
	}
	// Open loans first, soonest review first. When only open loans are kept, the review
	// date alone orders them, which the open-loans index already holds in order.
	order := ` ORDER BY l.closed_at IS NOT NULL, l.review_date, l.id`
	if f.openOnly() {
		order = ` ORDER BY l.review_date, l.id`
	}
	rows, err := s.db.Query(ctx, loanSelect+cond+order+` LIMIT ? OFFSET ?`, append(args, db.PageSize(f.Limit), f.Offset)...)
	if err != nil {
		return nil, 0, err
	}
	var out []Loan
	for rows.Next() {
		l, err := scanLoan(rows)
		if err != nil {
			rows.Close()
			return nil, 0, err
		}
		out = append(out, l)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	return out, total, s.attachItems(ctx, out)
}

// CountLoans counts the loans the filter selects, up to upTo and one more (see
// db.CountUpTo), without reading them, for the home page's cards.
func (s *Store) CountLoans(ctx context.Context, u accounts.User, f LoanFilter, upTo int) (int, error) {
	cond, args, err := s.loanConditions(u, f)
	if err != nil {
		return 0, err
	}
	return s.db.CountUpTo(ctx, loansFrom+cond, args, upTo)
}

// loansFrom is what loanConditions' WHERE clause applies to.
const loansFrom = `FROM loans l JOIN children c ON c.id = l.child_id`

func (s *Store) countLoans(ctx context.Context, cond string, args []any) (int, error) {
	var total int
	err := s.db.QueryRow(ctx, `SELECT count(*) `+loansFrom+cond, args...).Scan(&total)
	return total, err
}

// loanConditions is the WHERE clause of the loans the filter selects, on loans l and
// children c, within the user's caseload.
func (s *Store) loanConditions(u accounts.User, f LoanFilter) (string, []any, error) {
	where, args, err := caseloadScope(u)
	if err != nil {
		return "", nil, err
	}
	today := s.db.Now().Format(db.DateLayout)
	if f.ChildID != 0 {
		where, args = append(where, "l.child_id = ?"), append(args, f.ChildID)
	}
	if f.TherapistID != 0 {
		where, args = append(where, "c.therapist_id = ?"), append(args, f.TherapistID)
	}
	if f.Setting != "" {
		where, args = append(where, "c.setting = ? AND l.location = 'school'"), append(args, f.Setting)
	}
	if f.openOnly() {
		where = append(where, "l.closed_at IS NULL")
	}
	if f.ReviewWithinDays > 0 {
		until := s.db.Now().AddDate(0, 0, f.ReviewWithinDays).Format(db.DateLayout)
		where, args = append(where, "l.review_date <= ?"), append(args, until)
	}
	if f.Overdue {
		where, args = append(where, "l.review_date < ?"), append(args, today)
	}
	return " WHERE " + strings.Join(where, " AND "), args, nil
}

// attachItems loads the items of a page of loans in one query, not one per loan.
func (s *Store) attachItems(ctx context.Context, ls []Loan) error {
	if len(ls) == 0 {
		return nil
	}
	index := map[int64]int{}
	ids := make([]any, len(ls))
	for i, l := range ls {
		index[l.ID] = i
		ids[i] = l.ID
	}
	rows, err := s.db.Query(ctx, `SELECT li.loan_id, `+loanItemColumns+`
		FROM loan_items li JOIN items i ON i.id = li.item_id JOIN products p ON p.id = i.product_id
		WHERE li.loan_id IN (?`+strings.Repeat(",?", len(ids)-1)+`) ORDER BY i.tag`, ids...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var loanID int64
		li, err := scanLoanItem(rows, &loanID)
		if err != nil {
			return err
		}
		ls[index[loanID]].Items = append(ls[index[loanID]].Items, li)
	}
	return rows.Err()
}

// HolderOf returns the open loan an item is on, without its items, if the user may see
// it: the scan page shows who has the item, and reading the loan's other items too would
// double the page's reads.
func (s *Store) HolderOf(ctx context.Context, u accounts.User, loanID *int64) (*Loan, error) {
	if loanID == nil || !canSee(u, 0) && u.Role != accounts.Therapist {
		return nil, nil
	}
	l, err := loanHeaderFor(s.db.Reader(ctx), u, *loanID)
	if errs.CodeOf(err) == errs.NotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &l, nil
}
