package inventory

import (
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"kitloan/internal/db"
	"kitloan/internal/errs"
)

// Action is something done to an item that may change its status. The item's history
// event is named after it, so it is the history's own type, declared with the other event
// names in the ground.
type Action = db.Action

// The actions of docs/DOMAIN.md §2 "Item states".
const (
	Allocate        = db.ActionAllocate
	Release         = db.ActionRelease
	Issue           = db.ActionIssue
	Return          = db.ActionReturn
	ReportLost      = db.ActionReportLost
	Found           = db.ActionFound
	InspectPass     = db.ActionInspectPass
	InspectFail     = db.ActionInspectFail
	SendToRepair    = db.ActionSendToRepair
	Repaired        = db.ActionRepaired
	Quarantine      = db.ActionQuarantine
	ClearQuarantine = db.ActionClearQuarantine
	Retire          = db.ActionRetire
)

// transition is one allowed move: from any of the listed statuses to the target.
type transition struct {
	from []Status
	to   Status
	verb string // how the refusal reads: "… so it cannot be <verb>"
}

// transitions is the item state machine, the only place it is written down. Found returns
// a lost item to the loan it was lost from; the store books it in with Return as usual.
var transitions = map[Action]transition{
	Allocate:        {[]Status{Available}, Reserved, "allocated"},
	Release:         {[]Status{Reserved}, Available, "released"},
	Issue:           {[]Status{Available, Reserved}, OnLoan, "issued"},
	Return:          {[]Status{OnLoan}, Returned, "booked back in"},
	ReportLost:      {[]Status{OnLoan}, Lost, "reported lost"},
	Found:           {[]Status{Lost}, OnLoan, "marked found"},
	InspectPass:     {[]Status{Returned}, Available, "passed inspection"},
	InspectFail:     {[]Status{Returned}, InRepair, "failed at inspection"},
	SendToRepair:    {[]Status{Available}, InRepair, "sent for service or repair"},
	Repaired:        {[]Status{InRepair}, Available, "marked repaired"},
	Quarantine:      {[]Status{Available, Reserved, Returned, InRepair}, Quarantined, "quarantined"},
	ClearQuarantine: {[]Status{Quarantined}, Available, "released from quarantine"},
	Retire:          {[]Status{Available, Returned, InRepair, Quarantined, Lost}, Retired, "retired"},
}

// Actions lists every action, for tests and pages.
func Actions() []Action {
	return []Action{Allocate, Release, Issue, Return, ReportLost, Found, InspectPass, InspectFail,
		SendToRepair, Repaired, Quarantine, ClearQuarantine, Retire}
}

// ManualActions are the ones a person takes on an item by itself, from its page or the
// API. The others happen as part of a loan, a return or a recall, which record more.
var ManualActions = []Action{InspectPass, InspectFail, SendToRepair, Repaired, ClearQuarantine, Retire}

func joinActions(as []Action) string {
	s := make([]string, len(as))
	for i, a := range as {
		s[i] = string(a)
	}
	return strings.Join(s, ", ")
}

// NextStatus returns the status an item in status from reaches by action, or false when
// the action is not allowed from there.
func NextStatus(from Status, action Action) (Status, bool) {
	t, ok := transitions[action]
	if !ok {
		return "", false
	}
	for _, s := range t.from {
		if s == from {
			return t.to, true
		}
	}
	return "", false
}

// Transition moves the item with the given tag by action inside tx and writes its event.
// It is the one function that changes an item's status: anything the state machine does
// not allow is refused with a conflict naming the item, its status and the action.
// An item whose service is overdue cannot be issued.
func Transition(tx *db.Tx, tag string, action Action, details map[string]any) (Item, error) {
	it, err := itemByTag(tx, NormalizeTag(tag))
	if err != nil {
		return Item{}, err
	}
	t, known := transitions[action]
	if !known {
		return Item{}, errs.Errorf(errs.Invalid, "Unknown action %q", action)
	}
	to, ok := NextStatus(it.Status, action)
	if !ok {
		return it, &errs.Error{Code: errs.Conflict,
			Message: fmt.Sprintf("%s is %s, so it cannot be %s.", it.Tag, strings.ToLower(it.Status.Label()), t.verb),
			Fields:  map[string]string{"tag": fmt.Sprintf("%s is %s", it.Tag, strings.ToLower(it.Status.Label()))}}
	}
	if action == Issue && it.ServiceOverdue(tx.Today()) {
		return it, &errs.Error{Code: errs.Conflict,
			Message: fmt.Sprintf("%s is overdue for service (due %s), so it cannot be issued.", it.Tag, *it.NextServiceDue),
			Fields:  map[string]string{"tag": fmt.Sprintf("%s is overdue for service", it.Tag)}}
	}
	if (action == InspectPass || action == InspectFail) && it.AwaitingCleaning {
		return it, &errs.Error{Code: errs.Conflict,
			Message: fmt.Sprintf("%s must be cleaned (decontaminated) before it is inspected.", it.Tag),
			Fields:  map[string]string{"tag": fmt.Sprintf("%s is waiting for cleaning", it.Tag)}}
	}
	// A returned item of a product that needs decontamination waits for cleaning first.
	cleaning := it.AwaitingCleaning
	if action == Return {
		if err := tx.QueryRow(`SELECT needs_decontamination FROM products WHERE id = ?`, it.Product.ID).Scan(&cleaning); err != nil {
			return it, err
		}
	}
	if _, err := tx.Exec(`UPDATE items SET status = ?, awaiting_cleaning = ?, updated_at = ? WHERE id = ?`, to, cleaning, tx.Stamp(), it.ID); err != nil {
		return it, err
	}
	it.AwaitingCleaning = cleaning
	ev := map[string]any{"from": it.Status, "to": to}
	for k, v := range details {
		ev[k] = v
	}
	if err := db.RecordEvent(tx, db.EntityItem, it.ID, action, ev); err != nil {
		return it, err
	}
	it.Status = to
	it.UpdatedAt = tx.Now
	return it, nil
}

// itemByTag reads an item inside a transaction.
func itemByTag(q db.Querier, tag string) (Item, error) {
	it, err := scanItem(q.QueryRow(itemSelect+` WHERE i.tag = ?`, tag))
	if errors.Is(err, sql.ErrNoRows) {
		return it, errs.Errorf(errs.NotFound, "No item has the tag %s.", tag)
	}
	return it, err
}
