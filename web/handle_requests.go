package web

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"kitloan/accounts"
	"kitloan/internal/db"
	"kitloan/internal/errs"
	"kitloan/inventory"
	"kitloan/loans"
	"kitloan/privacy"
)

// requestTab is one view of the request queue.
type requestTab struct{ Value, Label string }

// requestTabs are the queue's views: open requests (the store's work), each status, and all.
var requestTabs = []requestTab{
	{"", "Open"}, {loans.Submitted, "To approve"}, {loans.Approved, "Approved"}, {loans.Allocated, "Ready to issue"},
	{loans.Fulfilled, "Fulfilled"}, {loans.Declined, "Declined"}, {loans.Cancelled, "Cancelled"}, {"all", "All"},
}

func (s *Server) handleRequestList(c *gin.Context) {
	limit, offset := pageOf(c, 50)
	status := c.Query("status")
	f := loans.RequestFilter{Limit: limit, Offset: offset}
	switch {
	case status == "":
		f.Open = true
	case status == "all":
	default:
		known := false
		for _, t := range requestTabs {
			known = known || t.Value == status
		}
		if !known {
			status, f.Open = "", true
		} else {
			f.Status = status
		}
	}
	requests, total, err := s.Loans.Requests(c.Request.Context(), user(c), f)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, http.StatusOK, "requests", &requestsPage{Requests: requests, Status: status, Tabs: requestTabs, Targets: loans.Targets,
		Page: pager{Total: total, Limit: limit, Offset: offset, URL: c.Request.URL.String()}})
}

// requestsPage is pages/requests.html: a page of the queue's view (Status, one of Tabs).
type requestsPage struct {
	Layout
	Requests []loans.Request
	Status   string
	Tabs     []requestTab
	Targets  map[string]int
	Page     pager
}

// requestForm is the therapist's request form as posted.
type requestForm struct {
	ChildID         int64  `form:"child_id"`
	ProductID       int64  `form:"product_id"`
	Quantity        int    `form:"how_many"`
	Priority        string `form:"priority"`
	DeliverTo       string `form:"deliver_to"`
	DeliveryAddress string `form:"delivery_address"`
	Reason          string `form:"reason"`
	NeededBy        string `form:"needed_by"`
}

var requestFieldNames = map[string]string{"product_id": "product", "child_id": "child", "quantity": "how_many"}

// productGroup is one category of products in a select.
type productGroup struct {
	Category string
	Products []inventory.Product
}

// productGroups lists the whole catalogue by category, for choosing what to request.
func (s *Server) productGroups(c *gin.Context) ([]productGroup, error) {
	products, _, err := s.Inventory.Products(c.Request.Context(), inventory.ProductFilter{Limit: 500})
	if err != nil {
		return nil, err
	}
	cats, err := s.Inventory.Categories(c.Request.Context())
	if err != nil {
		return nil, err
	}
	var out []productGroup
	for _, cat := range cats {
		g := productGroup{Category: cat.Name}
		for _, p := range products {
			if p.CategoryID == cat.ID {
				g.Products = append(g.Products, p)
			}
		}
		if len(g.Products) > 0 {
			out = append(out, g)
		}
	}
	return out, nil
}

func (s *Server) renderRequestForm(c *gin.Context, status int, child loans.Child, form requestForm, err error) {
	groups, gerr := s.productGroups(c)
	if gerr != nil {
		s.fail(c, gerr)
		return
	}
	s.render(c, status, "request_form", &requestFormPage{Layout: failedWith(err), Child: child, Form: form, Groups: groups, Targets: loans.Targets})
}

// requestFormPage is pages/request_form.html: a therapist requesting equipment for Child.
type requestFormPage struct {
	Layout
	Child   loans.Child
	Form    requestForm
	Groups  []productGroup
	Targets map[string]int
}

// requestChild finds the child a new request is for, refusing a discharged one.
func (s *Server) requestChild(c *gin.Context, id int64) (loans.Child, bool) {
	if id == 0 {
		redirectWithFlash(c, "/children", "Choose the child to request equipment for: open their page and use “Request equipment”.")
		return loans.Child{}, false
	}
	child, err := s.Loans.Child(c.Request.Context(), user(c), id)
	if err == nil && child.Discharged() {
		err = errs.Errorf(errs.Conflict, "%s was discharged on %s, so equipment cannot be requested for them.", child.Name(), showDate(child.DischargedOn))
	}
	if err != nil {
		s.fail(c, err)
		return child, false
	}
	return child, true
}

