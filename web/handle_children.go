package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"kitloan/accounts"
	"kitloan/inventory"
	"kitloan/loans"
	"kitloan/privacy"
)

// carerSlots is how many carers the child form offers.
const carerSlots = 3

func (s *Server) handleChildList(c *gin.Context) {
	ctx := c.Request.Context()
	u := user(c)
	limit, offset := pageOf(c, 50)
	f := loans.ChildFilter{Query: strings.TrimSpace(c.Query("q")), Discharged: c.Query("discharged") == "true", Limit: limit, Offset: offset}
	if u.Role != accounts.Therapist {
		f.TherapistID = queryInt64(c, "therapist")
	}
	children, total, err := s.Loans.Children(ctx, u, f)
	if err != nil {
		s.fail(c, err)
		return
	}
	// Issuing from an item's page: the list picks the child to issue that item to.
	issue := inventory.NormalizeTag(c.Query("issue"))
	page := &childrenPage{Children: children, Filter: f, Filtered: f.Query != "" || f.TherapistID != 0, Issue: issue,
		Page: pager{Total: total, Limit: limit, Offset: offset, URL: c.Request.URL.String()}}
	if !s.withTherapists(c, &page.Therapists) {
		return
	}
	s.render(c, http.StatusOK, "children", page)
}

// childrenPage is pages/children.html: a page of the caseload, searched. Issue is the tag
// of an item to issue to the child chosen from the list, when issuing from its page.
type childrenPage struct {
	Layout
	Children   []loans.Child
	Filter     loans.ChildFilter
	Filtered   bool
	Issue      string
	Therapists []accounts.User
	Page       pager
}

// childForm is what the child form shows: the details, and every carer slot as typed.
type childForm struct {
	loans.ChildInput
	Slots []loans.Carer
}

// childFieldNames names the domain's fields as the child form labels them.
func childFieldNames() map[string]string {
	return map[string]string{"nhs_number": "NHS_number", "therapist_email": "lead_therapist", "address": "home_address", "setting": "school_or_setting"}
}

// readChildForm reads the posted child form. The carers come as repeated fields; the
// slots left empty are dropped, and slot maps each carer passed on to the form's slot,
// so that a problem with a carer is shown beside the right one.
func readChildForm(c *gin.Context) (childForm, []int, error) {
	if err := c.Request.ParseForm(); err != nil {
		return childForm{}, nil, bodyError(err)
	}
	f := c.Request.PostForm
	in := loans.ChildInput{Reference: f.Get("reference"), GivenName: f.Get("given_name"), FamilyName: f.Get("family_name"),
		DateOfBirth: f.Get("date_of_birth"), NHSNumber: f.Get("nhs_number"), Address: f.Get("home_address"), Setting: f.Get("school_or_setting"),
		SettingAddress: f.Get("setting_address"), TherapistEmail: f.Get("therapist_email"), Notes: f.Get("notes")}
	at := func(name string, i int) string {
		if v := f[name]; i < len(v) {
			return strings.TrimSpace(v[i])
		}
		return ""
	}
	n := max(len(f["carer_name"]), len(f["carer_relationship"]), len(f["carer_phone"]), len(f["carer_email"]))
	form := childForm{ChildInput: in}
	var slot []int
	for i := range min(n, 10) {
		k := loans.Carer{Name: at("carer_name", i), Relationship: at("carer_relationship", i), Phone: at("carer_phone", i), Email: at("carer_email", i)}
		form.Slots = append(form.Slots, k)
		if k != (loans.Carer{}) {
			form.Carers = append(form.Carers, k)
			slot = append(slot, i)
		}
	}
	form.Slots = padCarers(form.Slots)
	return form, slot, nil
}

// padCarers adds empty carer slots up to the form's number.
func padCarers(cs []loans.Carer) []loans.Carer {
	out := append([]loans.Carer{}, cs...)
	for len(out) < carerSlots {
		out = append(out, loans.Carer{})
	}
	return out
}

// childError names the fields of a refused child as the form does: carers by their slot
// ("carer_2_phone"), and a few fields by their label.
func childError(err error, slot []int) error {
	names := childFieldNames()
	for k, i := range slot {
		for _, part := range []string{"name", "relationship", "phone", "email"} {
			names["carers["+strconv.Itoa(k)+"]."+part] = "carer_" + strconv.Itoa(i+1) + "_" + part
		}
	}
	return renameFields(err, names)
}

