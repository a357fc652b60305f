package demo

import (
	"database/sql"
	"fmt"
	"math/rand/v2"
	"time"

	"kitloan/internal/db"
	"kitloan/inventory"
)

// generator writes items, children, loans and requests straight into the database in one
// transaction with prepared statements, fast enough for 100,000 items in seconds, and
// their history back-dated through db.RecordEventAt, the one writer of events. It keeps
// the invariants the stores keep (an item on loan has exactly one open loan line; every
// change has its event), so the result looks like years of real use.
type generator struct {
	rng *rand.Rand
	// fulfilRNG decides which open loans met a request, and how long the request waited,
	// apart from rng so that the rest of the demo stays as it was before those requests.
	fulfilRNG  *rand.Rand
	products   []inventory.Product
	therapists []int64
	staff      int64
	now        time.Time

	stmts map[string]*sql.Stmt
	tx    *db.Tx
}

var givenNames = []string{"Zoë", "Oliver", "Amelia", "Łukasz", "Ava", "Mohammed", "Isla", "Noah", "Freya", "Ольга", "Leo", "Aisha",
	"Arlo", "Maya", "Theo", "Ivy", "Nguyễn Minh", "Poppy", "Finn", "Siobhán", "Kai", "Esme", "Reuben", "Niamh", "Yusuf", "Hana"}
var familyNames = []string{"Adeyemi", "Brown", "Łukasiewicz", "Chen", "Davies", "Evans", "Fitzgerald", "García", "Hughes", "Iqbal",
	"Jones", "Kowalski", "Lewis", "Mensah", "Nguyễn", "O'Brien", "Patel", "Петренко", "Quinn", "Roberts", "Singh", "Taylor", "Walsh"}
var settings = []string{"Hilltop Primary School", "Riverside Academy", "St Anne's Infant School", "Oakfield Special School",
	"Brookside Nursery", "Meadow Lane Primary", "Castle Hill Secondary"}
var streets = []string{"Acacia Avenue", "Brook Lane", "Chapel Street", "Dale Road", "Elm Close", "Foundry Way", "Granary Court"}

func (g *generator) prepare(name, query string) error {
	st, err := g.tx.Prepare(query)
	if err != nil {
		return fmt.Errorf("prepare %s: %w", name, err)
	}
	g.stmts[name] = st
	return nil
}

func (g *generator) exec(name string, args ...any) (int64, error) {
	res, err := g.stmts[name].Exec(args...)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", name, err)
	}
	return res.LastInsertId()
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }
func date(t time.Time) string  { return t.Format(db.DateLayout) }

// event appends a history row back-dated to at, as the service writes it, by the store's
// demo account or, for actor 0, by the system.
func (g *generator) event(at time.Time, actor int64, entity db.Entity, id int64, action db.Action, details map[string]any) error {
	by := db.Actor{UserID: g.staff, Name: "Sam Store"}
	if actor != g.staff {
		by = db.Actor{Name: "system"}
	}
	return db.RecordEventAt(g.tx, at, by, entity, id, action, details)
}

// nhsNumber makes a number in the 999 range the NHS keeps for testing, with a valid check digit.
func (g *generator) nhsNumber() string {
	for {
		d := fmt.Sprintf("999%06d", g.rng.IntN(1000000))
		sum := 0
		for i := range 9 {
			sum += int(d[i]-'0') * (10 - i)
		}
		check := 11 - sum%11
		if check == 11 {
			check = 0
		}
		if check != 10 {
			return d + fmt.Sprint(check)
		}
	}
}

