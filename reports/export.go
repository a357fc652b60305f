package reports

import (
	"context"
	"database/sql"
	"io"
	"slices"
	"strconv"
	"strings"

	"kitloan/accounts"
	"kitloan/internal/csvfile"
	"kitloan/internal/db"
	"kitloan/internal/errs"
)

// The CSV exports of each kind of record, for spreadsheets. Items and products use the
// column names the import reads, so an exported catalogue can be imported elsewhere.

// Exports, by the name of their file (items.csv and so on).
const (
	ExportItems       = "items"
	ExportProducts    = "products"
	ExportLoans       = "loans"
	ExportChildren    = "children"
	ExportMaintenance = "maintenance"
)

// Exports lists them in the order pages offer them.
var Exports = []string{ExportItems, ExportProducts, ExportLoans, ExportChildren, ExportMaintenance}

// personal marks the exports that name children: store staff and admins get every child,
// a therapist only the children on their caseload, a viewer none.
var personal = map[string]bool{ExportLoans: true, ExportChildren: true}

// CanExport reports whether a role may download an export.
func CanExport(u accounts.User, what string) bool {
	if !slices.Contains(Exports, what) {
		return false
	}
	if personal[what] {
		return u.Can(accounts.Admin, accounts.Staff, accounts.Therapist)
	}
	return u.Can(accounts.Roles...)
}

// exportQuery is an export's header and query; therapistFilter is the condition that
// keeps a therapist to their own children (its one argument is their id).
type exportQuery struct {
	header          []string
	query           string
	therapistFilter string
	order           string
}

var exportQueries = map[string]exportQuery{
	ExportItems: {
		header: []string{"tag", "product_id", "product_name", "category", "serial", "condition", "status", "location", "acquired_on",
			"next_service_due", "notes", "loan_id", "awaiting_cleaning", "created_at", "updated_at"},
		query: `SELECT i.tag, i.product_id, CASE WHEN p.size = '' THEN p.name ELSE p.name || ' (' || p.size || ')' END, c.name, i.serial,
			i.condition, i.status, i.location, i.acquired_on, i.next_service_due, i.notes, li.loan_id,
			CASE WHEN i.awaiting_cleaning <> 0 THEN 'yes' ELSE 'no' END, i.created_at, i.updated_at
			FROM items i JOIN products p ON p.id = i.product_id JOIN categories c ON c.id = p.category_id
			LEFT JOIN loan_items li ON li.item_id = i.id AND li.returned_at IS NULL`,
		order: ` ORDER BY i.id`,
	},
	ExportProducts: {
		header: []string{"id", "name", "category", "kind", "manufacturer", "model", "size", "service_interval_days", "needs_decontamination",
			"reorder_level", "stock", "unit_cost_pence", "min_age_years", "max_age_years", "notes", "item_count", "available_count",
			"created_at", "updated_at"},
		query: `SELECT p.id, p.name, c.name, p.kind, p.manufacturer, p.model, p.size, p.service_interval_days,
			CASE WHEN p.needs_decontamination <> 0 THEN 'yes' ELSE 'no' END, p.reorder_level, p.stock, p.unit_cost_pence,
			p.min_age_years, p.max_age_years, p.notes,
			(SELECT count(*) FROM items i WHERE i.product_id = p.id AND i.status <> 'retired'),
			(SELECT count(*) FROM items i WHERE i.product_id = p.id AND i.status = 'available'),
			p.created_at, p.updated_at
			FROM products p JOIN categories c ON c.id = p.category_id`,
		order: ` ORDER BY p.id`,
	},
	// One row for each item on each loan, so a spreadsheet can count by product or category.
	ExportLoans: {
		header: []string{"loan_id", "child_id", "child_reference", "child_name", "lead_therapist", "location", "address", "recipient",
			"recipient_relationship", "issued_at", "issued_by", "review_date", "return_date", "closed_at", "request_id", "agreement_state",
			"tag", "product", "category", "issued_condition", "returned_at", "return_condition"},
		query: `SELECT l.id, l.child_id, ch.reference, ch.given_name || ' ' || ch.family_name, t.name, l.location, l.address, l.recipient,
			l.recipient_relationship, l.issued_at, coalesce(u.name, 'system'), l.review_date, l.return_date, l.closed_at, l.request_id,
			coalesce(a.state, 'not_printed'), i.tag, CASE WHEN p.size = '' THEN p.name ELSE p.name || ' (' || p.size || ')' END, c.name,
			li.issued_condition, li.returned_at, li.return_condition
			FROM loans l JOIN children ch ON ch.id = l.child_id JOIN users t ON t.id = ch.therapist_id
			LEFT JOIN users u ON u.id = l.issued_by LEFT JOIN loan_agreements a ON a.loan_id = l.id
			JOIN loan_items li ON li.loan_id = l.id JOIN items i ON i.id = li.item_id
			JOIN products p ON p.id = i.product_id JOIN categories c ON c.id = p.category_id`,
		therapistFilter: ` WHERE ch.therapist_id = ?`,
		order:           ` ORDER BY l.id, i.tag`,
	},
	ExportChildren: {
		header: []string{"id", "reference", "given_name", "family_name", "date_of_birth", "nhs_number", "address", "setting",
			"setting_address", "carers", "lead_therapist", "lead_therapist_email", "notes", "discharged_on", "items_on_loan",
			"created_at", "updated_at"},
		query: `SELECT ch.id, ch.reference, ch.given_name, ch.family_name, ch.date_of_birth, ch.nhs_number, ch.address, ch.setting,
			ch.setting_address, '', t.name, t.email, ch.notes, ch.discharged_on,
			(SELECT count(*) FROM loan_items li JOIN loans l ON l.id = li.loan_id WHERE l.child_id = ch.id AND li.returned_at IS NULL),
			ch.created_at, ch.updated_at
			FROM children ch JOIN users t ON t.id = ch.therapist_id`,
		therapistFilter: ` WHERE ch.therapist_id = ?`,
		order:           ` ORDER BY ch.family_name, ch.given_name, ch.id`,
	},
	ExportMaintenance: {
		header: []string{"id", "tag", "product", "kind", "outcome", "performed_on", "performed_by", "notes", "checklist", "parts",
			"cost_pence", "next_due", "created_at"},
		query: `SELECT m.id, i.tag, CASE WHEN p.size = '' THEN p.name ELSE p.name || ' (' || p.size || ')' END, m.kind, m.outcome,
			m.performed_on, coalesce(u.name, 'system'), m.notes, m.checklist, m.parts, m.cost_pence, m.next_due, m.created_at
			FROM maintenance_records m JOIN items i ON i.id = m.item_id JOIN products p ON p.id = i.product_id
			LEFT JOIN users u ON u.id = m.performed_by`,
		order: ` ORDER BY m.id`,
	},
}

