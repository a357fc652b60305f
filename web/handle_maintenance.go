package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"kitloan/internal/db"
	"kitloan/internal/errs"
	"kitloan/inventory"
	"kitloan/loans"
)

// The pages of issue 6: the after-return queues and the service-due lists, and recording
// maintenance on an item. Retiring and recalls have their own files.

// maxQueueRows is how many rows each list of the maintenance page shows; the page says
// how many there are in all. A big store can have thousands of items due.
const maxQueueRows = 200

// maxVisitRows bounds each list of the printable visit list. A store of 100,000 items has
// some 2,000 items on loan overdue, 60 printed pages; the list stops at 1,000 and says how
// many there are, so a print is never larger than a person would carry.
const maxVisitRows = 1000

// serviceDueDays is how far ahead the maintenance page lists services falling due.
const serviceDueDays = 30

// choice is one radio button of a form: its value, its label and a hint.
type choice struct{ Value, Label, Hint string }

// maintenanceKinds are the kinds of maintenance, as the form offers them.
var maintenanceKinds = []choice{
	{inventory.Decontamination, "Cleaning (decontamination)", "After a return, before the inspection."},
	{inventory.Inspection, "Inspection", "Against the checklist. A returned item that passes is available again."},
	{inventory.Service, "Service", "A passing service sets the next service date."},
	{inventory.LOLER, "LOLER thorough examination", "Lifting equipment: hoists, slings, lifting seats."},
	{inventory.Electrical, "Electrical test", "Portable appliance test of powered equipment."},
	{inventory.Repair, "Repair", "For an item in repair: say what was fitted and what it cost."},
}

var maintenanceOutcomes = []choice{
	{inventory.Pass, "Pass", "Safe to lend."},
	{inventory.Fail, "Fail", "Mark the fault on the checklist, or say what it is in the notes. An item in the store goes into repair."},
	{inventory.RepairDone, "Repaired", "For a repair that is finished: the item is available again."},
}

// kindName is how a kind of maintenance reads in a sentence: "cleaning", "LOLER thorough examination".
func kindName(kind string) string {
	switch kind {
	case inventory.Decontamination:
		return "cleaning"
	case inventory.LOLER:
		return "LOLER thorough examination"
	case inventory.Electrical:
		return "electrical test"
	}
	return kind
}

// maintenanceRow is one maintenance record as the item page shows it.
type maintenanceRow struct{ inventory.MaintenanceRecord }

// KindLabel is what was done, in words.
func (m maintenanceRow) KindLabel() string {
	for _, k := range maintenanceKinds {
		if k.Value == m.Kind {
			return k.Label
		}
	}
	return m.Kind
}

// OutcomeLabel is the outcome in words.
func (m maintenanceRow) OutcomeLabel() string {
	switch m.Outcome {
	case inventory.Pass:
		return "Passed"
	case inventory.Fail:
		return "Failed"
	case inventory.RepairDone:
		return "Repaired"
	}
	return m.Outcome
}

// Failed reports whether the outcome was a failure.
func (m maintenanceRow) Failed() bool { return m.Outcome == inventory.Fail }

// Faults lists the checklist points marked as a fault, in order.
func (m maintenanceRow) Faults() []string {
	var out []string
	for p, v := range m.Checklist {
		if v == "fault" {
			out = append(out, p)
		}
	}
	slices.Sort(out)
	return out
}

// Checked says how many checklist points were marked, and how many were ok.
func (m maintenanceRow) Checked() string {
	if len(m.Checklist) == 0 {
		return ""
	}
	ok := len(m.Checklist) - len(m.Faults())
	return strconv.Itoa(ok) + " of " + strconv.Itoa(len(m.Checklist)) + " checklist points ok"
}

// Cost is the cost in pounds, or "".
func (m maintenanceRow) Cost() string {
	if m.CostPence == nil {
		return ""
	}
	return pounds(*m.CostPence)
}

func pounds(p int) string {
	return "£" + thousands(p/100) + "." + strconv.Itoa(p%100/10) + strconv.Itoa(p%10)
}

func maintenanceRows(records []inventory.MaintenanceRecord) []maintenanceRow {
	out := make([]maintenanceRow, len(records))
	for i, r := range records {
		out[i] = maintenanceRow{r}
	}
	return out
}

// rowsShown is the first rows of a list and how many there are in all.
type rowsShown[T any] struct {
	Rows  []T
	Total int
}

// More reports whether the list has more rows than are shown.
func (r rowsShown[T]) More() bool { return r.Total > len(r.Rows) }

// Count is how many rows the list has, as people read numbers: "3,412".
func (r rowsShown[T]) Count() string { return thousands(r.Total) }

