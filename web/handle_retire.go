package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"kitloan/internal/errs"
	"kitloan/inventory"
)

// Retiring an item: why it is leaving the store for good.

// retireForm is the retire page's form.
type retireForm struct {
	Reason string `form:"reason"`
}

// itemRetirePage is pages/item_retire.html: why Item is being retired.
type itemRetirePage struct {
	Layout
	Item inventory.Item
	Form retireForm
}

func (s *Server) renderRetire(c *gin.Context, status int, it inventory.Item, form retireForm, err error) {
	s.render(c, status, "item_retire", &itemRetirePage{Layout: failedWith(err), Item: it, Form: form})
}

// retirable loads the path's item and refuses, with the item's state, one that cannot be retired.
func (s *Server) retirable(c *gin.Context) (inventory.Item, bool) {
	it, err := s.Inventory.Item(c.Request.Context(), c.Param("tag"))
	if err == nil {
		if _, ok := inventory.NextStatus(it.Status, inventory.Retire); !ok {
			err = errs.Errorf(errs.Conflict, "%s is %s, so it cannot be retired.", it.Tag, strings.ToLower(it.Status.Label()))
		}
	}
	if err != nil {
		s.fail(c, err)
		return it, false
	}
	return it, true
}

func (s *Server) handleItemRetireForm(c *gin.Context) {
	it, ok := s.retirable(c)
	if !ok {
		return
	}
	s.renderRetire(c, http.StatusOK, it, retireForm{}, nil)
}

func (s *Server) handleItemRetire(c *gin.Context) {
	it, ok := s.retirable(c)
	if !ok {
		return
	}
	var f retireForm
	err := bindForm(c, &f)
	if err == nil && f.Reason == "" {
		err = errs.Field("reason", "is empty: say why it is being retired, for example beyond economic repair")
	}
	if err == nil {
		_, err = s.Inventory.Act(c.Request.Context(), it.Tag, inventory.Retire, f.Reason)
	}
	err = renameFields(err, map[string]string{"note": "reason"})
	if s.actionFailed(c, err, func(st int) { s.renderRetire(c, st, it, f, err) }) {
		return
	}
	redirectWithFlash(c, "/items/"+url.PathEscape(it.Tag), it.Tag+" retired: it will not be lent again. Take its label off, and recycle or dispose of it.")
}
