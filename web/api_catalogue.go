package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"kitloan/inventory"
)

func (s *Server) handleAPICategoryList(c *gin.Context) {
	p, err := apiPage(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	cats, err := s.Inventory.Categories(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, listAll(cats, p))
}

func (s *Server) handleAPIProductList(c *gin.Context) {
	p, err := apiPage(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	f := productFilter(c)
	f.Limit, f.Offset = p.Limit, p.Offset
	products, total, err := s.Inventory.Products(c.Request.Context(), f)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, list(products, total, p))
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
	p, err := apiPage(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	f := itemFilter(c)
	f.Limit, f.Offset = p.Limit, p.Offset
	if _, err := queryOneOf(c, "status", statusNames()); err != nil {
		s.fail(c, err)
		return
	}
	items, total, err := s.Inventory.Items(c.Request.Context(), f)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, list(items, total, p))
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
	p, err := apiPage(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	events, total, err := s.Inventory.History(c.Request.Context(), c.Param("tag"), p.Limit, p.Offset)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, list(events, total, p))
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

// statusNames are the item statuses as the API names them.
func statusNames() []string {
	names := make([]string, len(inventory.Statuses))
	for i, st := range inventory.Statuses {
		names[i] = string(st)
	}
	return names
}
