// Package inventory is the catalogue and the equipment in it: categories, products,
// labelled items and the states an item moves through, with each change written to the
// history in the same transaction.
package inventory

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// Status is where an item is in its life. See docs/DOMAIN.md §2 "Item states".
type Status string

// The item statuses, as the API names them.
const (
	Available   Status = "available"
	Reserved    Status = "reserved"
	OnLoan      Status = "on_loan"
	Returned    Status = "returned"
	InRepair    Status = "in_repair"
	Quarantined Status = "quarantined"
	Lost        Status = "lost"
	Retired     Status = "retired"
)

// earliestRecord is the earliest date an item's records may carry: acquired, maintained,
// recalled. Anything before it is a mistyped year.
var earliestRecord = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)

// Statuses lists every status in the order pages show them.
var Statuses = []Status{Available, Reserved, OnLoan, Returned, InRepair, Quarantined, Lost, Retired}

// Label is the status as a person reads it; statuses are always shown in words.
func (s Status) Label() string {
	switch s {
	case OnLoan:
		return "On loan"
	case InRepair:
		return "In repair"
	case Returned:
		return "Returned – awaiting checks"
	}
	if s == "" {
		return ""
	}
	return strings.ToUpper(string(s[:1])) + string(s[1:])
}

// StateLabel is an item's status as a person reads it, saying of a returned item what it
// waits for: cleaning, or (for a product that needs no decontamination, or once cleaned)
// only its inspection.
func StateLabel(s Status, awaitingCleaning bool) string {
	switch {
	case s == Returned && awaitingCleaning:
		return "Returned – awaiting cleaning"
	case s == Returned:
		return "Returned – awaiting inspection"
	}
	return s.Label()
}

// Conditions an item can be in, best first.
var Conditions = []string{"new", "good", "fair", "poor"}

// Kinds of product: a returnable product's units are labelled items; a consumable is a
// stock count, issued and not collected back.
const (
	Returnable = "returnable"
	Consumable = "consumable"
)

// Category groups products: seating, cutlery, grips and so on.
type Category struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	// ReviewMonths is how long a loan from this category runs before its review.
	ReviewMonths int `json:"review_months"`
	// Checklist is the inspection checklist, one point a line.
	Checklist string `json:"checklist"`
}

// CategoryInput adds or changes a category.
type CategoryInput struct {
	Name         string `json:"name" form:"name" validate:"required,max=100"`
	ReviewMonths int    `json:"review_months" form:"review_months" validate:"gte=1,lte=36"`
	Checklist    string `json:"checklist" form:"checklist" validate:"max=4000" text:"multiline"`
}

// Product is a catalogue line.
type Product struct {
	ID                   int64     `json:"id"`
	Name                 string    `json:"name"`
	CategoryID           int64     `json:"category_id"`
	Category             string    `json:"category"`
	Kind                 string    `json:"kind"`
	Manufacturer         string    `json:"manufacturer"`
	Model                string    `json:"model"`
	Size                 string    `json:"size"`
	ServiceIntervalDays  int       `json:"service_interval_days"`
	NeedsDecontamination bool      `json:"needs_decontamination"`
	ReorderLevel         int       `json:"reorder_level"`
	Stock                int       `json:"stock"`
	UnitCostPence        *int      `json:"unit_cost_pence"`
	MinAgeYears          *int      `json:"min_age_years"`
	MaxAgeYears          *int      `json:"max_age_years"`
	Notes                string    `json:"notes"`
	ItemCount            int       `json:"item_count"`
	AvailableCount       int       `json:"available_count"`
	CreatedAt            time.Time `json:"created_at"`
	UpdatedAt            time.Time `json:"updated_at"`
}

// Title is the product's name with its size, as shown in lists and on labels.
func (p Product) Title() string {
	if p.Size == "" {
		return p.Name
	}
	return p.Name + " (" + p.Size + ")"
}

// CategoryRef names a category by its name or its id; JSON may send either a string or a number.
type CategoryRef string

