package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"kitloan/accounts"
	"kitloan/internal/db"
	"kitloan/internal/errs"
	"kitloan/inventory"
	"kitloan/loans"
	"kitloan/privacy"
)

// loanView is one view of the loans list.
type loanView struct{ Value, Label string }

var loanViews = []loanView{
	{"", "Active"}, {"due", "Reviews due in the next 30 days"}, {"overdue", "Reviews overdue"}, {"all", "All loans"},
}

// loanListFilter is the loans list's filter as the page shows it.
type loanListFilter struct {
	View        string
	TherapistID int64
	Setting     string
}

func (s *Server) handleLoanList(c *gin.Context) {
	ctx := c.Request.Context()
	u := user(c)
	limit, offset := pageOf(c, 50)
	lf := loanListFilter{View: c.Query("view"), Setting: strings.TrimSpace(c.Query("setting"))}
	if u.Role != accounts.Therapist {
		lf.TherapistID = queryInt64(c, "therapist")
	}
	f := loans.LoanFilter{TherapistID: lf.TherapistID, Setting: lf.Setting, Limit: limit, Offset: offset, CountUpTo: countCap}
	switch lf.View {
	case "due":
		f.ReviewWithinDays = 30
	case "overdue":
		f.Overdue = true
	case "all":
	default:
		lf.View, f.Active = "", true
	}
	list, total, err := s.Loans.Loans(ctx, u, f)
	if err != nil {
		s.fail(c, err)
		return
	}
	settings, err := s.Loans.SettingNames(ctx, u)
	if err != nil {
		s.fail(c, err)
		return
	}
	page := &loansPage{Loans: list, Filter: lf, Views: loanViews, Settings: settings, Filtered: lf.TherapistID != 0 || lf.Setting != "",
		Page: pager{Total: total, Limit: limit, Offset: offset, URL: c.Request.URL.String(), Capped: total > countCap}}
	if !s.withTherapists(c, &page.Therapists) {
		return
	}
	s.render(c, http.StatusOK, "loans", page)
}

// loansPage is pages/loans.html: a page of one view of the loans, filtered by lead
// therapist or by the school or setting (one of Settings) the equipment is at.
type loansPage struct {
	Layout
	Loans      []loans.Loan
	Filter     loanListFilter
	Views      []loanView
	Settings   []string
	Filtered   bool
	Therapists []accounts.User
	Page       pager
}

// loanForm is the issue form as posted.
type loanForm struct {
	ChildID               int64  `form:"child_id"`
	RequestID             int64  `form:"request_id"`
	Tags                  string `form:"tags"`
	Location              string `form:"location"`
	Address               string `form:"address"`
	Recipient             string `form:"recipient"`
	RecipientRelationship string `form:"relationship"`
	ReviewDate            string `form:"review_date"`
	ReturnDate            string `form:"return_date"`
}

// loanFormFields are the issue form's own fields; any other field of a refusal is a tag.
var loanFormFields = []string{"child", "request", "tags", "location", "address", "recipient", "relationship", "review_date", "return_date"}

// issueTarget finds the child (and the request, if any) equipment is being issued to,
// with the loans store's refusal of a discharged child or a request that cannot be issued
// against. With neither, it sends the user to choose a child.
func (s *Server) issueTarget(c *gin.Context, childID, requestID int64) (loans.Child, *loans.Request, bool) {
	if childID == 0 && requestID == 0 {
		redirectWithFlash(c, "/children", "Choose the child to issue equipment to: open their page and use “Issue equipment”.")
		return loans.Child{}, nil, false
	}
	child, req, err := s.Loans.IssueTarget(c.Request.Context(), user(c), childID, requestID)
	if err != nil {
		s.fail(c, err)
		return child, nil, false
	}
	return child, req, true
}

// loanFormPage is pages/loan_form.html: issuing equipment to Child, against Request if
// there is one, with the tags refused (TagProblems) and how many tags are in the box.
type loanFormPage struct {
	Layout
	Child       loans.Child
	Request     *loans.Request
	Form        loanForm
	TagProblems []tagProblem
	Count       int
}

