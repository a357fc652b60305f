package privacy

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"kitloan/accounts"
	"kitloan/internal/db"
	"kitloan/internal/errs"
	"kitloan/loans"
	"kitloan/papers"
)

// Anonymising a child (docs/DOMAIN.md §3): once a child has been discharged and is past the
// retention period — kept until a birthday, the 25th by default, as NHS records guidance
// for children says — their personal details are removed while the equipment history
// stays, so that figures and each item's history still add up.
//
// What goes: name (the record reads "Anonymised child"), the day and month of birth (the
// year stays, for figures by age; alone it identifies no one), NHS number, home address,
// school or setting and its address, notes, every carer; on their loans the recipient
// and address; on their requests the delivery address, the clinical reason and status
// notes; on their agreements the signer's name and relationship, the signature drawn on
// screen and the signed copy; recall notes about them; and in the history, every detail
// of their events (and of their items' loan events) that is not on a short list of
// details known to hold no personal data — reasons, notes, the old reference, the school.
// Free text elsewhere (maintenance notes, item notes, other events) is swept for their
// full name and NHS number. The reference becomes ANON-000123 (the record's number).
//
// What stays: the child's row with its lead therapist, dates of discharge and creation;
// loans with their place (home, school, clinic), dates and items; requests with product,
// quantity, priority and dates; agreement states and dates; consumables; the history's
// events themselves; and who read the record (which names only staff).

// DefaultRetentionYears is how old a discharged child becomes before their record may be
// anonymised, when the service has not set its own (settings: retention_years_after_birth).
const DefaultRetentionYears = 25

// RetentionCandidate is a discharged child past the retention period: eligible to be
// anonymised unless Blocked says why not yet.
type RetentionCandidate struct {
	ChildID      int64  `json:"child_id"`
	Reference    string `json:"reference"`
	Name         string `json:"name"`
	DateOfBirth  string `json:"date_of_birth"`
	DischargedOn string `json:"discharged_on"`
	KeptUntil    string `json:"kept_until"` // the birthday from which the record may be anonymised
	ItemsOut     int    `json:"items_out"`
	OpenRequests int    `json:"open_requests"`
	Loans        int    `json:"loans"`
}

// Blocked says why a child past retention cannot be anonymised yet, or "" when they can.
func (c RetentionCandidate) Blocked() string {
	var why []string
	if c.ItemsOut > 0 {
		why = append(why, loans.Plural(c.ItemsOut, "item")+" still on loan: book them in, or record them lost")
	}
	if c.OpenRequests > 0 {
		why = append(why, loans.Plural(c.OpenRequests, "open request")+": decline or cancel them")
	}
	return strings.Join(why, "; ")
}

// keptUntil is the birthday of the given age: the day a record may be anonymised. A
// birthday on 29 February falls on 1 March in other years.
func keptUntil(dob string, years int) (string, bool) {
	t, err := time.Parse(db.DateLayout, dob)
	if err != nil {
		return "", false
	}
	return t.AddDate(years, 0, 0).Format(db.DateLayout), true
}

const candidateSelect = `SELECT c.id, c.reference, c.given_name || ' ' || c.family_name, c.date_of_birth, c.discharged_on,
	(SELECT count(*) FROM loan_items li JOIN loans l ON l.id = li.loan_id JOIN items i ON i.id = li.item_id
		WHERE l.child_id = c.id AND li.returned_at IS NULL AND i.status = 'on_loan'),
	(SELECT count(*) FROM requests r WHERE r.child_id = c.id AND r.status IN ('submitted', 'approved', 'allocated')),
	(SELECT count(*) FROM loans l WHERE l.child_id = c.id)
	FROM children c WHERE c.anonymised_at IS NULL AND c.discharged_on IS NOT NULL AND c.discharged_on <= ?`

func scanCandidates(rows *sql.Rows, today string, years int) ([]RetentionCandidate, error) {
	defer rows.Close()
	var out []RetentionCandidate
	for rows.Next() {
		var c RetentionCandidate
		if err := rows.Scan(&c.ChildID, &c.Reference, &c.Name, &c.DateOfBirth, &c.DischargedOn, &c.ItemsOut, &c.OpenRequests, &c.Loans); err != nil {
			return nil, err
		}
		until, ok := keptUntil(c.DateOfBirth, years)
		if !ok || until > today {
			continue
		}
		c.KeptUntil = until
		out = append(out, c)
	}
	return out, rows.Err()
}