// Shown is how many rows are shown, as people read numbers: "1,000".
func (r rowsShown[T]) Shown() string { return thousands(len(r.Rows)) }

func shownItems(p inventory.Page[inventory.Item]) rowsShown[inventory.Item] {
	return rowsShown[inventory.Item]{Rows: p.Items, Total: p.Total}
}

func shownDue(p inventory.Page[inventory.DueItem]) rowsShown[dueRow] {
	rows := make([]dueRow, len(p.Items))
	for i, d := range p.Items {
		rows[i] = dueRow{d}
	}
	return rowsShown[dueRow]{Rows: rows, Total: p.Total}
}

// dueRow is an item due for service, with where it is when it is on loan.
type dueRow struct{ inventory.DueItem }

// Where says where the item on loan lives.
func (d dueRow) Where() string {
	if d.Holder == nil {
		return ""
	}
	return loans.PlaceLabel(d.Holder.Location)
}

// LoanReference is the reference of the loan the item is on.
func (d dueRow) LoanReference() string { return loanReference(d.Holder) }

// afterReturnTable is one of the after-return queues, with the button each row gets.
type afterReturnTable struct {
	List         rowsShown[inventory.Item]
	Kind, Button string
}

// visitTable is a list of items on loan due for service. VisitList says it is on the
// printable visit list, which shows up to maxVisitRows; on the maintenance page it shows
// maxQueueRows and links to the visit list for the rest.
type visitTable struct {
	List      rowsShown[dueRow]
	VisitList bool
}

// VisitListHoldsAll reports whether the visit list would show every row of the list.
func (v visitTable) VisitListHoldsAll() bool { return v.List.Total <= maxVisitRows }

// VisitListRows is how many rows each list of the visit list shows at most: "1,000".
func (visitTable) VisitListRows() string { return thousands(maxVisitRows) }

// handleMaintenanceQueues shows the maintenance page: the after-return queues and the
// service-due lists, the first maxQueueRows of each with its count. With ?visits=all it
// shows the visit list instead.
func (s *Server) handleMaintenanceQueues(c *gin.Context) {
	if c.Query("visits") == "all" {
		s.handleVisitList(c)
		return
	}
	ctx := c.Request.Context()
	queues, err := s.Inventory.AfterReturnQueues(ctx, maxQueueRows)
	if err != nil {
		s.fail(c, err)
		return
	}
	due, err := s.Inventory.ServiceDueLists(ctx, serviceDueDays, maxQueueRows, maxQueueRows)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, http.StatusOK, "maintenance", &maintenancePage{
		Cleaning:     afterReturnTable{shownItems(queues.Cleaning), inventory.Decontamination, "Record cleaning"},
		Inspection:   afterReturnTable{shownItems(queues.Inspection), inventory.Inspection, "Inspect"},
		OverdueStore: shownDue(due.OverdueInStore), OverdueLoan: visitTable{List: shownDue(due.OverdueOnLoan)},
		DueStore: shownDue(due.DueInStore), DueLoan: visitTable{List: shownDue(due.DueOnLoan)},
		Overdue: thousands(due.OverdueInStore.Total + due.OverdueOnLoan.Total),
		Due:     thousands(due.DueInStore.Total + due.DueOnLoan.Total),
		Until:   s.now().AddDate(0, 0, serviceDueDays).Format(db.DateLayout),
	})
}

// maintenancePage is pages/maintenance.html: the after-return queues and the lists of
// items due for service, in the store and on loan, with how many are overdue and due by
// Until. The VisitList shows the lists on loan alone.
type maintenancePage struct {
	Layout
	VisitList              bool
	Cleaning, Inspection   afterReturnTable
	OverdueStore, DueStore rowsShown[dueRow]
	OverdueLoan, DueLoan   visitTable
	Overdue, Due, Until    string
}

// handleVisitList shows the maintenance page's lists of items on loan alone, up to
// maxVisitRows each rather than maxQueueRows: the list to print and take on visits, with
// the child, the place, the address and who to contact.
func (s *Server) handleVisitList(c *gin.Context) {
	due, err := s.Inventory.ServiceDueLists(c.Request.Context(), serviceDueDays, 0, maxVisitRows)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, http.StatusOK, "maintenance", &maintenancePage{
		VisitList:   true,
		OverdueLoan: visitTable{List: shownDue(due.OverdueOnLoan), VisitList: true},
		DueLoan:     visitTable{List: shownDue(due.DueOnLoan), VisitList: true},
		Until:       s.now().AddDate(0, 0, serviceDueDays).Format(db.DateLayout),
	})
}