func (s *Server) renderLoanForm(c *gin.Context, status int, child loans.Child, req *loans.Request, form loanForm, problems []tagProblem, err error) {
	s.render(c, status, "loan_form", &loanFormPage{Layout: failedWith(err), Child: child, Request: req, Form: form,
		TagProblems: problems, Count: len(tagsFrom(form.Tags))})
}

func (s *Server) handleLoanNew(c *gin.Context) {
	child, req, ok := s.issueTarget(c, queryInt64(c, "child_id"), queryInt64(c, "request_id"))
	if !ok {
		return
	}
	form := loanForm{ChildID: child.ID, Location: loans.Home}
	if req != nil {
		form.RequestID = req.ID
		form.Tags = strings.Join(req.Allocated, "\n")
		form.Location, form.Address = req.DeliverTo, req.DeliveryAddress
	}
	if tag := inventory.NormalizeTag(c.Query("tag")); tag != "" && form.Tags == "" {
		form.Tags = tag
	}
	if form.Location == loans.Home && len(child.Carers) > 0 {
		form.Recipient, form.RecipientRelationship = child.Carers[0].Name, child.Carers[0].Relationship
	}
	s.renderLoanForm(c, http.StatusOK, child, req, form, nil, nil)
}

func (s *Server) handleLoanCreate(c *gin.Context) {
	var f loanForm
	err := bindForm(c, &f)
	if err != nil && errs.CodeOf(err) != errs.Invalid {
		s.fail(c, err)
		return
	}
	child, req, ok := s.issueTarget(c, f.ChildID, f.RequestID)
	if !ok {
		return
	}
	var l loans.Loan
	if err == nil {
		in := loans.LoanInput{ChildID: child.ID, Tags: tagsFrom(f.Tags), Location: f.Location, Address: f.Address, Recipient: f.Recipient,
			RecipientRelationship: f.RecipientRelationship, ReviewDate: f.ReviewDate, ReturnDate: f.ReturnDate}
		if req != nil {
			in.RequestID = &req.ID
		}
		l, err = s.Loans.IssueLoan(c.Request.Context(), user(c), in)
	}
	problems, err := tagProblems(renameFields(err, map[string]string{"child_id": "child", "request_id": "request", "recipient_relationship": "relationship"}), loanFormFields, "issued")
	if s.formFailed(c, err, func(st int) { s.renderLoanForm(c, st, child, req, f, problems, err) }) {
		return
	}
	what := countOf(len(l.Items), "item", "items")
	if len(l.Items) == 1 {
		what = l.Items[0].Tag
	}
	redirectWithFlash(c, recordPath("/loans", l.ID), "Issued "+what+" to "+l.ChildName+" on loan "+l.Reference+". Review due "+showDate(l.ReviewDate)+".")
}

// returnForm is the book-in form as ticked: the items chosen and each one's condition.
type returnForm struct {
	Ticked     map[string]bool
	Conditions map[string]string
}

// loanChangeForm is the review form or the move form of a loan's page.
type loanChangeForm struct {
	Change                string `form:"change"`
	ReviewDate            string `form:"review_date"`
	ReturnDate            string `form:"return_date"`
	ReviewReason          string `form:"reason_for_change"`
	Location              string `form:"location"`
	Address               string `form:"address"`
	Recipient             string `form:"recipient"`
	RecipientRelationship string `form:"relationship"`
	MoveReason            string `form:"reason_for_moving"`
}

// loanShowPage is pages/loan_show.html: the child, where the equipment is, its items and
// agreement, its history and, for the store, the forms that book items in (Return, with
// the tags refused), report them lost or found, extend the review and move the loan.
type loanShowPage struct {
	Layout
	Loan      loans.Loan
	Child     loans.Child
	Agreement loans.AgreementRecord
	// Bookable are the items out that can be booked in; LostItems those reported lost.
	Bookable, LostItems []loans.LoanItem
	Return              returnForm
	TagProblems         []tagProblem
	Conditions          []string
	Change              loanChangeForm
	eventTable
}

