package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"

	"kitloan/internal/db"
	"kitloan/internal/errs"
	"kitloan/inventory"
	"kitloan/loans"
)

func (s *Server) handleItemList(c *gin.Context) {
	f := itemFilter(c)
	f.CountUpTo = countCap
	items, total, err := s.Inventory.Items(c.Request.Context(), f)
	if err != nil {
		s.fail(c, err)
		return
	}
	cats, err := s.Inventory.Categories(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	q := c.Request.URL.Query()
	q.Del("offset")
	q.Del("limit")
	s.render(c, http.StatusOK, "items", &itemsPage{Items: items, Categories: cats, Statuses: inventory.Statuses, Filter: f, LabelQuery: q.Encode(),
		Page: pager{Total: total, Limit: f.Limit, Offset: f.Offset, URL: c.Request.URL.String(), Capped: total > countCap}})
}

// itemsPage is pages/items.html: a page of items found, with the filters.
type itemsPage struct {
	Layout
	Items      []inventory.Item
	Categories []inventory.Category
	Statuses   []inventory.Status
	Filter     inventory.ItemFilter
	// LabelQuery is the filter as a query, for printing the labels of what it finds.
	LabelQuery string
	Page       pager
}

// itemNewPage is pages/item_new.html: adding units of a product.
type itemNewPage struct {
	Layout
	Products   []inventory.Product
	Conditions []string
	Form       inventory.ItemInput
}

func (s *Server) renderItemNew(c *gin.Context, status int, form inventory.ItemInput, err error) {
	products, _, perr := s.Inventory.Products(c.Request.Context(), inventory.ProductFilter{Kind: inventory.Returnable, Limit: 500})
	if perr != nil {
		s.fail(c, perr)
		return
	}
	s.render(c, status, "item_new", &itemNewPage{Layout: failedWith(err), Products: products, Conditions: inventory.Conditions, Form: form})
}

func (s *Server) handleItemNew(c *gin.Context) {
	pid, _ := strconv.ParseInt(c.Query("product_id"), 10, 64)
	s.renderItemNew(c, http.StatusOK, inventory.ItemInput{ProductID: pid, Condition: "new", Quantity: 1}, nil)
}

func (s *Server) handleItemCreate(c *gin.Context) {
	var in inventory.ItemInput
	err := bindForm(c, &in)
	var items []inventory.Item
	if err == nil {
		items, err = s.Inventory.CreateItems(c.Request.Context(), in)
	}
	if s.formFailed(c, err, func(st int) { s.renderItemNew(c, st, in, err) }) {
		return
	}
	q := url.Values{}
	for _, it := range items {
		q.Add("tag", it.Tag)
	}
	redirectWithFlash(c, "/items/added?"+q.Encode(), fmt.Sprintf("%d %s of %s added.", len(items), plural(len(items), "item", "items"), items[0].Product.DisplayName))
}

// handleItemsAdded shows the units just added, ready for their labels; a page of its own
// so that reloading it adds nothing.
func (s *Server) handleItemsAdded(c *gin.Context) {
	items, err := s.Inventory.ItemsByTags(c.Request.Context(), c.QueryArray("tag"))
	if err != nil {
		s.fail(c, err)
		return
	}
	if len(items) == 0 {
		redirect(c, http.StatusSeeOther, "/items")
		return
	}
	s.render(c, http.StatusOK, "item_created", &itemCreatedPage{Items: items})
}

// itemCreatedPage is pages/item_created.html: the units just added.
type itemCreatedPage struct {
	Layout
	Items []inventory.Item
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// itemAction is a button on the item page.
type itemAction struct {
	Action         inventory.Action
	Label, Confirm string
	Main, Warning  bool
	// Link, when set, makes the button a link to a page of its own under the item's address.
	Link string
}

// itemActionButtons says how each manual action reads on a button.
var itemActionButtons = map[inventory.Action]itemAction{
	inventory.InspectPass:     {Label: "Passed inspection: make available", Main: true},
	inventory.InspectFail:     {Label: "Failed inspection: send for repair"},
	inventory.SendToRepair:    {Label: "Send for service or repair"},
	inventory.Repaired:        {Label: "Repaired: make available", Main: true},
	inventory.ClearQuarantine: {Label: "Release from quarantine"},
	inventory.Retire:          {Label: "Retire this item", Warning: true, Link: "retire"},
}

// actionsFor lists the buttons the item's status allows.
func actionsFor(st inventory.Status) []itemAction {
	var out []itemAction
	for _, a := range inventory.ManualActions {
		if _, ok := inventory.NextStatus(st, a); ok {
			b := itemActionButtons[a]
			b.Action = a
			out = append(out, b)
		}
	}
	return out
}

func (s *Server) handleItemShow(c *gin.Context) {
	ctx := c.Request.Context()
	it, err := s.Inventory.Item(ctx, c.Param("tag"))
	if err != nil {
		s.fail(c, err)
		return
	}
	if it.Tag != c.Param("tag") {
		redirect(c, http.StatusMovedPermanently, "/items/"+url.PathEscape(it.Tag))
		return
	}
	s.renderItem(c, it)
}

// renderItem shows an item's page: the full view a signed-in user gets, also from a scan.
func (s *Server) renderItem(c *gin.Context, it inventory.Item) {
	history, err := historyPage(c, func(limit, offset int) ([]db.Event, int, error) {
		return s.Inventory.History(c.Request.Context(), it.Tag, limit, offset)
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	holder, err := s.Loans.HolderOf(c.Request.Context(), user(c), it.LoanID)
	if err != nil {
		s.fail(c, err)
		return
	}
	records, err := s.Inventory.Maintenance(c.Request.Context(), it.Tag)
	if err != nil {
		s.fail(c, err)
		return
	}
	notices, err := s.Inventory.SafetyNotices(c.Request.Context(), it.ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, http.StatusOK, "item_show", &itemShowPage{Item: it, Actions: actionsFor(it.Status), Holder: holder,
		Maintenance: maintenanceRows(records), SafetyNotices: notices, eventTable: history})
}

// itemShowPage is pages/item_show.html: an item, who holds it, its maintenance and history.
type itemShowPage struct {
	Layout
	Item        inventory.Item
	Actions     []itemAction
	Holder      *loans.Loan
	Maintenance []maintenanceRow
	// SafetyNotices are the recalls still in force for the item.
	SafetyNotices []inventory.SafetyNotice
	eventTable
}

func updateOf(it inventory.Item) inventory.ItemUpdate {
	u := inventory.ItemUpdate{Serial: it.Serial, Condition: it.Condition, Location: it.Location, Notes: it.Notes}
	if it.AcquiredOn != nil {
		u.AcquiredOn = *it.AcquiredOn
	}
	return u
}

func (s *Server) renderItemEdit(c *gin.Context, status int, it inventory.Item, form inventory.ItemUpdate, err error) {
	s.render(c, status, "item_edit", &itemEditPage{Layout: failedWith(err), Item: it, Form: form, Conditions: inventory.Conditions})
}

// itemEditPage is pages/item_edit.html: changing an item's details.
type itemEditPage struct {
	Layout
	Item       inventory.Item
	Form       inventory.ItemUpdate
	Conditions []string
}

func (s *Server) handleItemEdit(c *gin.Context) {
	it, err := s.Inventory.Item(c.Request.Context(), c.Param("tag"))
	if err != nil {
		s.fail(c, err)
		return
	}
	s.renderItemEdit(c, http.StatusOK, it, updateOf(it), nil)
}

func (s *Server) handleItemUpdate(c *gin.Context) {
	it, err := s.Inventory.Item(c.Request.Context(), c.Param("tag"))
	if err != nil {
		s.fail(c, err)
		return
	}
	var in inventory.ItemUpdate
	err = bindForm(c, &in)
	if err == nil {
		it, err = s.Inventory.UpdateItem(c.Request.Context(), it.Tag, in)
	}
	if s.formFailed(c, err, func(st int) { s.renderItemEdit(c, st, it, in, err) }) {
		return
	}
	redirectWithFlash(c, "/items/"+url.PathEscape(it.Tag), "Changes to "+it.Tag+" saved.")
}

type actForm struct {
	Action string `form:"action"`
	Note   string `form:"note"`
}

func (s *Server) handleItemAct(c *gin.Context) {
	var f actForm
	if err := bindForm(c, &f); err != nil {
		s.fail(c, err)
		return
	}
	if inventory.Action(f.Action) == inventory.Retire && f.Note == "" {
		// Retiring needs a reason, asked for on a page of its own.
		redirect(c, http.StatusSeeOther, "/items/"+url.PathEscape(inventory.NormalizeTag(c.Param("tag")))+"/retire")
		return
	}
	it, err := s.Inventory.Act(c.Request.Context(), c.Param("tag"), inventory.Action(f.Action), f.Note)
	if err != nil {
		s.fail(c, err)
		return
	}
	redirectWithFlash(c, "/items/"+url.PathEscape(it.Tag), it.Tag+" is now "+it.Status.Label()+".")
}

// handleScanBox takes what a USB scanner or a person typed into the scan box (a tag or a
// label's URL) to that item's page.
func (s *Server) handleScanBox(c *gin.Context) {
	tag := inventory.NormalizeTag(c.Query("tag"))
	if tag == "" {
		redirect(c, http.StatusSeeOther, "/items")
		return
	}
	if _, err := s.Inventory.Item(c.Request.Context(), tag); err != nil {
		if errs.CodeOf(err) == errs.NotFound {
			redirectWithWarning(c, "/items?q="+url.QueryEscape(tag), "No item has the tag "+tag+". Showing a search instead.")
			return
		}
		s.fail(c, err)
		return
	}
	redirect(c, http.StatusSeeOther, "/items/"+url.PathEscape(tag))
}

// handleScanLabel is the page a label's QR code opens. Anyone may scan a label on a chair
// in a child's home, so without a session it shows only the product, the tag and how to
// reach the service; a signed-in user with catalogue access gets the item's full page.
func (s *Server) handleScanLabel(c *gin.Context) {
	ctx := c.Request.Context()
	tag := inventory.NormalizeTag(c.Param("tag"))
	it, err := s.Inventory.Item(ctx, tag)
	if err != nil && errs.CodeOf(err) != errs.NotFound {
		s.fail(c, err)
		return
	}
	found := err == nil
	if u, ok := currentUser(c); ok && found && u.Can(catalogue...) {
		s.renderItem(c, it)
		return
	}
	status := http.StatusOK
	var notices []inventory.SafetyNotice
	if found {
		if notices, err = s.Inventory.SafetyNotices(ctx, it.ID); err != nil {
			s.fail(c, err)
			return
		}
	} else {
		status = http.StatusNotFound
	}
	s.render(c, status, "scan_public", &scanPublicPage{Found: found, Tag: tag, ProductName: it.Product.DisplayName, SafetyNotices: notices})
}

// scanPublicPage is pages/scan_public.html: what anyone scanning a label may see, and
// above all a recall in force: a family holding a recalled chair must stop using it.
type scanPublicPage struct {
	Layout
	Found            bool
	Tag, ProductName string
	SafetyNotices    []inventory.SafetyNotice
}
