package loans

import (
	"context"
	"strconv"
	"strings"

	"kitloan/accounts"
	"kitloan/internal/db"
	"kitloan/internal/errs"
)

// This file holds what the HTML pages need on top of the store: statuses, priorities and
// places in words (pages never show a status by colour or code alone), and small lookups.

// RequestStatusLabel is a request status as a person reads it.
func RequestStatusLabel(status string) string {
	switch status {
	case Submitted:
		return "Submitted – awaiting approval"
	case Approved:
		return "Approved"
	case Allocated:
		return "Items reserved – ready to issue"
	case Fulfilled:
		return "Fulfilled – issued"
	case Declined:
		return "Declined"
	case Cancelled:
		return "Cancelled"
	}
	return status
}

// StatusLabel is the request's status in words.
func (r Request) StatusLabel() string { return RequestStatusLabel(r.Status) }

// PriorityLabel is the request's priority in words.
func (r Request) PriorityLabel() string {
	if r.Priority == "urgent" {
		return "Urgent"
	}
	return "Standard"
}

// DeliverToLabel says where the request is to be delivered.
func (r Request) DeliverToLabel() string { return PlaceLabel(r.DeliverTo) }

// Returnable reports whether the request is for labelled items (not a consumable).
func (r Request) Returnable() bool { return r.ProductKind != "consumable" }

// StillToAllocate is how many more items the request needs reserved.
func (r Request) StillToAllocate() int { return max(r.Quantity-len(r.Allocated), 0) }

// PlaceLabel names where equipment lives or goes: home, school or setting, clinic.
func PlaceLabel(place string) string {
	switch place {
	case Home:
		return "Home"
	case School:
		return "School or setting"
	case Clinic:
		return "Clinic"
	}
	return place
}

// LocationLabel says where the loan's equipment lives.
func (l Loan) LocationLabel() string { return PlaceLabel(l.Location) }

// Open reports whether any of the loan's items is still out.
func (l Loan) Open() bool { return l.ClosedAt == nil }

// ItemsOut lists the loan's items still with the child (lost ones included).
func (l Loan) ItemsOut() []LoanItem {
	var out []LoanItem
	for _, li := range l.Items {
		if li.Out() {
			out = append(out, li)
		}
	}
	return out
}

// Tags lists the tags of the loan's items, space separated.
func (l Loan) Tags() string {
	tags := make([]string, len(l.Items))
	for i, li := range l.Items {
		tags[i] = li.Tag
	}
	return strings.Join(tags, " ")
}

// Discharged reports whether the child has been discharged from the service.
func (c Child) Discharged() bool { return c.DischargedOn != nil }

// NHSNumberSpaced shows the NHS number the usual way, 3-3-4 digits: "943 476 5919".
func (c Child) NHSNumberSpaced() string {
	if len(c.NHSNumber) != 10 {
		return c.NHSNumber
	}
	return c.NHSNumber[:3] + " " + c.NHSNumber[3:6] + " " + c.NHSNumber[6:]
}

// SettingNames lists the schools and settings of the children the user may see who are
// still on the caseload, for a filter.
func (s *Store) SettingNames(ctx context.Context, u accounts.User) ([]string, error) {
	where, args := "c.discharged_on IS NULL AND c.setting <> ''", []any{}
	if u.Role == accounts.Therapist {
		where, args = where+" AND c.therapist_id = ?", append(args, u.ID)
	} else if !canSee(u, 0) {
		return nil, errs.Errorf(errs.Forbidden, "Your role cannot see children's records.")
	}
	rows, err := s.db.Read.QueryContext(ctx, `SELECT DISTINCT c.setting FROM children c WHERE `+where+` ORDER BY c.setting COLLATE NOCASE`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, err
		}
		out = append(out, name)
	}
	return out, rows.Err()
}

// IssuedOn is the day the loan was issued, as an ISO date.
func (l Loan) IssuedOn() string { return l.IssuedAt.Local().Format(db.DateLayout) }

// ReturnedOn is the day the item came back, as an ISO date, or "" while it is out.
func (li LoanItem) ReturnedOn() string {
	if li.ReturnedAt == nil {
		return ""
	}
	return li.ReturnedAt.Local().Format(db.DateLayout)
}

// RequestedOn is the day the request was made, as an ISO date.
func (r Request) RequestedOn() string { return r.CreatedAt.Local().Format(db.DateLayout) }

// RequestReference is the reference of the request the loan met, or "" if none.
func (l Loan) RequestReference() string {
	if l.RequestID == nil {
		return ""
	}
	return Reference("R", *l.RequestID)
}

// LoanID is the loan that fulfilled a request for labelled items, or 0: the store records
// the loan's reference as the request's status note when it issues against the request.
func (r Request) LoanID() int64 {
	ref, ok := strings.CutPrefix(r.StatusNote, "L-")
	if r.Status != Fulfilled || !ok {
		return 0
	}
	id, err := strconv.ParseInt(ref, 10, 64)
	if err != nil {
		return 0
	}
	return id
}

// FulfilledOn is the day the request was fulfilled, as an ISO date, or "".
func (r Request) FulfilledOn() string {
	if r.FulfilledAt == nil {
		return ""
	}
	return ParseStamp(*r.FulfilledAt).Local().Format(db.DateLayout)
}
