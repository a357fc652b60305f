package web

import (
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"

	"kitloan/internal/db"
	"kitloan/internal/errs"
	"kitloan/inventory"
	"kitloan/loans"
)

// Recalls: recording a manufacturer's recall against a product, the units it quarantines
// and finds on loan, marking each unit's action done, and closing it.

// recallView is a recall with its affected items split by where they are.
type recallView struct{ inventory.Recall }

// recalledRow is one affected item of a recall.
type recalledRow struct{ inventory.RecalledItem }

// Where says where the item on loan lives.
func (r recalledRow) Where() string {
	if r.Holder == nil {
		return ""
	}
	return loans.PlaceLabel(r.Holder.Location)
}

// LoanReference is the reference of the loan the item was on.
func (r recalledRow) LoanReference() string { return loanReference(r.Holder) }

// FieldName is the name of the item's "what was done" field, for its error.
func (r recalledRow) FieldName() string { return "what_was_done_to_" + r.Tag }

func (r recallView) rows(onLoan bool) []recalledRow {
	var out []recalledRow
	for _, it := range r.Affected {
		if (it.LoanID != nil) == onLoan {
			out = append(out, recalledRow{it})
		}
	}
	return out
}

// OnLoan lists the affected items that were on loan (or lost from a loan) when recalled.
func (r recallView) OnLoan() []recalledRow { return r.rows(true) }

// InStore lists the affected items that were in the store.
func (r recallView) InStore() []recalledRow { return r.rows(false) }

// OpenActions counts the affected items whose action is not done.
func (r recallView) OpenActions() int {
	n := 0
	for _, it := range r.Affected {
		if !it.Done {
			n++
		}
	}
	return n
}

// Quarantined counts the affected items that are quarantined now.
func (r recallView) Quarantined() int {
	n := 0
	for _, it := range r.Affected {
		if it.Status == inventory.Quarantined {
			n++
		}
	}
	return n
}

