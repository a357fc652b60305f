package loans

import (
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"time"

	"kitloan/accounts"
	"kitloan/internal/db"
	"kitloan/internal/errs"
)

// ExportFormat names the layout of a subject-access export, so that a reader of an old
// file knows what it holds.
const ExportFormat = "kitloan-child-export/1"

// ChildExport is everything the service holds about one child, for a subject access
// request (docs/DOMAIN.md §3): their record and carers, the requests made for them, their loans
// with each item and its dates, the consumables given to them, each loan's agreement, and
// the history of their record, their loans and their requests. The signed copy of an
// agreement is described (type, size, name, SHA-256), not included: it can be downloaded
// from the loan, and the SHA-256 shows that what is downloaded is what was received.
type ChildExport struct {
	Format      string            `json:"format"`
	ExportedAt  time.Time         `json:"exported_at"`
	ExportedBy  string            `json:"exported_by"`
	Child       Child             `json:"child"`
	Requests    []Request         `json:"requests"`
	Loans       []Loan            `json:"loans"`
	Consumables []ConsumableIssue `json:"consumables"`
	Agreements  []AgreementRecord `json:"agreements"`
	Events      []db.Event        `json:"events"`
}

// CanExport reports whether the user's role may export a child's record: an admin, who
// answers subject access requests for the service, or a therapist, for the children they
// lead (another therapist's child does not exist for them). Store staff and viewers may
// not: store staff see contact details for delivery, not the whole record.
func CanExport(u accounts.User) bool { return u.Role == accounts.Admin || u.Role == accounts.Therapist }

// ExportChild gathers everything held about a child, read in one snapshot so that the
// parts agree with each other.
func (s *Store) ExportChild(ctx context.Context, u accounts.User, id int64) (ChildExport, error) {
	if !CanExport(u) {
		return ChildExport{}, errs.Errorf(errs.Forbidden, "Only an admin or the child’s lead therapist can export a child’s record.")
	}
	tx, err := s.db.Read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return ChildExport{}, err
	}
	defer tx.Rollback()
	now := s.db.Now()
	x := ChildExport{Format: ExportFormat, ExportedAt: now.UTC().Truncate(time.Second), ExportedBy: u.Name,
		Requests: []Request{}, Loans: []Loan{}, Consumables: []ConsumableIssue{}, Agreements: []AgreementRecord{}, Events: []db.Event{}}
	if x.Child, err = ChildFor(tx, u, id); err != nil {
		return ChildExport{}, err
	}
	if x.Child.Carers, err = carersIn(ctx, tx, id); err != nil {
		return ChildExport{}, err
	}
	if x.Requests, err = exportRequests(ctx, s, tx, id, now); err != nil {
		return ChildExport{}, err
	}
	if x.Loans, err = exportLoans(ctx, tx, id); err != nil {
		return ChildExport{}, err
	}
	for _, l := range x.Loans {
		a, err := readAgreement(tx, l, false)
		if err != nil {
			return ChildExport{}, err
		}
		x.Agreements = append(x.Agreements, a)
	}
	if x.Consumables, err = exportConsumables(ctx, tx, id); err != nil {
		return ChildExport{}, err
	}
	if x.Events, err = exportEvents(ctx, tx, id); err != nil {
		return ChildExport{}, err
	}
	return x, nil
}

func carersIn(ctx context.Context, q db.Querier, childID int64) ([]Carer, error) {
	rows, err := q.QueryContext(ctx, `SELECT name, relationship, phone, email FROM carers WHERE child_id = ? ORDER BY position`, childID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Carer{}
	for rows.Next() {
		var k Carer
		if err := rows.Scan(&k.Name, &k.Relationship, &k.Phone, &k.Email); err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

func exportRequests(ctx context.Context, s *Store, q db.Querier, childID int64, now time.Time) ([]Request, error) {
	rows, err := q.QueryContext(ctx, requestSelect+` WHERE r.child_id = ? ORDER BY r.id`, childID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Request{}
	for rows.Next() {
		r, err := s.scanRequest(rows, now)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func exportLoans(ctx context.Context, q db.Querier, childID int64) ([]Loan, error) {
	rows, err := q.QueryContext(ctx, loanSelect+` WHERE l.child_id = ? ORDER BY l.id`, childID)
	if err != nil {
		return nil, err
	}
	out := []Loan{}
	index := map[int64]int{}
	for rows.Next() {
		l, err := scanLoan(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		l.Items = []LoanItem{}
		index[l.ID] = len(out)
		out = append(out, l)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = q.QueryContext(ctx, `SELECT li.loan_id, `+loanItemColumns+`
		FROM loan_items li JOIN loans l ON l.id = li.loan_id JOIN items i ON i.id = li.item_id JOIN products p ON p.id = i.product_id
		WHERE l.child_id = ? ORDER BY li.loan_id, i.tag`, childID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var loanID int64
		li, err := scanLoanItem(rows, &loanID)
		if err != nil {
			return nil, err
		}
		if i, ok := index[loanID]; ok {
			out[i].Items = append(out[i].Items, li)
		}
	}
	return out, rows.Err()
}

func exportConsumables(ctx context.Context, q db.Querier, childID int64) ([]ConsumableIssue, error) {
	rows, err := q.QueryContext(ctx, `SELECT ci.id, ci.product_id, p.name, ci.child_id, ci.quantity, ci.issued_on, coalesce(u.name, 'system')
		FROM consumable_issues ci JOIN products p ON p.id = ci.product_id LEFT JOIN users u ON u.id = ci.issued_by
		WHERE ci.child_id = ? ORDER BY ci.id`, childID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []ConsumableIssue{}
	for rows.Next() {
		var c ConsumableIssue
		if err := rows.Scan(&c.ID, &c.ProductID, &c.ProductName, &c.ChildID, &c.Quantity, &c.IssuedOn, &c.IssuedBy); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// ChildEventsWhere selects the history about a child: their own events and those of their
// loans and requests. Its arguments are ChildEventsArgs.
const ChildEventsWhere = `(entity = ? AND entity_id = ?)
	OR (entity = ? AND entity_id IN (SELECT id FROM loans WHERE child_id = ?))
	OR (entity = ? AND entity_id IN (SELECT id FROM requests WHERE child_id = ?))`

// ChildEventsArgs are ChildEventsWhere's arguments for the child with the given id.
func ChildEventsArgs(childID int64) []any {
	return []any{string(db.EntityChild), childID, string(db.EntityLoan), childID, string(db.EntityRequest), childID}
}

func exportEvents(ctx context.Context, q db.Querier, childID int64) ([]db.Event, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, at, actor, entity, entity_id, action, details FROM events WHERE `+ChildEventsWhere+` ORDER BY id`,
		ChildEventsArgs(childID)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []db.Event{}
	for rows.Next() {
		var e db.Event
		var at, details string
		if err := rows.Scan(&e.ID, &at, &e.Actor, &e.Entity, &e.EntityID, &e.Action, &details); err != nil {
			return nil, err
		}
		e.At = ParseStamp(at)
		if details != "{}" && details != "" {
			_ = json.Unmarshal([]byte(details), &e.Details)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// WriteChildExportJSON writes the export as indented JSON, names as written (no \u escapes
// for Zoë, no HTML escaping).
func WriteChildExportJSON(w io.Writer, x ChildExport) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(x)
}