func checkRetentionYears(years int) error {
	if years < 1 || years > 120 {
		return errs.Field("retention_years_after_birth", "must be a whole number of years from 1 to 120")
	}
	return nil
}

// RetentionDue lists the discharged children past the retention period (kept until their
// birthday of that age), oldest discharge first: those that may be anonymised now, and
// those held back (equipment still out, open requests). Only admins may see it.
func (s *Store) RetentionDue(ctx context.Context, u accounts.User, years int) (due, held []RetentionCandidate, err error) {
	if u.Role != accounts.Admin {
		return nil, nil, errs.Errorf(errs.Forbidden, "Only an admin can anonymise children’s records.")
	}
	if err := checkRetentionYears(years); err != nil {
		return nil, nil, err
	}
	today := s.db.Now().Format(db.DateLayout)
	rows, err := s.db.Read.QueryContext(ctx, candidateSelect+` ORDER BY c.discharged_on, c.id`, today)
	if err != nil {
		return nil, nil, err
	}
	all, err := scanCandidates(rows, today, years)
	if err != nil {
		return nil, nil, err
	}
	due, held = []RetentionCandidate{}, []RetentionCandidate{}
	for _, c := range all {
		if c.Blocked() == "" {
			due = append(due, c)
		} else {
			held = append(held, c)
		}
	}
	return due, held, nil
}

// AnonymisedChild is what anonymising did to one child.
type AnonymisedChild struct {
	ChildID        int64  `json:"child_id"`
	Reference      string `json:"reference"` // the new one: ANON-000123
	Loans          int    `json:"loans"`
	Requests       int    `json:"requests"`
	Agreements     int    `json:"agreements"`
	Carers         int    `json:"carers"`
	EventsScrubbed int    `json:"events_scrubbed"`
}

// AnonymiseResult is what an anonymisation did, or with DryRun would have done.
type AnonymiseResult struct {
	DryRun   bool              `json:"dry_run"`
	Children []AnonymisedChild `json:"children"`
	// Swept counts the other free-text values (notes, other events) that named a child.
	Swept int `json:"swept"`
}

// errDryRun rolls back a dry run's transaction.
var errDryRun = errors.New("dry run")

// AnonymiseChildren anonymises the given children in one transaction: every one of them
// must be discharged, past the retention period and not holding equipment or awaiting
// it, or nothing changes and the refusal names each child and why. A dry run does all the
// work and rolls it back, so it reports exactly what would change. Only admins may.
func (s *Store) AnonymiseChildren(ctx context.Context, u accounts.User, ids []int64, years int, dryRun bool) (AnonymiseResult, error) {
	res := AnonymiseResult{DryRun: dryRun, Children: []AnonymisedChild{}}
	if u.Role != accounts.Admin {
		return res, errs.Errorf(errs.Forbidden, "Only an admin can anonymise children’s records.")
	}
	if err := checkRetentionYears(years); err != nil {
		return res, err
	}
	if len(ids) == 0 {
		return res, errs.Field("children", "choose at least one child to anonymise")
	}
	seen := map[int64]bool{}
	for _, id := range ids {
		if seen[id] {
			return res, errs.Field("children", fmt.Sprintf("child %d is listed twice", id))
		}
		seen[id] = true
	}
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		res.Children, res.Swept = res.Children[:0], 0
		// What this transaction deletes or overwrites is zeroed in the file, not left in
		// free space; the writer goes back to SQLite's default afterwards.
		var secure int
		if err := tx.QueryRow(`PRAGMA secure_delete`).Scan(&secure); err != nil {
			return err
		}
		if _, err := tx.Exec(`PRAGMA secure_delete = ON`); err != nil {
			return err
		}
		defer tx.Exec(`PRAGMA secure_delete = ` + fmt.Sprint(secure))
		problems := errs.FieldsError{}
		var people []anonTarget
		for _, id := range ids {
			t, why, err := anonTargetFor(tx, id, years)
			if err != nil {
				return err
			}
			if why != "" {
				problems.Add(fmt.Sprintf("child_%d", id), why)
				continue
			}
			people = append(people, t)
		}
		if len(problems) > 0 {
			var parts []string
			for k, v := range problems {
				parts = append(parts, "child "+strings.TrimPrefix(k, "child_")+" "+v)
			}
			slices.Sort(parts)
			return &errs.Error{Code: errs.Conflict, Message: "Nothing was anonymised, because " + strings.Join(parts, "; ") + ".",
				Fields: map[string]string(problems)}
		}
		var needles []string
		for _, t := range people {
			done, err := anonymiseOne(tx, t, years)
			if err != nil {
				return err
			}
			res.Children = append(res.Children, done)
			needles = append(needles, t.needles()...)
		}
		n, err := sweep(tx, needles)
		if err != nil {
			return err
		}
		res.Swept = n
		if dryRun {
			return errDryRun
		}
		return nil
	})
	if errors.Is(err, errDryRun) {
		err = nil
	}
	return res, err
}