func (s *Server) handleRecallList(c *gin.Context) {
	list, err := s.Inventory.Recalls(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	views := make([]recallView, len(list))
	for i, r := range list {
		views[i] = recallView{r}
	}
	s.render(c, http.StatusOK, "recalls", &recallsPage{Recalls: views})
}

// recallsPage is pages/recalls.html: every recall recorded.
type recallsPage struct {
	Layout
	Recalls []recallView
}

// recallForm is the record-a-recall form as posted.
type recallForm struct {
	ProductID int64  `form:"product_id"`
	Reference string `form:"reference"`
	IssuedOn  string `form:"issued_on"`
	Action    string `form:"what_to_do"`
}

func (s *Server) renderRecallForm(c *gin.Context, status int, form recallForm, err error) {
	all, gerr := s.productGroups(c)
	if gerr != nil {
		s.fail(c, gerr)
		return
	}
	// Only labelled units can be recalled and quarantined; consumables are given to keep.
	var groups []productGroup
	for _, g := range all {
		g.Products = slices.DeleteFunc(slices.Clone(g.Products), func(p inventory.Product) bool { return p.Kind != inventory.Returnable })
		if len(g.Products) > 0 {
			groups = append(groups, g)
		}
	}
	s.render(c, status, "recall_form", &recallFormPage{Layout: failedWith(err), Groups: groups, Form: form})
}

// recallFormPage is pages/recall_form.html: recording a recall against one of the
// products with labelled units.
type recallFormPage struct {
	Layout
	Groups []productGroup
	Form   recallForm
}

func (s *Server) handleRecallNew(c *gin.Context) {
	s.renderRecallForm(c, http.StatusOK, recallForm{ProductID: queryInt64(c, "product_id"), IssuedOn: s.now().Format(db.DateLayout)}, nil)
}

func (s *Server) handleRecallCreate(c *gin.Context) {
	var f recallForm
	err := bindForm(c, &f)
	var r inventory.Recall
	if err == nil {
		r, err = s.Inventory.CreateRecall(c.Request.Context(), inventory.RecallInput{ProductID: f.ProductID, Reference: f.Reference, Action: f.Action, IssuedOn: f.IssuedOn})
	}
	err = renameFields(err, map[string]string{"product_id": "product", "action": "what_to_do"})
	if s.formFailed(c, err, func(st int) { s.renderRecallForm(c, st, f, err) }) {
		return
	}
	v := recallView{r}
	msg := "Recall " + r.Reference + " recorded against " + r.ProductName + ". "
	switch inStore, onLoan := len(v.InStore()), len(v.OnLoan()); {
	case inStore+onLoan == 0:
		msg += "No units of it are in the store or on loan, so there is nothing to do: close the recall."
	case onLoan == 0:
		msg += countOf(v.Quarantined(), "unit", "units") + " in the store quarantined. Next: carry out the action on each and mark it done."
	default:
		msg += countOf(v.Quarantined(), "unit", "units") + " in the store quarantined; " + countOf(onLoan, "unit is", "units are") +
			" with children, listed below with who has each. Next: contact each family and mark each action done."
	}
	redirectWithFlash(c, recordPath("/recalls", r.ID), msg)
}

// recallDoneForm is one affected item's mark-done form.
type recallDoneForm struct {
	Tag   string `form:"tag"`
	Notes string `form:"notes"`
}

// recallActionRow is an affected item with its mark-done form: what was typed into it and
// its error, after a refused post.
type recallActionRow struct {
	recalledRow
	RecallID     int64
	Open         bool
	CSRF         string
	Typed, Error string
}

// OpenText says how many actions are open: "2 actions open".
func (r recallView) OpenText() string { return countOf(r.OpenActions(), "action", "actions") + " open" }

// recallShowPage is pages/recall_show.html: a recall and its affected items, each with
// its mark-done form.
type recallShowPage struct {
	Layout
	Recall          recallView
	OnLoan, InStore []recallActionRow
}

// renderRecall shows a recall's page; after a refused mark-done form, with its error
// (failed) beside the item's form and what was typed (done) in it.
func (s *Server) renderRecall(c *gin.Context, status int, id int64, done recallDoneForm, failed error) {
	r, err := s.Inventory.Recall(c.Request.Context(), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	v := recallView{r}
	page := &recallShowPage{Layout: failedWith(failed), Recall: v}
	e := page.Errors
	rows := func(list []recalledRow) []recallActionRow {
		out := make([]recallActionRow, len(list))
		for i, it := range list {
			out[i] = recallActionRow{recalledRow: it, RecallID: r.ID, Open: r.Open(), CSRF: c.GetString("csrf")}
			if it.Tag == done.Tag {
				out[i].Typed = done.Notes
			}
			if e != nil {
				out[i].Error = e.Fields[it.FieldName()]
			}
		}
		return out
	}
	page.OnLoan, page.InStore = rows(v.OnLoan()), rows(v.InStore())
	s.render(c, status, "recall_show", page)
}

func (s *Server) handleRecallShow(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	s.renderRecall(c, http.StatusOK, id, recallDoneForm{}, nil)
}

func (s *Server) handleRecallActionDone(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	var f recallDoneForm
	err = bindForm(c, &f)
	f.Tag = inventory.NormalizeTag(f.Tag)
	var r inventory.Recall
	if err == nil {
		r, err = s.Inventory.CompleteRecallAction(c.Request.Context(), id, f.Tag, f.Notes)
	}
	if e := errs.As(err); err != nil && e.Fields["notes"] == "say what was done" {
		err = &errs.Error{Code: e.Code, Message: e.Message, Fields: map[string]string{"notes": "is empty: say what was done, for example collected and checked"}}
	}
	field := recalledRow{inventory.RecalledItem{Tag: f.Tag}}.FieldName()
	err = renameFields(err, map[string]string{"notes": field, "tag": field})
	if s.actionFailed(c, err, func(st int) { s.renderRecall(c, st, id, f, err) }) {
		return
	}
	v := recallView{r}
	msg := "Action on " + f.Tag + " marked done."
	for _, it := range v.Affected {
		if it.Tag == f.Tag && it.Status == inventory.Quarantined {
			msg += " It is still quarantined: release it or retire it from its page."
		}
	}
	if n := v.OpenActions(); n > 0 {
		msg += " " + countOf(n, "action is", "actions are") + " still open on recall " + r.Reference + "."
	} else {
		msg += " Every action on recall " + r.Reference + " is done: close the recall."
	}
	redirectWithFlash(c, recordPath("/recalls", id), msg)
}

func (s *Server) handleRecallClose(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	r, err := s.Inventory.CloseRecall(c.Request.Context(), id)
	if s.actionFailed(c, err, func(st int) { s.renderRecall(c, st, id, recallDoneForm{}, err) }) {
		return
	}
	msg := "Recall " + r.Reference + " closed."
	if n := (recallView{r}).Quarantined(); n > 0 {
		msg += " " + countOf(n, "unit is", "units are") + " still quarantined: release or retire each one from its page."
	}
	redirectWithFlash(c, recordPath("/recalls", id), msg)
}
