package web

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"kitloan/inventory"
)

func (s *Server) handleProductList(c *gin.Context) {
	f := productFilter(c)
	products, total, err := s.Inventory.Products(c.Request.Context(), f)
	if err != nil {
		s.fail(c, err)
		return
	}
	cats, err := s.Inventory.Categories(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, http.StatusOK, "products", &productsPage{Products: products, Categories: cats, Filter: f,
		Page: pager{Total: total, Limit: f.Limit, Offset: f.Offset, URL: c.Request.URL.String()}})
}

// productsPage is pages/products.html: the catalogue, filtered.
type productsPage struct {
	Layout
	Products   []inventory.Product
	Categories []inventory.Category
	Filter     inventory.ProductFilter
	Page       pager
}

// productFormPage is pages/product_form.html: adding a product, or changing Product.
type productFormPage struct {
	Layout
	Categories []inventory.Category
	Form       inventory.ProductInput
	Product    *inventory.Product
}

// renderProductForm shows the add or change form, with what was typed and any errors.
func (s *Server) renderProductForm(c *gin.Context, status int, product *inventory.Product, form inventory.ProductInput, err error) {
	cats, cerr := s.Inventory.Categories(c.Request.Context())
	if cerr != nil {
		s.fail(c, cerr)
		return
	}
	s.render(c, status, "product_form", &productFormPage{Layout: failedWith(err), Categories: cats, Form: form, Product: product})
}

func (s *Server) handleProductNew(c *gin.Context) {
	s.renderProductForm(c, http.StatusOK, nil, inventory.ProductInput{Kind: inventory.Returnable}, nil)
}

func (s *Server) handleProductCreate(c *gin.Context) {
	var in inventory.ProductInput
	err := bindForm(c, &in)
	var p inventory.Product
	if err == nil {
		p, err = s.Inventory.CreateProduct(c.Request.Context(), in)
	}
	if s.formFailed(c, err, func(st int) { s.renderProductForm(c, st, nil, in, err) }) {
		return
	}
	redirectWithFlash(c, "/products/"+strconv.FormatInt(p.ID, 10), p.Title()+" added to the catalogue.")
}

func (s *Server) handleProductShow(c *gin.Context) {
	p, err := s.productParam(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	items, _, err := s.Inventory.Items(c.Request.Context(), inventory.ItemFilter{ProductID: p.ID, Limit: 20})
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, http.StatusOK, "product_show", &productShowPage{Product: p, Items: items})
}

// productShowPage is pages/product_show.html: a product, its first units and, for a
// consumable, the stock form (with what was typed when a change was refused).
type productShowPage struct {
	Layout
	Product inventory.Product
	Items   []inventory.Item
	Stock   stockForm
}

// productParam loads the product named by the path's :id.
func (s *Server) productParam(c *gin.Context) (inventory.Product, error) {
	id, err := idParam(c, "id")
	if err != nil {
		return inventory.Product{}, err
	}
	return s.Inventory.Product(c.Request.Context(), id)
}

// inputOf turns a product back into the form that would make it.
func inputOf(p inventory.Product) inventory.ProductInput {
	decon := p.NeedsDecontamination
	return inventory.ProductInput{Name: p.Name, Category: inventory.CategoryRef(p.Category), Kind: p.Kind,
		Manufacturer: p.Manufacturer, Model: p.Model, Size: p.Size, ServiceIntervalDays: p.ServiceIntervalDays,
		NeedsDecontamination: &decon, ReorderLevel: p.ReorderLevel, Stock: p.Stock, UnitCostPence: p.UnitCostPence,
		MinAgeYears: p.MinAgeYears, MaxAgeYears: p.MaxAgeYears, Notes: p.Notes}
}

func (s *Server) handleProductEdit(c *gin.Context) {
	p, err := s.productParam(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.renderProductForm(c, http.StatusOK, &p, inputOf(p), nil)
}

func (s *Server) handleProductUpdate(c *gin.Context) {
	old, err := s.productParam(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	var in inventory.ProductInput
	err = bindForm(c, &in)
	var p inventory.Product
	if err == nil {
		p, err = s.Inventory.UpdateProduct(c.Request.Context(), old.ID, in)
	}
	if s.formFailed(c, err, func(st int) { s.renderProductForm(c, st, &old, in, err) }) {
		return
	}
	redirectWithFlash(c, "/products/"+strconv.FormatInt(p.ID, 10), "Changes to "+p.Title()+" saved.")
}