func (g *generator) fill(tx *db.Tx, items int) error {
	g.tx, g.stmts = tx, map[string]*sql.Stmt{}
	for name, q := range map[string]string{
		"item":      `INSERT INTO items (tag, product_id, serial, condition, status, location, acquired_on, next_service_due, notes, created_at, updated_at, awaiting_cleaning) VALUES (?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?, ?)`,
		"child":     `INSERT INTO children (reference, given_name, family_name, date_of_birth, nhs_number, address, setting, setting_address, therapist_id, notes, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, '', ?, '', ?, ?)`,
		"carer":     `INSERT INTO carers (child_id, position, name, relationship, phone, email) VALUES (?, 0, ?, ?, ?, '')`,
		"loan":      `INSERT INTO loans (child_id, request_id, location, address, recipient, recipient_relationship, review_date, issued_at, issued_by, closed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		"loan_item": `INSERT INTO loan_items (loan_id, item_id, issued_condition, returned_at, return_condition) VALUES (?, ?, ?, ?, ?)`,
		"request":   `INSERT INTO requests (child_id, product_id, quantity, priority, deliver_to, delivery_address, reason, status, requested_by, created_at, updated_at) VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?)`,
		"fulfil":    `UPDATE requests SET status = 'fulfilled', status_note = ?, updated_at = ?, fulfilled_at = ? WHERE id = ?`,
		"consume":   `INSERT INTO consumable_issues (product_id, child_id, quantity, issued_on, issued_by, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
	} {
		if err := g.prepare(name, q); err != nil {
			return err
		}
	}
	defer func() {
		for _, st := range g.stmts {
			st.Close()
		}
	}()
	children, err := g.children(max(items/10, 3))
	if err != nil {
		return err
	}
	var returnable, consumable []inventory.Product
	for _, p := range g.products {
		if p.Kind == inventory.Returnable {
			returnable = append(returnable, p)
		} else {
			consumable = append(consumable, p)
		}
	}
	conditions := []string{"new", "good", "good", "good", "fair", "fair", "poor"}
	var open []openLoan
	for i := range items {
		p := returnable[i%len(returnable)]
		if err := g.item(i+1, p, conditions[g.rng.IntN(len(conditions))], children, &open); err != nil {
			return err
		}
	}
	if _, err := tx.Exec(`INSERT INTO counters (name, value) VALUES ('item_tag', ?), ('child_reference', ?)
		ON CONFLICT(name) DO UPDATE SET value = excluded.value`, items, len(children)); err != nil {
		return err
	}
	if err := g.openLoans(open); err != nil {
		return err
	}
	return g.requestsAndConsumables(children, returnable, consumable)
}

type child struct {
	id             int64
	name, address  string
	setting, carer string
	therapist      int64
}

