// Package loans is the service's core loop: the children equipment is lent to, therapists'
// requests for it, loans and returns, and consumables issued for keeps. Item states change
// only through inventory.Transition, inside the same transaction as the loan change and
// its history events.
package loans

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"kitloan/accounts"
	"kitloan/internal/db"
	"kitloan/internal/errs"
)

// Where equipment lives while on loan; requests say where to deliver it.
const (
	Home   = "home"
	School = "school"
	Clinic = "clinic"
)

// Store reads and changes children, requests, loans and consumable issues.
type Store struct {
	db *db.DB
}

// NewStore returns a loans store over d.
func NewStore(d *db.DB) *Store { return &Store{db: d} }

// Child is a person equipment is lent to. Keep only what the service needs.
type Child struct {
	ID             int64     `json:"id"`
	Reference      string    `json:"reference"`
	GivenName      string    `json:"given_name"`
	FamilyName     string    `json:"family_name"`
	DateOfBirth    string    `json:"date_of_birth"`
	NHSNumber      string    `json:"nhs_number"`
	Address        string    `json:"address"`
	Setting        string    `json:"setting"`
	SettingAddress string    `json:"setting_address"`
	Carers         []Carer   `json:"carers"`
	TherapistID    int64     `json:"therapist_id"`
	TherapistName  string    `json:"therapist_name"`
	TherapistEmail string    `json:"therapist_email"`
	Notes          string    `json:"notes"`
	DischargedOn   *string   `json:"discharged_on"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

// Name is the child's full name.
func (c Child) Name() string { return c.GivenName + " " + c.FamilyName }

// AnonReferencePrefix starts the reference of an anonymised child.
const AnonReferencePrefix = "ANON-"

// Anonymised is what replaces removed names.
const Anonymised = "Anonymised"

// Anonymised reports whether the child's record has been anonymised.
func (c Child) Anonymised() bool {
	return strings.HasPrefix(c.Reference, AnonReferencePrefix) && c.GivenName == Anonymised
}

// Age says how old the child is on the given ISO date: "7 years" or, under two, "18 months".
func (c Child) Age(today string) string {
	dob, err1 := time.Parse(db.DateLayout, c.DateOfBirth)
	now, err2 := time.Parse(db.DateLayout, today)
	if err1 != nil || err2 != nil {
		return ""
	}
	months := (now.Year()-dob.Year())*12 + int(now.Month()-dob.Month())
	if now.Day() < dob.Day() {
		months--
	}
	switch {
	case months < 0:
		return ""
	case months < 24:
		return Plural(months, "month")
	}
	return Plural(months/12, "year")
}

// Plural counts n of a thing: "1 item", "3 items".
func Plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

// Carer is a parent or carer of a child, and how to reach them.
type Carer struct {
	Name         string `json:"name" form:"name" validate:"required,max=200"`
	Relationship string `json:"relationship" form:"relationship" validate:"max=100"`
	Phone        string `json:"phone" form:"phone" validate:"max=50"`
	Email        string `json:"email" form:"email" validate:"max=200"`
}

// ChildInput adds or changes a child.
type ChildInput struct {
	Reference      string  `json:"reference" validate:"max=50"`
	GivenName      string  `json:"given_name" validate:"required,max=100"`
	FamilyName     string  `json:"family_name" validate:"required,max=100"`
	DateOfBirth    string  `json:"date_of_birth" validate:"required,datetime=2006-01-02"`
	NHSNumber      string  `json:"nhs_number" validate:"max=20"`
	Address        string  `json:"address" validate:"max=500" text:"multiline"`
	Setting        string  `json:"setting" validate:"max=200"`
	SettingAddress string  `json:"setting_address" validate:"max=500" text:"multiline"`
	Carers         []Carer `json:"carers" validate:"max=6,dive"`
	TherapistEmail string  `json:"therapist_email" validate:"max=200"`
	Notes          string  `json:"notes" validate:"max=2000" text:"multiline"`
}

// canSee reports whether the user may see a child led by the therapist: a therapist sees
// only their own children; store staff and admins see all.
func canSee(u accounts.User, therapistID int64) bool {
	switch u.Role {
	case accounts.Admin, accounts.Staff:
		return true
	case accounts.Therapist:
		return u.ID == therapistID
	}
	return false
}

// caseloadScope starts the conditions of a list of children or of what they hold, for
// the user: a therapist sees only their own caseload (children c), store staff and admins
// everything, and other roles nothing.
func caseloadScope(u accounts.User) ([]string, []any, error) {
	switch {
	case u.Role == accounts.Therapist:
		return []string{"c.therapist_id = ?"}, []any{u.ID}, nil
	case canSee(u, 0):
		return []string{"1=1"}, []any{}, nil
	}
	return nil, nil, errs.Errorf(errs.Forbidden, "Your role (%s) cannot see children's records.", u.Role)
}

// workingDays counts Monday-to-Friday days after from, up to and including to.
func workingDays(from, to time.Time) int {
	from = time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, time.UTC)
	to = time.Date(to.Year(), to.Month(), to.Day(), 0, 0, 0, 0, time.UTC)
	n := 0
	for d := from.AddDate(0, 0, 1); !d.After(to); d = d.AddDate(0, 0, 1) {
		if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday {
			n++
		}
	}
	return n
}

// ParseStamp reads a time as the database stores it (RFC 3339); one that does not parse
// is the zero time.
func ParseStamp(s string) time.Time {
	t, _ := time.Parse(time.RFC3339, s)
	return t
}

// Reference formats a record number for people: "L-000042".
func Reference(prefix string, id int64) string { return fmt.Sprintf("%s-%06d", prefix, id) }
