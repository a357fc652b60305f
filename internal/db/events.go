package db

import (
	"context"
	"encoding/json"
	"errors"
	"time"
)

// Entity is the kind of record a history event is about; with the record's id it says
// which one. The strings are what the events table holds, so they never change.
type Entity string

const (
	EntityItem     Entity = "item"     // one labelled unit of equipment
	EntityProduct  Entity = "product"  // a catalogue line, returnable or consumable
	EntityCategory Entity = "category" // a group of products
	EntityChild    Entity = "child"    // a child the store lends to
	EntityLoan     Entity = "loan"     // items issued to a child together
	EntityRequest  Entity = "request"  // a therapist's request for equipment for a child
	EntityUser     Entity = "user"     // a staff or therapist account
	EntitySettings Entity = "settings" // the store's settings, always id 0
	EntityExport   Entity = "export"   // an export of personal data, always id 0
)

// Action is what happened: the event's name. Every event kitloan writes is named here,
// with the records it is written on and when. The strings are what the events table
// holds, so they never change; an item's transitions are named by inventory.Action,
// which is this type.
type Action string

const (
	// On a child, product, item, category or user: the record was added.
	ActionCreated Action = "created"
	// On a child, product, item, category or user, or the settings: the record was
	// edited; its details name what changed.
	ActionUpdated Action = "updated"

	// On an item, by inventory.Transition, named after the move through the item states:
	ActionAllocate        Action = "allocate"         // reserved for a request
	ActionRelease         Action = "release"          // no longer reserved for a request
	ActionIssue           Action = "issue"            // issued on a loan
	ActionReturn          Action = "return"           // booked back in from a loan
	ActionReportLost      Action = "report_lost"      // reported lost on loan; also on the loan
	ActionFound           Action = "found"            // a lost item turned up; also on the loan
	ActionInspectPass     Action = "inspect_pass"     // passed inspection after a return
	ActionInspectFail     Action = "inspect_fail"     // failed inspection after a return
	ActionSendToRepair    Action = "send_to_repair"   // sent for service or repair
	ActionRepaired        Action = "repaired"         // back from repair
	ActionQuarantine      Action = "quarantine"       // held back, as by a recall
	ActionClearQuarantine Action = "clear_quarantine" // released from quarantine
	ActionRetire          Action = "retire"           // taken out of use for good

	// On an item: cleaned (decontaminated) after a return.
	ActionCleaned Action = "cleaned"
	// On an item: a maintenance record (service, inspection, safety test, repair) was written.
	ActionMaintenance Action = "maintenance"
	// On an item: the action a recall asks for was done to it.
	ActionRecallActionDone Action = "recall_action_done"

	// On a loan: issued to a child. On a consumable product: some given to a child.
	ActionIssued Action = "issued"
	// On a loan: some of its items were booked back in.
	ActionReturned Action = "returned"
	// On a loan: none of its items is out any more.
	ActionClosed Action = "closed"
	// On a loan: its review date was moved on.
	ActionReviewExtended Action = "review_extended"
	// On a loan: a date for the items to come back was set.
	ActionReturnDateSet Action = "return_date_set"
	// On a loan: its place (home, school, clinic), address or recipient changed.
	ActionMoved Action = "moved"
	// On a loan: its agreement was printed.
	ActionAgreementPrinted Action = "agreement_printed"
	// On a loan: its signed agreement was recorded.
	ActionAgreementSigned Action = "agreement_signed"

	// On a child: a consumable was given to them.
	ActionConsumableIssued Action = "consumable_issued"
	// On a child: they left the service.
	ActionDischarged Action = "discharged"
	// On a child: their personal details were removed after the retention period.
	ActionAnonymised Action = "anonymised"

	// On a consumable product: stock was received, counted or written off.
	ActionStockReceived   Action = "stock_received"
	ActionStockCounted    Action = "stock_counted"
	ActionStockWrittenOff Action = "stock_written_off"
	// On a product: a recall notice was recorded against it.
	ActionRecalled Action = "recalled"
	// On a product: its recall was closed.
	ActionRecallClosed Action = "recall_closed"

	// On a request: a therapist asked for equipment.
	ActionSubmitted Action = "submitted"
	// On a request, named after the status it moved to:
	ActionApproved  Action = "approved"  // the store agreed to it, or let its items go
	ActionAllocated Action = "allocated" // items were reserved for it
	ActionFulfilled Action = "fulfilled" // a loan met it
	ActionDeclined  Action = "declined"  // the store turned it down
	ActionCancelled Action = "cancelled" // it is no longer needed
	// On a request: a recall took back an item reserved for it.
	ActionAllocationRecalled Action = "allocation_recalled"

	// On a user: an API token was made.
	ActionTokenCreated Action = "token_created"
	// On a user: an API token was revoked.
	ActionTokenRevoked Action = "token_revoked"

	// On an export: someone exported personal data from the reports (what, how many rows).
	ActionExported Action = "exported"
)

// Event is one row of the append-only history.
type Event struct {
	ID       int64          `json:"id"`
	At       time.Time      `json:"at"`
	Actor    string         `json:"actor"`
	Entity   Entity         `json:"entity"`
	EntityID int64          `json:"entity_id"`
	Action   Action         `json:"action"`
	Details  map[string]any `json:"details,omitempty"`
}

// RecordEvent appends a history event inside tx, at the transaction's time, by the
// context's actor.
func RecordEvent(tx *Tx, entity Entity, id int64, action Action, details map[string]any) error {
	return RecordEventAt(tx, tx.Now, ActorFrom(tx.Ctx), entity, id, action, details)
}

// RecordEventAt appends a history event inside tx at a given time by a given actor: the
// one statement that writes history. The demo calls it directly to back-date years of use.
func RecordEventAt(tx *Tx, at time.Time, by Actor, entity Entity, id int64, action Action, details map[string]any) error {
	if entity == "" || action == "" {
		return errors.New("record event: an event needs an entity and an action")
	}
	js := []byte("{}")
	if len(details) > 0 {
		var err error
		if js, err = json.Marshal(details); err != nil {
			return err
		}
	}
	var actorID any
	if by.UserID != 0 {
		actorID = by.UserID
	}
	_, err := tx.Exec(`INSERT INTO events (at, actor_id, actor, entity, entity_id, action, details) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		at.UTC().Format(time.RFC3339), actorID, by.Name, string(entity), id, string(action), string(js))
	return err
}

// Events lists an entity's history, newest first.
func (d *DB) Events(ctx context.Context, entity Entity, id int64, limit, offset int) ([]Event, int, error) {
	var total int
	if err := d.QueryRow(ctx, `SELECT count(*) FROM events WHERE entity = ? AND entity_id = ?`, string(entity), id).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := d.Query(ctx, `SELECT id, at, actor, entity, entity_id, action, details FROM events
		WHERE entity = ? AND entity_id = ? ORDER BY id DESC LIMIT ? OFFSET ?`, string(entity), id, limit, offset)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var e Event
		var at, details string
		if err := rows.Scan(&e.ID, &at, &e.Actor, &e.Entity, &e.EntityID, &e.Action, &details); err != nil {
			return nil, 0, err
		}
		e.At, _ = time.Parse(time.RFC3339, at)
		if details != "{}" {
			_ = json.Unmarshal([]byte(details), &e.Details)
		}
		out = append(out, e)
	}
	return out, total, rows.Err()
}