// childFormPage is pages/child_form.html: adding a child, or changing Child. A therapist
// adds to their own caseload; anyone else chooses one of Therapists.
type childFormPage struct {
	Layout
	Form       childForm
	Child      *loans.Child
	Therapists []accounts.User
}

func (s *Server) renderChildForm(c *gin.Context, status int, child *loans.Child, form childForm, err error) {
	page := &childFormPage{Layout: failedWith(err), Form: form, Child: child}
	if u := user(c); u.Role != accounts.Therapist {
		therapists, terr := s.Accounts.Users(c.Request.Context(), accounts.Therapist)
		if terr != nil {
			s.fail(c, terr)
			return
		}
		page.Therapists = therapists
	}
	s.render(c, status, "child_form", page)
}

func (s *Server) handleChildNew(c *gin.Context) {
	s.renderChildForm(c, http.StatusOK, nil, childForm{Slots: padCarers(nil)}, nil)
}

func (s *Server) handleChildCreate(c *gin.Context) {
	form, slot, err := readChildForm(c)
	var child loans.Child
	if err == nil {
		child, err = s.Loans.CreateChild(c.Request.Context(), user(c), form.ChildInput)
	}
	err = childError(err, slot)
	if s.formFailed(c, err, func(st int) { s.renderChildForm(c, st, nil, form, err) }) {
		return
	}
	who := "to " + child.TherapistName + "’s caseload"
	if child.TherapistID == user(c).ID {
		who = "to your caseload"
	}
	redirectWithFlash(c, recordPath("/children", child.ID), child.Name()+" ("+child.Reference+") added "+who+". Next: request equipment for "+child.GivenName+".")
}

