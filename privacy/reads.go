package privacy

import (
	"context"
	"time"

	"kitloan/accounts"
	"kitloan/internal/db"
	"kitloan/internal/errs"
	"kitloan/loans"
)

// How a child's record was read, for the access log (docs/DOMAIN.md §3: reads of a child's
// record are logged). Only views of one child's record are logged, never lists; a view of
// one loan or request counts, as it shows the child's name and details.
const (
	ReadPage         = "page"          // the child's page
	ReadEditForm     = "edit_form"     // the form that changes their details
	ReadAPI          = "api"           // GET /api/v1/children/{id}
	ReadAPIEquipment = "api_equipment" // GET /api/v1/children/{id}/equipment
	ReadExportJSON   = "export_json"   // the subject-access export, as JSON
	ReadExportPDF    = "export_pdf"    // the subject-access export, as a PDF
	ReadLoanPage     = "loan_page"     // a loan's page
	ReadRequestPage  = "request_page"  // a request's page
	ReadAPILoan      = "api_loan"      // GET /api/v1/loans/{id}
	ReadAPIRequest   = "api_request"   // GET /api/v1/requests/{id}
	// A loan's printed papers show the child's name, date of birth and address.
	ReadAgreement         = "agreement"          // the loan agreement PDF, page or API
	ReadDeliveryNote      = "delivery_note"      // the delivery note PDF, page or API
	ReadCollectionReceipt = "collection_receipt" // the collection receipt PDF, page or API
	ReadSignedCopy        = "signed_copy"        // the signed agreement as stored, page or API
	ReadAgreementForm     = "agreement_form"     // the form that records the agreement signed
)

// ReadLabel says how a record was read, in words.
func ReadLabel(via string) string {
	switch via {
	case ReadPage:
		return "Child’s page"
	case ReadEditForm:
		return "Change details form"
	case ReadAPI:
		return "API: child’s record"
	case ReadAPIEquipment:
		return "API: child’s equipment"
	case ReadExportJSON:
		return "Subject-access export (JSON)"
	case ReadExportPDF:
		return "Subject-access export (PDF)"
	case ReadLoanPage:
		return "Loan page"
	case ReadRequestPage:
		return "Request page"
	case ReadAPILoan:
		return "API: loan"
	case ReadAPIRequest:
		return "API: request"
	case ReadAgreement:
		return "Loan agreement (PDF)"
	case ReadDeliveryNote:
		return "Delivery note (PDF)"
	case ReadCollectionReceipt:
		return "Collection receipt (PDF)"
	case ReadSignedCopy:
		return "Signed copy of the agreement"
	case ReadAgreementForm:
		return "Record signed agreement form"
	}
	return via
}

// ChildRead is one view of a child's record.
type ChildRead struct {
	ID       int64     `json:"id"`
	At       time.Time `json:"at"`
	UserID   *int64    `json:"user_id"`
	User     string    `json:"user"`
	Role     string    `json:"role"`
	Via      string    `json:"via"`
	ViaLabel string    `json:"via_label"`
}

// LogChildRead records that u has just read child childID's record through via. It is one
// INSERT on the writer, made after the read and outside any read transaction, so a view
// costs one small write and never holds a write transaction open while it reads. Callers
// log only a read that succeeded (a 404 reads nothing), and refuse to show the record
// when the log cannot be written: the log is complete or the record is not shown.
func (s *Store) LogChildRead(ctx context.Context, u accounts.User, childID int64, via string) error {
	name := u.Name
	if name == "" {
		name = db.ActorFrom(ctx).Name
	}
	_, err := s.db.Write.ExecContext(ctx, `INSERT INTO child_reads (child_id, at, user_id, user_name, user_role, via) VALUES (?, ?, ?, ?, ?, ?)`,
		childID, s.db.Now().UTC().Format(time.RFC3339), loans.NullID(u.ID), name, u.Role, via)
	return err
}

// LogLoanRead records that u has just read, through via, the record of the child loan
// loanID is for: the signed copy is read by the loan's id alone, and finding the child by
// the loan's primary key costs less than reading the loan and its items to learn it.
func (s *Store) LogLoanRead(ctx context.Context, u accounts.User, loanID int64, via string) error {
	var childID int64
	if err := s.db.QueryRow(ctx, `SELECT child_id FROM loans WHERE id = ?`, loanID).Scan(&childID); err != nil {
		return err
	}
	return s.LogChildRead(ctx, u, childID, via)
}

// ChildReads lists who read a child's record, newest first. Only admins may see it.
func (s *Store) ChildReads(ctx context.Context, u accounts.User, childID int64, limit, offset int) ([]ChildRead, int, error) {
	if u.Role != accounts.Admin {
		return nil, 0, errs.Errorf(errs.Forbidden, "Only an admin can see who has read a child’s record.")
	}
	if _, err := loans.ChildFor(s.db.Reader(ctx), u, childID); err != nil {
		return nil, 0, err
	}
	var total int
	if err := s.db.QueryRow(ctx, `SELECT count(*) FROM child_reads WHERE child_id = ?`, childID).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := s.db.Query(ctx, `SELECT id, at, user_id, user_name, user_role, via FROM child_reads WHERE child_id = ?
		ORDER BY id DESC LIMIT ? OFFSET ?`, childID, db.PageSize(limit), max(offset, 0))
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []ChildRead{}
	for rows.Next() {
		var r ChildRead
		var at string
		if err := rows.Scan(&r.ID, &at, &r.UserID, &r.User, &r.Role, &r.Via); err != nil {
			return nil, 0, err
		}
		r.At = loans.ParseStamp(at)
		r.ViaLabel = ReadLabel(r.Via)
		out = append(out, r)
	}
	return out, total, rows.Err()
}