// UnmarshalJSON accepts "Seating", "3" or 3.
func (c *CategoryRef) UnmarshalJSON(b []byte) error {
	var n json.Number
	if err := json.Unmarshal(b, &n); err == nil {
		*c = CategoryRef(n.String())
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	*c = CategoryRef(s)
	return nil
}

// ProductInput is what creates or changes a product, from a form or the API.
type ProductInput struct {
	Name                 string      `json:"name" form:"name" validate:"required,max=200"`
	Category             CategoryRef `json:"category" form:"category" validate:"required,max=100"`
	Kind                 string      `json:"kind" form:"kind" validate:"required,oneof=returnable consumable"`
	Manufacturer         string      `json:"manufacturer" form:"manufacturer" validate:"max=200"`
	Model                string      `json:"model" form:"model" validate:"max=200"`
	Size                 string      `json:"size" form:"size" validate:"max=100"`
	ServiceIntervalDays  int         `json:"service_interval_days" form:"service_interval_days" validate:"gte=0,lte=3650"`
	NeedsDecontamination *bool       `json:"needs_decontamination" form:"needs_decontamination"`
	ReorderLevel         int         `json:"reorder_level" form:"reorder_level" validate:"gte=0,lte=1000000"`
	Stock                int         `json:"stock" form:"stock" validate:"gte=0,lte=1000000"`
	UnitCostPence        *int        `json:"unit_cost_pence" form:"unit_cost_pence" validate:"omitempty,gte=0,lte=100000000"`
	MinAgeYears          *int        `json:"min_age_years" form:"min_age_years" validate:"omitempty,gte=0,lte=25"`
	MaxAgeYears          *int        `json:"max_age_years" form:"max_age_years" validate:"omitempty,gte=0,lte=25"`
	Notes                string      `json:"notes" form:"notes" validate:"max=2000" text:"multiline"`
}

// Item is one labelled unit of a returnable product.
type Item struct {
	ID             int64      `json:"id"`
	Tag            string     `json:"tag"`
	Product        ProductRef `json:"product"`
	Category       string     `json:"category"`
	Serial         string     `json:"serial"`
	Condition      string     `json:"condition"`
	Status         Status     `json:"status"`
	Location       string     `json:"location"`
	AcquiredOn     *string    `json:"acquired_on"`
	NextServiceDue *string    `json:"next_service_due"`
	Notes          string     `json:"notes"`
	LoanID         *int64     `json:"loan_id"`
	// AwaitingCleaning is set while a returned item waits for decontamination.
	AwaitingCleaning bool      `json:"awaiting_cleaning"`
	CreatedAt        time.Time `json:"created_at"`
	UpdatedAt        time.Time `json:"updated_at"`
}

// ProductRef is the part of a product an item carries: its name and size apart, as the
// catalogue keeps them, and DisplayName, the two together as pages and labels show them.
type ProductRef struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	Size        string `json:"size"`
	DisplayName string `json:"display_name"`
}

// productRef names a product: "Activity chair (Size 2)" when it has a size.
func productRef(id int64, name, size string) ProductRef {
	display := name
	if size != "" {
		display += " (" + size + ")"
	}
	return ProductRef{ID: id, Name: name, Size: size, DisplayName: display}
}

// ServiceOverdue reports whether the item's service date has passed on the given day.
func (it Item) ServiceOverdue(today string) bool {
	return it.NextServiceDue != nil && *it.NextServiceDue < today
}

// StateLabel is the item's status in words, saying what a returned item waits for.
func (it Item) StateLabel() string { return StateLabel(it.Status, it.AwaitingCleaning) }

// ItemInput creates items: one, or several units of the same product at once.
type ItemInput struct {
	ProductID  int64  `json:"product_id" form:"product_id" validate:"required,gt=0"`
	Serial     string `json:"serial" form:"serial" validate:"max=100"`
	Condition  string `json:"condition" form:"condition" validate:"omitempty,oneof=new good fair poor"`
	Tag        string `json:"tag" form:"tag" validate:"max=40"`
	Location   string `json:"location" form:"location" validate:"max=200"`
	AcquiredOn string `json:"acquired_on" form:"acquired_on" validate:"omitempty,datetime=2006-01-02"`
	Notes      string `json:"notes" form:"notes" validate:"max=2000" text:"multiline"`
	// Quantity is how many units to add; forms use it, the API adds one.
	Quantity int `json:"-" form:"quantity" validate:"omitempty,gte=1,lte=500"`
}

// ItemUpdate changes an item's descriptive fields; its status changes only through actions.
type ItemUpdate struct {
	Serial     string `json:"serial" form:"serial" validate:"max=100"`
	Condition  string `json:"condition" form:"condition" validate:"required,oneof=new good fair poor"`
	Location   string `json:"location" form:"location" validate:"max=200"`
	AcquiredOn string `json:"acquired_on" form:"acquired_on" validate:"omitempty,datetime=2006-01-02"`
	Notes      string `json:"notes" form:"notes" validate:"max=2000" text:"multiline"`
}

// ItemFilter selects items for a list.
type ItemFilter struct {
	Query      string
	Status     Status
	CategoryID int64
	ProductID  int64
	Limit      int
	Offset     int
	// CountUpTo stops counting matches past this many (0 counts them all): a list page
	// that says "more than 1,000" need not count 16,000 chairs.
	CountUpTo int
}

// ProductFilter selects products for a list.
type ProductFilter struct {
	Query      string
	CategoryID int64
	Kind       string
	Limit      int
	Offset     int
}

// NormalizeTag turns whatever was typed or scanned into a tag: a label's whole URL
// ("https://…/t/kl-000123") or the tag itself, in any case, with spaces around it.
func NormalizeTag(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndex(s, "/t/"); i >= 0 {
		s = s[i+3:]
	}
	if i := strings.IndexAny(s, "?#/"); i >= 0 {
		s = s[:i]
	}
	return strings.ToUpper(strings.TrimSpace(s))
}

// validTag reports whether a normalised tag is short and uses only letters, digits and hyphens.
func validTag(tag string) bool {
	if tag == "" || len(tag) > 40 {
		return false
	}
	for _, r := range tag {
		if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return tag[0] != '-'
}

// formatTag makes the tag for the n-th generated label.
func formatTag(prefix string, n int64) string {
	s := strconv.FormatInt(n, 10)
	if len(s) < 6 {
		s = strings.Repeat("0", 6-len(s)) + s
	}
	return prefix + s
}
