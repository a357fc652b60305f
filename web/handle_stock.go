package web

import (
	"strconv"

	"github.com/gin-gonic/gin"

	"kitloan/internal/errs"
	"kitloan/inventory"
	"kitloan/loans"
)

// stockForm is the product page's form that records stock received, counted or written off.
type stockForm struct {
	Kind     string `form:"what_happened"`
	Quantity string `form:"how_many"`
	Reason   string `form:"reason"`
}

var stockFieldNames = map[string]string{"kind": "what_happened", "quantity": "how_many"}

// handleProductStock changes a consumable's stock from its page; a refusal shows on the
// page with what was typed.
func (s *Server) handleProductStock(c *gin.Context) {
	ctx := c.Request.Context()
	id, err := idParam(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	p, err := s.Inventory.Product(ctx, id)
	if err != nil {
		s.fail(c, err)
		return
	}
	var f stockForm
	err = bindForm(c, &f)
	n, convErr := strconv.Atoi(f.Quantity)
	if err == nil && convErr != nil {
		err = errs.Field("quantity", "must be a whole number, like 12")
	}
	before, after := p.Stock, 0
	if err == nil {
		after, err = s.Loans.AdjustStock(ctx, id, loans.StockAdjustment{Kind: f.Kind, Quantity: n, Reason: f.Reason})
	}
	err = renameFields(err, stockFieldNames)
	if s.actionFailed(c, err, func(st int) {
		items, _, ierr := s.Inventory.Items(ctx, inventory.ItemFilter{ProductID: id, Limit: 20})
		if ierr != nil {
			s.fail(c, ierr)
			return
		}
		s.render(c, st, "product_show", &productShowPage{Layout: failedWith(err), Product: p, Items: items, Stock: f})
	}) {
		return
	}
	what := map[string]string{loans.Received: strconv.Itoa(after-before) + " received", loans.WrittenOff: strconv.Itoa(before-after) + " written off",
		loans.Counted: "counted"}[f.Kind]
	msg := "Stock of " + p.Title() + " is now " + strconv.Itoa(after) + " (" + what + ")."
	if after <= p.ReorderLevel {
		msg += " That is at or below the reorder level of " + strconv.Itoa(p.ReorderLevel) + ": time to reorder."
	}
	redirectWithFlash(c, recordPath("/products", id), msg)
}