// anonTarget is a child about to be anonymised, with what identifies them.
type anonTarget struct {
	id                     int64
	name, nhs              string
	loans, requests, items []int64
}

// needles are the strings that identify only this child, searched for in free text
// everywhere: their full name and NHS number. Carers' names and phone numbers and home
// addresses are not swept, because a brother or sister shares them and their records
// stay; those are removed from this child's own rows and events instead.
func (t anonTarget) needles() []string {
	var out []string
	if len([]rune(strings.TrimSpace(t.name))) >= 5 {
		out = append(out, strings.TrimSpace(t.name))
	}
	if len(t.nhs) == 10 {
		out = append(out, t.nhs, t.nhs[:3]+" "+t.nhs[3:6]+" "+t.nhs[6:])
	}
	return out
}

// anonTargetFor reads a child inside the transaction and says why they cannot be
// anonymised, if they cannot.
func anonTargetFor(tx *db.Tx, id int64, years int) (anonTarget, string, error) {
	t := anonTarget{id: id}
	var dob string
	var discharged, anonymised sql.NullString
	err := tx.QueryRow(`SELECT given_name || ' ' || family_name, nhs_number, date_of_birth, discharged_on, anonymised_at FROM children WHERE id = ?`, id).
		Scan(&t.name, &t.nhs, &dob, &discharged, &anonymised)
	if errors.Is(err, sql.ErrNoRows) {
		return t, "does not exist", nil
	}
	if err != nil {
		return t, "", err
	}
	today := tx.Today()
	switch until, ok := keptUntil(dob, years); {
	case anonymised.Valid:
		return t, "was already anonymised", nil
	case !discharged.Valid || discharged.String > today:
		return t, "has not been discharged", nil
	case !ok:
		return t, "has no date of birth to count the retention period from", nil
	case until > today:
		return t, "is kept until " + papers.UKDate(until) + " (their birthday at " + fmt.Sprint(years) + ")", nil
	}
	var c RetentionCandidate
	if err := tx.QueryRow(`SELECT
		(SELECT count(*) FROM loan_items li JOIN loans l ON l.id = li.loan_id JOIN items i ON i.id = li.item_id
			WHERE l.child_id = ? AND li.returned_at IS NULL AND i.status = 'on_loan'),
		(SELECT count(*) FROM requests r WHERE r.child_id = ? AND r.status IN ('submitted', 'approved', 'allocated'))`, id, id).
		Scan(&c.ItemsOut, &c.OpenRequests); err != nil {
		return t, "", err
	}
	if why := c.Blocked(); why != "" {
		return t, "has " + why, nil
	}
	var err2 error
	if t.loans, err2 = idList(tx, `SELECT id FROM loans WHERE child_id = ? ORDER BY id`, id); err2 != nil {
		return t, "", err2
	}
	if t.requests, err2 = idList(tx, `SELECT id FROM requests WHERE child_id = ? ORDER BY id`, id); err2 != nil {
		return t, "", err2
	}
	if t.items, err2 = idList(tx, `SELECT DISTINCT li.item_id FROM loan_items li JOIN loans l ON l.id = li.loan_id WHERE l.child_id = ? ORDER BY 1`, id); err2 != nil {
		return t, "", err2
	}
	return t, "", nil
}