func (s *Server) handleRequestNew(c *gin.Context) {
	child, ok := s.requestChild(c, queryInt64(c, "child_id"))
	if !ok {
		return
	}
	s.renderRequestForm(c, http.StatusOK, child, requestForm{ChildID: child.ID, Quantity: 1, Priority: "standard", DeliverTo: loans.Home,
		ProductID: queryInt64(c, "product_id")}, nil)
}

func (s *Server) handleRequestCreate(c *gin.Context) {
	var f requestForm
	err := bindForm(c, &f)
	if err != nil && errs.CodeOf(err) != errs.Invalid {
		s.fail(c, err)
		return
	}
	child, ok := s.requestChild(c, f.ChildID)
	if !ok {
		return
	}
	var r loans.Request
	if err == nil {
		r, err = s.Loans.CreateRequest(c.Request.Context(), user(c), loans.RequestInput{ChildID: f.ChildID, ProductID: f.ProductID,
			Quantity: f.Quantity, Priority: f.Priority, DeliverTo: f.DeliverTo, DeliveryAddress: f.DeliveryAddress, Reason: f.Reason, NeededBy: f.NeededBy})
	}
	err = renameFields(err, requestFieldNames)
	if s.formFailed(c, err, func(st int) { s.renderRequestForm(c, st, child, f, err) }) {
		return
	}
	redirectWithFlash(c, recordPath("/requests", r.ID), "Request "+r.Reference()+" for "+r.ChildName+" sent to the store. Each change to it will show on this page.")
}

// requestShowPage is pages/request_show.html: a request, its history and the forms of the
// actions the user's role and the request's status allow, with the items free to
// allocate to it (FreeItems, the first of FreeTotal).
type requestShowPage struct {
	Layout
	Request     loans.Request
	Child       loans.Child
	Decline     declineForm
	Cancel      cancelForm
	Allocate    allocateForm
	TagProblems []tagProblem
	CanCancel   bool
	FreeItems   []inventory.Item
	FreeTotal   int
	eventTable
}

// renderRequest shows a request's page. page comes with what the caller knows: the
// errors of a refused action and what was typed in its form.
func (s *Server) renderRequest(c *gin.Context, status int, id int64, page *requestShowPage) {
	ctx := c.Request.Context()
	u := user(c)
	r, err := s.Loans.Request(ctx, u, id)
	if err != nil {
		s.fail(c, err)
		return
	}
	child, history, ok := s.childRecordPage(c, r.ChildID, privacy.ReadRequestPage, func(limit, offset int) ([]db.Event, int, error) {
		return s.Loans.RequestHistory(ctx, u, id, limit, offset)
	})
	if !ok {
		return
	}
	page.eventTable = history
	page.Request, page.Child = r, child
	page.CanCancel = r.Open() && (u.Can(staff...) || u.Role == accounts.Therapist)
	if u.Can(staff...) && r.Open() && r.Returnable() && r.StillToAllocate() > 0 {
		free, total, err := s.Inventory.Items(ctx, inventory.ItemFilter{ProductID: r.ProductID, Status: inventory.Available, Limit: 12})
		if err != nil {
			s.fail(c, err)
			return
		}
		page.FreeItems, page.FreeTotal = free, total
	}
	s.render(c, status, "request_show", page)
}

func (s *Server) handleRequestShow(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	s.renderRequest(c, http.StatusOK, id, &requestShowPage{})
}