// renderLoan shows a loan's page. page comes with what the caller knows: the errors of a
// refused form and what was typed in it; a form left empty is drawn as the loan stands.
func (s *Server) renderLoan(c *gin.Context, status int, id int64, page *loanShowPage) {
	ctx := c.Request.Context()
	u := user(c)
	l, err := s.Loans.Loan(ctx, u, id)
	if err != nil {
		s.fail(c, err)
		return
	}
	child, history, ok := s.childRecordPage(c, l.ChildID, privacy.ReadLoanPage, func(limit, offset int) ([]db.Event, int, error) {
		return s.Loans.LoanHistory(ctx, u, id, limit, offset)
	})
	if !ok {
		return
	}
	page.eventTable = history
	var back, lost []loans.LoanItem
	for _, li := range l.ItemsOut() {
		if li.Status == inventory.OnLoan {
			back = append(back, li)
		} else {
			lost = append(lost, li)
		}
	}
	ret := returnForm{Ticked: map[string]bool{}, Conditions: map[string]string{}}
	for _, li := range back {
		ret.Conditions[li.Tag] = li.IssuedCondition
	}
	if len(back) == 1 {
		ret.Ticked[back[0].Tag] = true
	}
	agreement, err := s.Loans.AgreementRecord(ctx, u, id)
	if err != nil {
		s.fail(c, err)
		return
	}
	page.Agreement = agreement
	page.Loan, page.Child, page.Bookable, page.LostItems = l, child, back, lost
	page.Conditions = inventory.Conditions
	if page.Return.Ticked == nil {
		page.Return = ret
	}
	if page.Change.Location == "" {
		page.Change.Location = l.Location
	}
	s.render(c, status, "loan_show", page)
}

func (s *Server) handleLoanShow(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	s.renderLoan(c, http.StatusOK, id, &loanShowPage{})
}

func (s *Server) handleLoanReturn(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	if err := c.Request.ParseForm(); err != nil {
		s.fail(c, bodyError(err))
		return
	}
	form := c.Request.PostForm
	ret := returnForm{Ticked: map[string]bool{}, Conditions: map[string]string{}}
	for k, v := range form {
		if tag, ok := strings.CutPrefix(k, "condition_"); ok && len(v) > 0 {
			ret.Conditions[inventory.NormalizeTag(tag)] = v[0]
		}
	}
	var lines []loans.ReturnLine
	names := map[string]string{}
	for _, raw := range form["tag"] {
		tag := inventory.NormalizeTag(raw)
		if tag == "" || ret.Ticked[tag] {
			continue
		}
		ret.Ticked[tag] = true
		i := strconv.Itoa(len(lines))
		names["items["+i+"].condition"] = "condition_of_" + tag
		names["items["+i+"].tag"] = "items"
		lines = append(lines, loans.ReturnLine{Tag: tag, Condition: ret.Conditions[tag]})
	}
	var l loans.Loan
	if len(lines) == 0 {
		err = errs.Field("items", "are not chosen: tick each item that has come back")
	} else {
		l, err = s.Loans.ReturnItems(c.Request.Context(), user(c), id, lines)
	}
	var fields []string
	for _, n := range names {
		fields = append(fields, n)
	}
	problems, err := tagProblems(renameFields(err, names), fields, "booked in")
	if s.actionFailed(c, err, func(st int) {
		s.renderLoan(c, st, id, &loanShowPage{Layout: failedWith(err), Return: ret, TagProblems: problems})
	}) {
		return
	}
	what := countOf(len(lines), "item", "items") + " booked in"
	if len(lines) == 1 {
		what = lines[0].Tag + " booked in"
	}
	msg := what + ": " + bookedInState(l, lines) + "."
	if l.Open() {
		msg += " " + countOf(len(l.ItemsOut()), "item is", "items are") + " still out on this loan."
	} else {
		msg += " Everything on loan " + l.Reference + " is back, so the loan is closed. Next: the maintenance page lists the returned items to check."
	}
	redirectWithFlash(c, recordPath("/loans", id), msg)
}