// maintenanceForm is the record-maintenance form as posted. The checklist comes as
// checklist[<point>]=ok|fault, read apart from the rest.
type maintenanceForm struct {
	Kind        string `form:"kind"`
	Outcome     string `form:"outcome"`
	PerformedOn string `form:"date_performed"`
	Notes       string `form:"notes"`
	Parts       string `form:"parts"`
	Cost        string `form:"cost"`
	Checklist   map[string]string
}

// checkPoint is one point of the inspection checklist with what was marked.
type checkPoint struct {
	N            int
	Point, Value string
}

func (s *Server) renderMaintenanceForm(c *gin.Context, status int, it inventory.Item, points []string, form maintenanceForm, err error) {
	list := make([]checkPoint, len(points))
	for i, p := range points {
		list[i] = checkPoint{N: i + 1, Point: p, Value: form.Checklist[p]}
	}
	s.render(c, status, "maintenance_form", &maintenanceFormPage{Layout: failedWith(err), Item: it, Form: form,
		Kinds: maintenanceKinds, Outcomes: maintenanceOutcomes, Checklist: list})
}

// maintenanceFormPage is pages/maintenance_form.html: recording maintenance on Item, with
// its category's checklist.
type maintenanceFormPage struct {
	Layout
	Item            inventory.Item
	Form            maintenanceForm
	Kinds, Outcomes []choice
	Checklist       []checkPoint
}

// itemAndChecklist loads the item of the path's :tag and its category's checklist.
func (s *Server) itemAndChecklist(c *gin.Context) (inventory.Item, []string, bool) {
	it, err := s.Inventory.Item(c.Request.Context(), c.Param("tag"))
	var points []string
	if err == nil {
		points, err = s.Inventory.Checklist(c.Request.Context(), it.Tag)
	}
	if err != nil {
		s.fail(c, err)
		return it, nil, false
	}
	return it, points, true
}

func (s *Server) handleMaintenanceNew(c *gin.Context) {
	it, points, ok := s.itemAndChecklist(c)
	if !ok {
		return
	}
	form := maintenanceForm{Kind: c.Query("kind"), PerformedOn: s.now().Format(db.DateLayout)}
	if form.Kind == "cleaning" {
		form.Kind = inventory.Decontamination
	}
	if !slices.ContainsFunc(maintenanceKinds, func(k choice) bool { return k.Value == form.Kind }) {
		// What the item's state calls for next, when the link did not say.
		switch {
		case it.Status == inventory.Returned && it.AwaitingCleaning:
			form.Kind = inventory.Decontamination
		case it.Status == inventory.Returned:
			form.Kind = inventory.Inspection
		case it.Status == inventory.InRepair:
			form.Kind = inventory.Repair
		default:
			form.Kind = ""
		}
	}
	if form.Kind == inventory.Decontamination {
		form.Outcome = inventory.Pass // cleaning is recorded when it is done
	}
	s.renderMaintenanceForm(c, http.StatusOK, it, points, form, nil)
}

// maintenanceFieldNames maps the domain's field names to the form's.
var maintenanceFieldNames = map[string]string{"kind": "what_was_done", "performed_on": "date_performed", "cost_pence": "cost"}

func (s *Server) handleMaintenanceCreate(c *gin.Context) {
	it, points, ok := s.itemAndChecklist(c)
	if !ok {
		return
	}
	var f maintenanceForm
	err := bindForm(c, &f)
	if err != nil && errs.CodeOf(err) != errs.Invalid {
		s.fail(c, err)
		return
	}
	problems := errs.FieldsError{}
	f.Checklist = map[string]string{}
	for _, p := range points {
		switch v := strings.TrimSpace(c.Request.PostForm.Get("checklist[" + p + "]")); v {
		case "":
		case "ok", "fault":
			f.Checklist[p] = v
		default:
			problems.Add("checklist", "must mark each point ok or fault")
		}
	}
	if f.Kind == "" {
		problems.Add("what_was_done", "is not chosen: choose cleaning, inspection, service, examination, test or repair")
	}
	if f.Outcome == "" {
		problems.Add("outcome", "is not chosen: choose pass, fail or repaired")
	}
	cost, cerr := penceOf(f.Cost)
	if cerr != "" {
		problems.Add("cost", cerr)
	}
	in := inventory.MaintenanceInput{Kind: f.Kind, Outcome: f.Outcome, Notes: f.Notes, PerformedOn: f.PerformedOn,
		Checklist: f.Checklist, Parts: f.Parts, CostPence: cost}
	if len(problems) > 0 {
		// Say everything that is wrong at once: the form's own checks and the record's.
		if problem := inventory.ChecklistUnfinished(f.Kind, points, f.Checklist); problem != "" {
			problems.Add("checklist", problem)
		}
		if _, perr := time.Parse(db.DateLayout, f.PerformedOn); perr == nil && f.PerformedOn > s.now().Format(db.DateLayout) {
			problems.Add("date_performed", "must be today or earlier: record work once it is done")
		}
		if verr := errs.Validate(in); verr != nil {
			for k, v := range errs.As(verr).Fields {
				if n, ok := maintenanceFieldNames[k]; ok {
					k = n
				}
				if !strings.HasPrefix(k, "checklist") {
					problems.Add(k, v)
				}
			}
		}
		err = problems.Err()
	}
	var rec inventory.MaintenanceRecord
	if err == nil {
		rec, err = s.Inventory.RecordMaintenance(c.Request.Context(), it.Tag, in)
	}
	err = maintenanceError(err)
	if s.actionFailed(c, err, func(st int) { s.renderMaintenanceForm(c, st, it, points, f, err) }) {
		return
	}
	redirectWithFlash(c, "/items/"+url.PathEscape(rec.Tag), maintenanceDone(it, rec))
}

