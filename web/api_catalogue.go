package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"kitloan/inventory"
)

func (s *Server) handleAPICategoryList(c *gin.Context) {
	cats, err := s.Inventory.Categories(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, list(cats, len(cats)))
}

func (s *Server) handleAPIProductList(c *gin.Context) {
	products, total, err := s.Inventory.Products(c.Request.Context(), productFilter(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, list(products, total))
}

func (s *Server) handleAPIProductCreate(c *gin.Context) {
	var in inventory.ProductInput
	if err := bindJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	p, err := s.Inventory.CreateProduct(c.Request.Context(), in)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, p)
}

func (s *Server) handleAPIProductShow(c *gin.Context) {
	p, err := s.productParam(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, p)
}

// handleAPIProductUpdate changes the fields sent and keeps the rest.
func (s *Server) handleAPIProductUpdate(c *gin.Context) {
	old, err := s.productParam(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	in := inputOf(old)
	if err := bindJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	p, err := s.Inventory.UpdateProduct(c.Request.Context(), old.ID, in)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, p)
}

func (s *Server) handleAPIItemList(c *gin.Context) {
	items, total, err := s.Inventory.Items(c.Request.Context(), itemFilter(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, list(items, total))
}

func (s *Server) handleAPIItemCreate(c *gin.Context) {
	var in inventory.ItemInput
	if err := bindJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	in.Quantity = 1
	items, err := s.Inventory.CreateItems(c.Request.Context(), in)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, items[0])
}

func (s *Server) handleAPIItemShow(c *gin.Context) {
	it, err := s.Inventory.Item(c.Request.Context(), c.Param("tag"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, it)
}

// handleAPIItemUpdate changes the fields sent and keeps the rest.
func (s *Server) handleAPIItemUpdate(c *gin.Context) {
	it, err := s.Inventory.Item(c.Request.Context(), c.Param("tag"))
	if err != nil {
		s.fail(c, err)
		return
	}
	in := updateOf(it)
	if err := bindJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	it, err = s.Inventory.UpdateItem(c.Request.Context(), it.Tag, in)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, it)
}

func (s *Server) handleAPIItemHistory(c *gin.Context) {
	limit, offset := pageOf(c, 50)
	events, total, err := s.Inventory.History(c.Request.Context(), c.Param("tag"), limit, offset)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, list(events, total))
}

type apiAct struct {
	Action string `json:"action"`
	Note   string `json:"note"`
}

func (s *Server) handleAPIItemAct(c *gin.Context) {
	var in apiAct
	if err := bindJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	it, err := s.Inventory.Act(c.Request.Context(), c.Param("tag"), inventory.Action(in.Action), in.Note)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, it)
}