// bookedInState says what the items just booked in wait for: cleaning, or only their
// inspection when their products need no decontamination; both, for a mix.
func bookedInState(l loans.Loan, lines []loans.ReturnLine) string {
	booked := map[string]bool{}
	for _, r := range lines {
		booked[inventory.NormalizeTag(r.Tag)] = true
	}
	state := ""
	for _, li := range l.Items {
		if booked[li.Tag] {
			if state != "" && state != li.StateLabel() {
				return inventory.Returned.Label()
			}
			state = li.StateLabel()
		}
	}
	return state
}

type loanItemForm struct {
	Tag  string `form:"tag"`
	Note string `form:"note"`
}

// loanItemAction reports an item lost or marks it found, from the loan's page.
func (s *Server) loanItemAction(c *gin.Context, act func(id int64, f loanItemForm) (loans.Loan, error), done func(tag string, l loans.Loan) string) {
	id, err := idParam(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	var f loanItemForm
	err = bindForm(c, &f)
	var l loans.Loan
	if err == nil {
		l, err = act(id, f)
	}
	if s.actionFailed(c, err, func(st int) { s.renderLoan(c, st, id, &loanShowPage{Layout: failedWith(err)}) }) {
		return
	}
	redirectWithFlash(c, recordPath("/loans", id), done(inventory.NormalizeTag(f.Tag), l))
}

func (s *Server) handleLoanLost(c *gin.Context) {
	s.loanItemAction(c, func(id int64, f loanItemForm) (loans.Loan, error) {
		return s.Loans.ReportLost(c.Request.Context(), user(c), id, f.Tag, f.Note)
	}, func(tag string, l loans.Loan) string {
		return tag + " reported lost. It stays on loan " + l.Reference + " until it is found; if it turns up, mark it found and book it in."
	})
}

func (s *Server) handleLoanFound(c *gin.Context) {
	s.loanItemAction(c, func(id int64, f loanItemForm) (loans.Loan, error) {
		return s.Loans.MarkFound(c.Request.Context(), user(c), id, f.Tag, f.Note)
	}, func(tag string, l loans.Loan) string {
		return tag + " found: it is on loan to " + l.ChildName + " again. Book it in when it comes back."
	})
}

func (s *Server) handleLoanChange(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	var f loanChangeForm
	err = bindForm(c, &f)
	reason := "reason_for_change"
	ch := loans.LoanChange{Kind: "review", ReviewDate: f.ReviewDate, ReturnDate: f.ReturnDate, Reason: f.ReviewReason}
	if f.Change == "move" {
		reason = "reason_for_moving"
		ch = loans.LoanChange{Kind: "move", Location: f.Location, Address: f.Address, Recipient: f.Recipient,
			RecipientRelationship: f.RecipientRelationship, Reason: f.MoveReason}
	}
	var l loans.Loan
	if err == nil {
		l, err = s.Loans.ChangeLoan(c.Request.Context(), user(c), id, ch)
	}
	err = renameFields(err, map[string]string{"reason": reason, "recipient_relationship": "relationship"})
	if s.actionFailed(c, err, func(st int) { s.renderLoan(c, st, id, &loanShowPage{Layout: failedWith(err), Change: f}) }) {
		return
	}
	msg := "Review of loan " + l.Reference + " set for " + showDate(l.ReviewDate) + "."
	if f.ReturnDate != "" {
		msg += " Return due " + showDate(l.ReturnDate) + "."
	}
	if f.Change == "move" {
		msg = "Loan " + l.Reference + " moved: the equipment is now at " + strings.ToLower(l.LocationLabel()) + ", with " + l.Recipient + "."
	}
	redirectWithFlash(c, recordPath("/loans", id), msg)
}

// loanReference is a loan's reference as the loans pages show it ("L-000012").
func loanReference(h *inventory.Holder) string {
	if h == nil {
		return ""
	}
	return fmt.Sprintf("L-%06d", h.LoanID)
}