func (g *generator) children(n int) ([]child, error) {
	out := make([]child, 0, n)
	for i := range n {
		given, family := givenNames[g.rng.IntN(len(givenNames))], familyNames[g.rng.IntN(len(familyNames))]
		born := g.now.AddDate(-2-g.rng.IntN(14), -g.rng.IntN(12), -g.rng.IntN(28))
		c := child{name: given + " " + family, setting: settings[g.rng.IntN(len(settings))],
			address: fmt.Sprintf("%d %s, Exampleton, EX%d %dAB", 1+g.rng.IntN(120), streets[g.rng.IntN(len(streets))], 1+g.rng.IntN(9), 1+g.rng.IntN(9)),
			carer:   []string{"Alex", "Sam", "Jo", "Chris", "Robin"}[g.rng.IntN(5)] + " " + family}
		created := g.now.AddDate(-2, 0, g.rng.IntN(300))
		c.therapist = g.therapists[g.rng.IntN(len(g.therapists))]
		id, err := g.exec("child", fmt.Sprintf("C-%06d", i+1), given, family, date(born), g.nhsNumber(), c.address, c.setting,
			c.therapist, stamp(created), stamp(created))
		if err != nil {
			return nil, err
		}
		c.id = id
		if _, err := g.exec("carer", id, c.carer, []string{"mother", "father", "carer", "grandparent"}[g.rng.IntN(4)],
			fmt.Sprintf("07700 9%05d", g.rng.IntN(100000))); err != nil {
			return nil, err
		}
		if err := g.event(created, g.staff, db.EntityChild, id, db.ActionCreated, map[string]any{"reference": fmt.Sprintf("C-%06d", i+1)}); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// openLoan is an item that ends up on loan, to be grouped into loans of one to three items.
type openLoan struct {
	itemID    int64
	productID int64
	tag       string
	condition string
	child     child
	issued    time.Time
}

// item writes one item with its history: two or three past loans (issued, returned,
// cleaned, inspected), a service if the product has an interval, and a final state.
func (g *generator) item(n int, p inventory.Product, condition string, children []child, open *[]openLoan) error {
	tag := fmt.Sprintf("KL-%06d", n)
	acquired := g.now.AddDate(-3, 0, g.rng.IntN(365))
	status, cleaning := inventory.Available, false
	switch r := g.rng.IntN(100); {
	case r < 38:
		status = inventory.OnLoan
	case r < 43:
		status, cleaning = inventory.Returned, p.NeedsDecontamination && g.rng.IntN(2) == 0
	case r < 46:
		status = inventory.InRepair
	case r < 48:
		status = inventory.Retired
	case r < 49:
		status = inventory.Quarantined
	}
	var due any
	if p.ServiceIntervalDays > 0 {
		due = date(g.now.AddDate(0, 0, g.rng.IntN(p.ServiceIntervalDays+30)-30))
	}
	id, err := g.exec("item", tag, p.ID, fmt.Sprintf("SN%d-%06d", p.ID, n), condition, string(status),
		fmt.Sprintf("Store, bay %d", 1+g.rng.IntN(12)), date(acquired), due, stamp(acquired), stamp(g.now), cleaning)
	if err != nil {
		return err
	}
	if err := g.event(acquired, g.staff, db.EntityItem, id, db.ActionCreated, map[string]any{"tag": tag, "product": p.Title(), "status": "available"}); err != nil {
		return err
	}
	// Past loans, each closed, in the years since the item was bought.
	at := acquired
	for range 2 {
		c := children[g.rng.IntN(len(children))]
		issued := at.Add(time.Duration(1+g.rng.IntN(20)) * 24 * time.Hour)
		back := issued.Add(time.Duration(60+g.rng.IntN(200)) * 24 * time.Hour)
		if back.After(g.now.AddDate(0, 0, -30)) {
			break
		}
		loanID, err := g.exec("loan", c.id, nil, "home", c.address, c.carer, "parent", date(issued.AddDate(0, 6, 0)), stamp(issued), g.staff, stamp(back))
		if err != nil {
			return err
		}
		if _, err := g.exec("loan_item", loanID, id, condition, stamp(back), condition); err != nil {
			return err
		}
		for _, e := range []struct {
			at       time.Time
			action   db.Action
			from, to string
		}{
			{issued, inventory.Issue, "available", "on_loan"},
			{back, inventory.Return, "on_loan", "returned"},
			{back.Add(2 * time.Hour), db.ActionCleaned, "", ""},
			{back.Add(26 * time.Hour), inventory.InspectPass, "returned", "available"},
		} {
			details := map[string]any{"loan_id": loanID}
			if e.from != "" {
				details["from"], details["to"] = e.from, e.to
			}
			if err := g.event(e.at, g.staff, db.EntityItem, id, e.action, details); err != nil {
				return err
			}
		}
		at = back.Add(48 * time.Hour)
	}
	if p.ServiceIntervalDays > 0 {
		if err := g.event(at.Add(time.Hour), g.staff, db.EntityItem, id, db.ActionMaintenance, map[string]any{"kind": "service", "outcome": "pass"}); err != nil {
			return err
		}
	}
	switch status {
	case inventory.OnLoan:
		*open = append(*open, openLoan{itemID: id, productID: p.ID, tag: tag, condition: condition, child: children[g.rng.IntN(len(children))],
			issued: g.now.AddDate(0, 0, -g.rng.IntN(300))})
	case inventory.InRepair, inventory.Retired, inventory.Quarantined, inventory.Returned:
		action := map[inventory.Status]inventory.Action{inventory.InRepair: inventory.SendToRepair, inventory.Retired: inventory.Retire,
			inventory.Quarantined: inventory.Quarantine, inventory.Returned: inventory.Return}[status]
		if err := g.event(g.now.AddDate(0, 0, -g.rng.IntN(20)), g.staff, db.EntityItem, id, action, map[string]any{"to": string(status)}); err != nil {
			return err
		}
	}
	return nil
}

// openLoans groups the items on loan into loans of one to three items for one child.
// About one loan in three met a request, fulfilled when the loan was issued.
func (g *generator) openLoans(open []openLoan) error {
	for i := 0; i < len(open); {
		k := min(1+g.rng.IntN(3), len(open)-i)
		first := open[i]
		location := []string{"home", "home", "school", "clinic"}[g.rng.IntN(4)]
		address := first.child.address
		if location == "school" {
			address = first.child.setting
		}
		var request *int64
		if g.fulfilRNG.IntN(3) == 0 {
			id, err := g.approvedRequest(first, location, address)
			if err != nil {
				return err
			}
			request = &id
		}
		review := first.issued.AddDate(0, 6, 0)
		loanID, err := g.exec("loan", first.child.id, request, location, address, first.child.carer, "parent", date(review), stamp(first.issued), g.staff, nil)
		if err != nil {
			return err
		}
		var tags []string
		for _, o := range open[i : i+k] {
			if _, err := g.exec("loan_item", loanID, o.itemID, o.condition, nil, nil); err != nil {
				return err
			}
			if err := g.event(first.issued, g.staff, db.EntityItem, o.itemID, inventory.Issue, map[string]any{"from": "available", "to": "on_loan", "loan_id": loanID}); err != nil {
				return err
			}
			tags = append(tags, o.tag)
		}
		if request != nil {
			if err := g.fulfil(*request, loanID, first.issued); err != nil {
				return err
			}
		}
		if err := g.event(first.issued, g.staff, db.EntityLoan, loanID, db.ActionIssued, map[string]any{"child_id": first.child.id, "tags": tags}); err != nil {
			return err
		}
		i += k
	}
	return nil
}

// approvedRequest writes the request a loan about to be issued meets: made by the child's
// therapist for the first item's product, up to two weeks before the loan (urgent ones
// sooner), and approved by the store in between. Most meet their target of working days
// (loans.Targets) and some do not, so the reports' turnaround figures have both.
func (g *generator) approvedRequest(o openLoan, deliverTo, address string) (int64, error) {
	priority, waitDays := "standard", g.fulfilRNG.IntN(14)
	if g.fulfilRNG.IntN(4) == 0 {
		priority, waitDays = "urgent", g.fulfilRNG.IntN(4)
	}
	created := o.issued.AddDate(0, 0, -waitDays).Add(-time.Duration(1+g.fulfilRNG.IntN(6)) * time.Hour)
	approved := created.Add(o.issued.Sub(created) / 2)
	id, err := g.exec("request", o.child.id, o.productID, priority, deliverTo, address, requestReasons[g.fulfilRNG.IntN(len(requestReasons))],
		"approved", o.child.therapist, stamp(created), stamp(approved))
	if err != nil {
		return 0, err
	}
	if err := g.event(created, 0, db.EntityRequest, id, db.ActionSubmitted, map[string]any{"child_id": o.child.id, "product_id": o.productID, "priority": priority}); err != nil {
		return 0, err
	}
	return id, g.event(approved, g.staff, db.EntityRequest, id, db.ActionApproved, map[string]any{"from": "submitted", "to": "approved"})
}

// fulfil marks the request met by the loan issued at issued, as IssueLoan does: the
// loan's reference as the status note, and its event.
func (g *generator) fulfil(requestID, loanID int64, issued time.Time) error {
	note := fmt.Sprintf("L-%06d", loanID)
	if _, err := g.exec("fulfil", note, stamp(issued), stamp(issued), requestID); err != nil {
		return err
	}
	return g.event(issued, g.staff, db.EntityRequest, requestID, db.ActionFulfilled, map[string]any{"from": "approved", "to": "fulfilled", "note": note})
}

// requestReasons are what the demo's therapists write when they ask for equipment.
var requestReasons = []string{"Needs supported upright sitting at the table for meals and handwriting.",
	"Grip weakness: struggling with standard cutlery.", "Growing out of current chair.",
	"Transfers at school are unsafe without support."}

// requestsAndConsumables gives about one child in twelve an open request and one in six a
// consumable, so the queue and the children's pages have something in them.
func (g *generator) requestsAndConsumables(children []child, returnable, consumable []inventory.Product) error {
	for i, c := range children {
		if i%12 == 0 {
			p := returnable[g.rng.IntN(len(returnable))]
			created := g.now.AddDate(0, 0, -g.rng.IntN(15))
			status := []string{"submitted", "submitted", "approved"}[g.rng.IntN(3)]
			priority := []string{"standard", "standard", "urgent"}[g.rng.IntN(3)]
			id, err := g.exec("request", c.id, p.ID, priority, "home", c.address, requestReasons[g.rng.IntN(len(requestReasons))], status,
				g.therapists[g.rng.IntN(len(g.therapists))], stamp(created), stamp(created))
			if err != nil {
				return err
			}
			if err := g.event(created, 0, db.EntityRequest, id, db.ActionSubmitted, map[string]any{"child_id": c.id, "product_id": p.ID, "priority": priority}); err != nil {
				return err
			}
		}
		if i%6 == 0 && len(consumable) > 0 {
			p := consumable[g.rng.IntN(len(consumable))]
			on := g.now.AddDate(0, 0, -g.rng.IntN(400))
			if _, err := g.exec("consume", p.ID, c.id, 1+g.rng.IntN(2), date(on), g.staff, stamp(on)); err != nil {
				return err
			}
		}
	}
	return nil
}