func idList(tx *db.Tx, q string, args ...any) ([]int64, error) {
	rows, err := tx.Query(q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// keptDetails are the event details known to hold no personal data: statuses, dates,
// places (home, school, clinic), tags, ids, products, quantities, hashes. Every other
// detail of an anonymised child's events — reasons, notes, the old reference, the
// school's name — is removed.
var keptDetails = map[string]bool{
	"from": true, "to": true, "on": true, "child_id": true, "loan_id": true, "request_id": true, "item_id": true,
	"product_id": true, "product": true, "quantity": true, "priority": true, "tags": true, "tag": true,
	"location": true, "condition": true, "first": true, "signed_on": true, "on_screen": true, "content_type": true,
	"size": true, "sha256": true, "replaced": true, "replaced_sha256": true, "therapist_id": true,
	"address_changed": true, "stock_after": true, "change": true, "status": true, "recall_id": true,
	"kind": true, "outcome": true, "record_id": true,
}

func anonymiseOne(tx *db.Tx, t anonTarget, years int) (AnonymisedChild, error) {
	out := AnonymisedChild{ChildID: t.id, Reference: fmt.Sprintf("%s%06d", loans.AnonReferencePrefix, t.id), Loans: len(t.loans), Requests: len(t.requests)}
	var taken int
	if err := tx.QueryRow(`SELECT count(*) FROM children WHERE reference = ? AND id <> ?`, out.Reference, t.id).Scan(&taken); err != nil {
		return out, err
	}
	if taken > 0 {
		return out, errs.Errorf(errs.Conflict, "Another child already has the reference %s: change it before anonymising child %d.", out.Reference, t.id)
	}
	if err := tx.QueryRow(`SELECT count(*) FROM carers WHERE child_id = ?`, t.id).Scan(&out.Carers); err != nil {
		return out, err
	}
	steps := []struct {
		q    string
		args []any
	}{
		{`UPDATE children SET reference = ?, given_name = ?, family_name = 'child', date_of_birth = substr(date_of_birth, 1, 4),
			nhs_number = '', address = '', setting = '', setting_address = '', notes = '', anonymised_at = ?, updated_at = ? WHERE id = ?`,
			[]any{out.Reference, loans.Anonymised, tx.Stamp(), tx.Stamp(), t.id}},
		{`DELETE FROM carers WHERE child_id = ?`, []any{t.id}},
		{`UPDATE loans SET address = '', recipient = ?, recipient_relationship = '' WHERE child_id = ?`, []any{loans.Anonymised, t.id}},
		{`UPDATE requests SET delivery_address = '', reason = '', status_note = '' WHERE child_id = ?`, []any{t.id}},
		{`DELETE FROM agreement_copies WHERE loan_id IN (SELECT id FROM loans WHERE child_id = ?)`, []any{t.id}},
		{`UPDATE loan_agreements SET signer_name = CASE WHEN signer_name <> '' THEN ? ELSE '' END, signer_relationship = '',
			signature_png = NULL WHERE loan_id IN (SELECT id FROM loans WHERE child_id = ?)`, []any{loans.Anonymised, t.id}},
		{`UPDATE recall_items SET notes = '' WHERE child_id = ?`, []any{t.id}},
	}
	for _, st := range steps {
		if _, err := tx.Exec(st.q, st.args...); err != nil {
			return out, err
		}
	}
	if err := tx.QueryRow(`SELECT count(*) FROM loan_agreements WHERE loan_id IN (SELECT id FROM loans WHERE child_id = ?)`, t.id).Scan(&out.Agreements); err != nil {
		return out, err
	}
	n, err := scrubEvents(tx, t)
	if err != nil {
		return out, err
	}
	out.EventsScrubbed = n
	return out, db.RecordEvent(tx, db.EntityChild, t.id, db.ActionAnonymised, map[string]any{"reference": out.Reference, "retention_years": years,
		"loans": out.Loans, "requests": out.Requests, "carers_removed": out.Carers, "events_scrubbed": n})
}

// scrubEvents keeps only the known-safe details of the child's events, their loans' and
// requests' events, and their items' events that belong to their loans or requests.
func scrubEvents(tx *db.Tx, t anonTarget) (int, error) {
	loanIDs, requests := map[int64]bool{}, map[int64]bool{}
	for _, id := range t.loans {
		loanIDs[id] = true
	}
	for _, id := range t.requests {
		requests[id] = true
	}
	type row struct {
		id      int64
		details string
	}
	var todo []row
	collect := func(q string, args ...any) error {
		rows, err := tx.Query(q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var r row
			var entity db.Entity
			if err := rows.Scan(&r.id, &entity, &r.details); err != nil {
				return err
			}
			if entity == db.EntityItem && !mentions(r.details, loanIDs, requests) {
				continue // the item's history with another child, or in the store
			}
			todo = append(todo, r)
		}
		return rows.Err()
	}
	if err := collect(`SELECT id, entity, details FROM events WHERE details <> '{}' AND (`+loans.ChildEventsWhere+`)`, loans.ChildEventsArgs(t.id)...); err != nil {
		return 0, err
	}
	for _, item := range t.items {
		if err := collect(`SELECT id, entity, details FROM events WHERE entity = ? AND entity_id = ? AND details <> '{}'`, string(db.EntityItem), item); err != nil {
			return 0, err
		}
	}
	n := 0
	for _, r := range todo {
		var d map[string]any
		if err := json.Unmarshal([]byte(r.details), &d); err != nil {
			// Details that are not an object cannot be sorted into safe and not: drop them.
			d = map[string]any{"anonymised": true}
		} else {
			changed := false
			for k := range d {
				if !keptDetails[k] {
					delete(d, k)
					changed = true
				}
			}
			if !changed {
				continue
			}
			d["anonymised"] = true
		}
		js, err := json.Marshal(d)
		if err != nil {
			return n, err
		}
		if _, err := tx.Exec(`UPDATE events SET details = ? WHERE id = ?`, string(js), r.id); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// mentions reports whether an item event's details name one of the loans or requests.
func mentions(details string, loans, requests map[int64]bool) bool {
	var d struct {
		LoanID    *int64 `json:"loan_id"`
		RequestID *int64 `json:"request_id"`
	}
	if json.Unmarshal([]byte(details), &d) != nil {
		return false
	}
	return d.LoanID != nil && loans[*d.LoanID] || d.RequestID != nil && requests[*d.RequestID]
}

// sweptColumns are the free-text places a child may be named outside their own rows.
var sweptColumns = []struct{ table, column string }{
	{"events", "details"},
	{"items", "notes"},
	{"items", "location"},
	{"maintenance_records", "notes"},
	{"recall_items", "notes"},
	{"stock_adjustments", "reason"},
	{"requests", "reason"},
	{"requests", "status_note"},
	{"children", "notes"},
	{"loans", "address"},
}

// sweep replaces the needles, wherever they appear in free text, with "Anonymised", and
// returns how many values it changed. Each column is scanned once for all the children
// of the batch. Event details are JSON, so their needles are searched for as JSON writes
// them, and replaced inside the JSON's strings only.
func sweep(tx *db.Tx, needles []string) (int, error) {
	if len(needles) == 0 {
		return 0, nil
	}
	n := 0
	for _, sc := range sweptColumns {
		search := needles
		if sc.table == "events" {
			search = nil
			for _, s := range needles {
				js, _ := json.Marshal(s)
				search = append(search, string(js[1:len(js)-1]))
			}
		}
		var cond []string
		args := make([]any, len(search))
		for i, s := range search {
			cond = append(cond, "instr("+sc.column+", ?) > 0")
			args[i] = s
		}
		rows, err := tx.Query(`SELECT rowid, `+sc.column+` FROM `+sc.table+` WHERE `+strings.Join(cond, " OR "), args...)
		if err != nil {
			return n, err
		}
		type hit struct {
			rowid int64
			value string
		}
		var hits []hit
		for rows.Next() {
			var h hit
			if err := rows.Scan(&h.rowid, &h.value); err != nil {
				rows.Close()
				return n, err
			}
			hits = append(hits, h)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return n, err
		}
		for _, h := range hits {
			v := replaceAll(h.value, needles)
			if sc.table == "events" {
				var d any
				if err := json.Unmarshal([]byte(h.value), &d); err != nil {
					v = `{"anonymised":true}`
				} else {
					js, err := json.Marshal(replaceInJSON(d, needles))
					if err != nil {
						return n, err
					}
					v = string(js)
				}
			}
			if v == h.value {
				continue
			}
			if _, err := tx.Exec(`UPDATE `+sc.table+` SET `+sc.column+` = ? WHERE rowid = ?`, v, h.rowid); err != nil {
				return n, err
			}
			n++
		}
	}
	return n, nil
}

func replaceAll(s string, needles []string) string {
	for _, nd := range needles {
		s = strings.ReplaceAll(s, nd, loans.Anonymised)
	}
	return s
}

func replaceInJSON(v any, needles []string) any {
	switch t := v.(type) {
	case string:
		return replaceAll(t, needles)
	case []any:
		for i := range t {
			t[i] = replaceInJSON(t[i], needles)
		}
	case map[string]any:
		for k, x := range t {
			t[k] = replaceInJSON(x, needles)
		}
	}
	return v
}

// Ordinal writes 25 as "25th" and 21 as "21st", for the retention birthday.
func Ordinal(n int) string {
	suffix := "th"
	if n%100 < 11 || n%100 > 13 {
		switch n % 10 {
		case 1:
			suffix = "st"
		case 2:
			suffix = "nd"
		case 3:
			suffix = "rd"
		}
	}
	return strconv.Itoa(n) + suffix
}