// WriteCSV writes one export for the user, header first, and returns how many rows it
// wrote. A child's details leave the service only through here or the full export, so
// the exports that name children are recorded in the history, with who took them.
func (s *Store) WriteCSV(ctx context.Context, u accounts.User, what string, w io.Writer) (int, error) {
	q, ok := exportQueries[what]
	if !ok {
		return 0, errs.Errorf(errs.NotFound, "There is no export called %q. The exports are %s.", what, strings.Join(Exports, ", "))
	}
	if !CanExport(u, what) {
		return 0, errs.Errorf(errs.Forbidden, "Your role (%s) cannot export %s.", u.Role, what)
	}
	query, args := q.query, []any{}
	if q.therapistFilter != "" && u.Role == accounts.Therapist {
		query, args = query+q.therapistFilter, append(args, u.ID)
	}
	carers := map[int64]string{}
	if what == ExportChildren {
		var err error
		if carers, err = s.carerLines(ctx, u); err != nil {
			return 0, err
		}
	}
	cw := csvfile.NewWriter(w)
	if err := cw.Write(q.header); err != nil {
		return 0, err
	}
	n := 0
	err := eachRow(ctx, s.db.Read, query+q.order, args, func(r *sql.Rows) error {
		vals, err := scanValues(r, len(q.header))
		if err != nil {
			return err
		}
		rec := make([]string, len(vals))
		for i, v := range vals {
			rec[i] = cell(v)
		}
		if what == ExportChildren {
			id, _ := strconv.ParseInt(rec[0], 10, 64)
			rec[slices.Index(q.header, "carers")] = carers[id]
		}
		n++
		return cw.Write(rec)
	})
	if err != nil {
		return n, err
	}
	if err := cw.Flush(); err != nil {
		return n, err
	}
	if personal[what] {
		err = s.recordExport(ctx, what, n)
	}
	return n, err
}

// carerLines gives each child the user may see their carers in one cell:
// "Pat Adams (mother) 07700 900123 pat@example.org; …".
func (s *Store) carerLines(ctx context.Context, u accounts.User) (map[int64]string, error) {
	query, args := `SELECT k.child_id, k.name, k.relationship, k.phone, k.email FROM carers k JOIN children ch ON ch.id = k.child_id`, []any{}
	if u.Role == accounts.Therapist {
		query, args = query+` WHERE ch.therapist_id = ?`, append(args, u.ID)
	}
	out := map[int64]string{}
	err := eachRow(ctx, s.db.Read, query+` ORDER BY k.child_id, k.position`, args, func(r *sql.Rows) error {
		var id int64
		var name, rel, phone, email string
		if err := r.Scan(&id, &name, &rel, &phone, &email); err != nil {
			return err
		}
		line := name
		if rel != "" {
			line += " (" + rel + ")"
		}
		for _, x := range []string{phone, email} {
			if x != "" {
				line += " " + x
			}
		}
		if out[id] != "" {
			out[id] += "; "
		}
		out[id] += line
		return nil
	})
	return out, err
}

// recordExport writes who exported personal data, and how much, to the history.
func (s *Store) recordExport(ctx context.Context, what string, rows int) error {
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		return db.RecordEvent(tx, db.EntityExport, 0, db.ActionExported, map[string]any{"what": what, "rows": rows})
	})
}

// cell writes a value read from the database as CSV text: NULL as an empty cell.
func cell(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case []byte:
		return string(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		if x {
			return "1"
		}
		return "0"
	}
	return ""
}

// scanValues reads one row of n columns as the driver gives them, for writing out as text.
func scanValues(r *sql.Rows, n int) ([]any, error) {
	vals := make([]any, n)
	ptrs := make([]any, n)
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	return vals, r.Scan(ptrs...)
}