func (s *Server) handleChildEdit(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	child, err := s.Loans.Child(c.Request.Context(), user(c), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	if !s.logChildRead(c, id, privacy.ReadEditForm) {
		return
	}
	in := childInputOf(child)
	in.NHSNumber = child.NHSNumberSpaced()
	s.renderChildForm(c, http.StatusOK, &child, childForm{ChildInput: in, Slots: padCarers(child.Carers)}, nil)
}

func (s *Server) handleChildUpdate(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	old, err := s.Loans.Child(c.Request.Context(), user(c), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	form, slot, err := readChildForm(c)
	var child loans.Child
	if err == nil {
		child, err = s.Loans.UpdateChild(c.Request.Context(), user(c), id, form.ChildInput)
	}
	err = childError(err, slot)
	if s.formFailed(c, err, func(st int) { s.renderChildForm(c, st, &old, form, err) }) {
		return
	}
	redirectWithFlash(c, recordPath("/children", child.ID), "Changes to "+child.Name()+"’s details saved.")
}

// heldItem is one item a child holds or held, with the loan it came on.
type heldItem struct {
	Loan loans.Loan
	Item loans.LoanItem
}

// consumableForm is the store's form on a child's page that issues a consumable.
type consumableForm struct {
	ProductID int64 `form:"product_id"`
	Quantity  int   `form:"how_many"`
	RequestID int64 `form:"request_id"`
}

// consumableFieldNames names the consumable form's fields as its page labels them.
var consumableFieldNames = map[string]string{"product_id": "consumable", "quantity": "how_many", "request_id": "consumable"}

// childShowPage is pages/child_show.html: a child's details, what they hold now and had
// before, their requests, and the forms of the actions the user's role allows.
type childShowPage struct {
	Layout
	Child        loans.Child
	Now, Before  []heldItem
	Consumables  []loans.ConsumableIssue
	Requests     []loans.Request
	RequestTotal int
	// InStock are the consumables the store may issue from the page.
	InStock        []inventory.Product
	ConsumableForm consumableForm
	Discharge      dischargeForm
}

// renderChild shows a child's page. page comes with what the caller knows: the forms as
// typed and the errors of a refused one; renderChild adds the child's records.
func (s *Server) renderChild(c *gin.Context, status int, id int64, page *childShowPage) {
	ctx := c.Request.Context()
	u := user(c)
	child, err := s.Loans.Child(ctx, u, id)
	if err != nil {
		s.fail(c, err)
		return
	}
	if !s.logChildRead(c, id, privacy.ReadPage) {
		return
	}
	eq, err := s.Loans.Equipment(ctx, u, id)
	if err != nil {
		s.fail(c, err)
		return
	}
	var now, before []heldItem
	for _, l := range eq.Loans {
		for _, li := range l.Items {
			if li.Out() {
				now = append(now, heldItem{l, li})
			} else {
				before = append(before, heldItem{l, li})
			}
		}
	}
	requests, requestTotal, err := s.Loans.Requests(ctx, u, loans.RequestFilter{ChildID: id, Limit: 100})
	if err != nil {
		s.fail(c, err)
		return
	}
	page.Child, page.Now, page.Before, page.Consumables = child, now, before, eq.Consumables
	page.Requests, page.RequestTotal = requests, requestTotal
	if u.Can(staff...) && !child.Discharged() {
		products, _, err := s.Inventory.Products(ctx, inventory.ProductFilter{Kind: inventory.Consumable, Limit: 500})
		if err != nil {
			s.fail(c, err)
			return
		}
		var inStock []inventory.Product
		for _, p := range products {
			if p.Stock > 0 {
				inStock = append(inStock, p)
			}
		}
		page.InStock = inStock
	}
	s.render(c, status, "child_show", page)
}

func (s *Server) handleChildShow(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	s.renderChild(c, http.StatusOK, id, &childShowPage{ConsumableForm: consumableForm{Quantity: 1}})
}

type dischargeForm struct {
	On string `form:"discharged_on"`
}

func (s *Server) handleChildDischarge(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	var f dischargeForm
	err = bindForm(c, &f)
	var child loans.Child
	if err == nil {
		child, err = s.Loans.DischargeChild(c.Request.Context(), user(c), id, f.On)
	}
	if s.actionFailed(c, err, func(st int) {
		s.renderChild(c, st, id, &childShowPage{Layout: failedWith(err), ConsumableForm: consumableForm{Quantity: 1}, Discharge: f})
	}) {
		return
	}
	msg := child.Name() + " discharged on " + showDate(child.DischargedOn) + "."
	if eq, err := s.Loans.Equipment(c.Request.Context(), user(c), id); err == nil {
		out := 0
		for _, l := range eq.Loans {
			out += len(l.ItemsOut())
		}
		if out > 0 {
			msg += " They still hold " + countOf(out, "item", "items") + ": arrange for it to come back, then book it in."
		}
	}
	redirectWithFlash(c, recordPath("/children", id), msg)
}

// handleConsumableIssue gives a child some of a consumable's stock, from the child's page
// or, against a request, from the request's page.
func (s *Server) handleConsumableIssue(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	var f consumableForm
	err = bindForm(c, &f)
	var out loans.ConsumableIssue
	if err == nil {
		in := loans.ConsumableInput{ProductID: f.ProductID, ChildID: id, Quantity: f.Quantity}
		if f.RequestID != 0 {
			in.RequestID = &f.RequestID
		}
		out, err = s.Loans.IssueConsumable(c.Request.Context(), user(c), in)
	}
	err = renameFields(err, consumableFieldNames)
	if s.actionFailed(c, err, func(st int) {
		if f.RequestID != 0 {
			s.renderRequest(c, st, f.RequestID, &requestShowPage{Layout: failedWith(err)})
			return
		}
		s.renderChild(c, st, id, &childShowPage{Layout: failedWith(err), ConsumableForm: f})
	}) {
		return
	}
	to := recordPath("/children", id)
	if f.RequestID != 0 {
		to = recordPath("/requests", f.RequestID)
	}
	child, _ := s.Loans.Child(c.Request.Context(), user(c), id)
	redirectWithFlash(c, to, "Issued "+strconv.Itoa(out.Quantity)+" × "+out.ProductName+" to "+child.Name()+". "+
		strconv.Itoa(out.StockAfter)+" left in stock.")
}

// withTherapists fills a list page's therapists for its "lead therapist" filter; a
// therapist sees only their own caseload, so gets no filter. It reports false after
// answering with an error.
func (s *Server) withTherapists(c *gin.Context, therapists *[]accounts.User) bool {
	if user(c).Role == accounts.Therapist {
		return true
	}
	var err error
	if *therapists, err = s.Accounts.Users(c.Request.Context(), accounts.Therapist); err != nil {
		s.fail(c, err)
		return false
	}
	return true
}