// maintenanceError names the fields as the form labels them. A conflict (inspecting an
// item that is still to be cleaned, repairing one that is not in repair) is about the item,
// not a field, so it shows as the error summary's message alone.
func maintenanceError(err error) error {
	if err == nil {
		return nil
	}
	e := errs.As(err)
	if e.Code == errs.Conflict {
		return &errs.Error{Code: e.Code, Message: e.Message}
	}
	names := map[string]string{}
	for k := range e.Fields {
		if strings.HasPrefix(k, "checklist") {
			names[k] = "checklist"
		}
		if k == "notes" && e.Fields[k] == "say what the fault is" {
			e = &errs.Error{Code: e.Code, Message: e.Message, Fields: map[string]string{k: "are empty: say what the fault is, or mark it on the checklist"}}
		}
	}
	for k, v := range maintenanceFieldNames {
		names[k] = v
	}
	return renameFields(e, names)
}

// penceOf reads an amount in pounds ("12.50", "£12", "1,200.00") as pence; empty is none.
func penceOf(s string) (*int, string) {
	s = strings.ReplaceAll(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(s), "£")), ",", "")
	if s == "" {
		return nil, ""
	}
	const bad = "must be an amount in pounds, like 12.50"
	whole, frac, dot := strings.Cut(s, ".")
	if whole == "" {
		whole = "0"
	}
	digits := func(x string) bool {
		return x != "" && strings.Trim(x, "0123456789") == ""
	}
	if !digits(whole) || (dot && (!digits(frac) || len(frac) > 2)) {
		return nil, bad
	}
	if len(strings.TrimLeft(whole, "0")) > 6 {
		return nil, "must be less than £1,000,000"
	}
	n, _ := strconv.Atoi(whole)
	p := n * 100
	if dot {
		f, _ := strconv.Atoi(frac)
		if len(frac) == 1 {
			f *= 10
		}
		p += f
	}
	return &p, ""
}

// maintenanceDone says what recording the maintenance did to the item, and what comes next.
func maintenanceDone(before inventory.Item, rec inventory.MaintenanceRecord) string {
	tag, what := rec.Tag, kindName(rec.Kind)
	var msg string
	switch {
	case rec.Kind == inventory.Decontamination:
		return tag + " cleaned and waiting for inspection. Next: inspect it."
	case rec.Kind == inventory.Repair && rec.Outcome == inventory.RepairDone:
		msg = tag + " repaired and available again."
	case rec.Kind == inventory.Repair:
		return "Repair of " + tag + " recorded as not fixed: it stays in repair. Retire it if it cannot be mended."
	case before.Status == inventory.Returned && rec.Outcome == inventory.Pass:
		msg = tag + " passed " + what + " and is available again."
	case rec.Outcome == inventory.Fail && rec.Status == inventory.InRepair && before.Status != inventory.InRepair:
		return tag + " failed " + what + " and is in repair: fault recorded. Next: record the repair when it is done."
	case rec.Outcome == inventory.Fail && rec.Status == inventory.OnLoan:
		return tag + " failed " + what + ": fault recorded. It is on loan, so arrange a visit to collect it or put it right."
	case rec.Outcome == inventory.Fail:
		return tag + " failed " + what + ": fault recorded."
	default:
		msg = tag + " passed " + what + "."
	}
	if rec.NextDue != nil {
		msg += " Next service due " + showDate(rec.NextDue) + "."
	}
	return msg
}