// requestAction runs one of the store's (or the therapist's) actions on a request from
// its page: a refusal shows on the page, with what was typed put back by typed, and a
// success goes back to it with a confirmation.
func (s *Server) requestAction(c *gin.Context, form any, act func(id int64) (loans.Request, error), done func(r loans.Request) string, typed func(page *requestShowPage)) {
	id, err := idParam(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	if form != nil {
		err = bindForm(c, form)
	}
	var r loans.Request
	if err == nil {
		r, err = act(id)
	}
	if s.actionFailed(c, err, func(st int) {
		page := &requestShowPage{Layout: failedWith(err)}
		if typed != nil {
			typed(page)
		}
		s.renderRequest(c, st, id, page)
	}) {
		return
	}
	redirectWithFlash(c, recordPath("/requests", id), done(r))
}

func (s *Server) handleRequestApprove(c *gin.Context) {
	s.requestAction(c, nil, func(id int64) (loans.Request, error) {
		return s.Loans.ApproveRequest(c.Request.Context(), user(c), id)
	}, func(r loans.Request) string {
		next := "Next: scan or type the tags of the items to allocate to it."
		if !r.Returnable() {
			next = "Next: issue it to " + r.ChildName + "."
		} else if r.Waiting {
			next = "There is no free stock of " + r.ProductName + " yet: allocate items when some are available."
		}
		return "Request " + r.Reference() + " approved. " + next
	}, nil)
}

type declineForm struct {
	Reason string `form:"reason_for_declining"`
}

func (s *Server) handleRequestDecline(c *gin.Context) {
	var f declineForm
	s.requestAction(c, &f, func(id int64) (loans.Request, error) {
		r, err := s.Loans.DeclineRequest(c.Request.Context(), user(c), id, f.Reason)
		return r, renameFields(err, map[string]string{"reason": "reason_for_declining"})
	}, func(r loans.Request) string {
		return "Request " + r.Reference() + " declined. The therapist sees your reason on the request."
	}, func(page *requestShowPage) { page.Decline = f })
}

type cancelForm struct {
	Reason string `form:"reason_for_cancelling"`
}

func (s *Server) handleRequestCancel(c *gin.Context) {
	var f cancelForm
	reserved := 0
	s.requestAction(c, &f, func(id int64) (loans.Request, error) {
		if r, err := s.Loans.Request(c.Request.Context(), user(c), id); err == nil {
			reserved = len(r.Allocated)
		}
		r, err := s.Loans.CancelRequest(c.Request.Context(), user(c), id, f.Reason)
		return r, renameFields(err, map[string]string{"reason": "reason_for_cancelling"})
	}, func(r loans.Request) string {
		msg := "Request " + r.Reference() + " cancelled."
		if reserved > 0 {
			msg += " Its reserved items are available again."
		}
		return msg
	}, func(page *requestShowPage) { page.Cancel = f })
}

type allocateForm struct {
	Tags string `form:"tags"`
}

func (s *Server) handleRequestAllocate(c *gin.Context) {
	var f allocateForm
	var problems []tagProblem
	before := 0
	s.requestAction(c, &f, func(id int64) (loans.Request, error) {
		if r, err := s.Loans.Request(c.Request.Context(), user(c), id); err == nil {
			before = len(r.Allocated)
		}
		r, err := s.Loans.AllocateItems(c.Request.Context(), user(c), id, tagsFrom(f.Tags))
		problems, err = tagProblems(err, []string{"tags"}, "allocated")
		return r, err
	}, func(r loans.Request) string {
		n := len(r.Allocated) - before
		msg := countOf(n, "item", "items") + " reserved for " + r.ChildName + "."
		if tags := tagsFrom(f.Tags); n == 1 && len(tags) == 1 {
			msg = inventory.NormalizeTag(tags[0]) + " reserved for " + r.ChildName + "."
		}
		if more := r.StillToAllocate(); more > 0 {
			return msg + " Allocate " + strconv.Itoa(more) + " more to complete the request."
		}
		return msg + " Next: issue to " + r.ChildName + "."
	}, func(page *requestShowPage) { page.Allocate, page.TagProblems = f, problems })
}

type releaseForm struct {
	Tag string `form:"tag"`
}

func (s *Server) handleRequestRelease(c *gin.Context) {
	var f releaseForm
	s.requestAction(c, &f, func(id int64) (loans.Request, error) {
		return s.Loans.ReleaseItem(c.Request.Context(), user(c), id, f.Tag)
	}, func(r loans.Request) string {
		return inventory.NormalizeTag(f.Tag) + " released: it is available again. Allocate another item to " + r.ChildName + " when ready."
	}, nil)
}
