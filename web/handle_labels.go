package web

import (
	"bytes"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"kitloan/internal/errs"
	"kitloan/inventory"
	"kitloan/labels"
)

// labelRequest is what to print: the chosen tags, or (with all=1) every item matching a
// list's filter, up to a page of 500.
type labelRequest struct {
	Tags   []string
	All    bool
	Filter inventory.ItemFilter
	Opts   labels.Options
}

// readLabelRequest reads tags (repeatable, or space-separated), the layout, skip and copies.
func readLabelRequest(c *gin.Context) (labelRequest, error) {
	var r labelRequest
	for _, t := range c.QueryArray("tag") {
		r.Tags = append(r.Tags, strings.Fields(strings.ReplaceAll(t, ",", " "))...)
	}
	if len(r.Tags) == 0 && c.Query("all") == "1" {
		r.All, r.Filter = true, itemFilter(c)
		r.Filter.Offset, r.Filter.Limit = 0, 500
	}
	r.Opts.Layout = c.Query("layout")
	problems := errs.FieldsError{}
	for name, dst := range map[string]*int{"skip": &r.Opts.Skip, "copies": &r.Opts.Copies} {
		if v := strings.TrimSpace(c.Query(name)); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				problems.Add(name, "must be a whole number, like 2")
			}
			*dst = n
		}
	}
	return r, problems.Err()
}

// labelsFor turns the request into labels, each pointing at its item's scan page.
func (s *Server) labelsFor(c *gin.Context, r labelRequest) ([]labels.Label, error) {
	ctx := c.Request.Context()
	var items []inventory.Item
	var err error
	if len(r.Tags) > 0 {
		items, err = s.Inventory.ItemsByTags(ctx, r.Tags)
		if e := errs.As(err); err != nil && e.Code == errs.NotFound {
			e.Code = errs.Invalid
			return nil, e
		}
	} else if r.All {
		items, _, err = s.Inventory.Items(ctx, r.Filter)
	}
	if err != nil {
		return nil, err
	}
	svc, err := s.Settings.Get(ctx)
	if err != nil {
		return nil, err
	}
	base := strings.TrimRight(svc.BaseURL, "/")
	out := make([]labels.Label, len(items))
	for i, it := range items {
		out[i] = labels.Label{Tag: it.Tag, Product: it.Product.DisplayName, URL: base + "/t/" + url.PathEscape(it.Tag)}
	}
	return out, nil
}

// handleLabelsPDF writes the label sheet: GET /api/v1/labels.pdf and the page's Print button.
func (s *Server) handleLabelsPDF(c *gin.Context) {
	r, err := readLabelRequest(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	ls, err := s.labelsFor(c, r)
	if err != nil {
		s.fail(c, err)
		return
	}
	svc, err := s.Settings.Get(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	r.Opts.Phone = svc.ServicePhone
	var buf bytes.Buffer
	if err := labels.WriteSheet(&buf, ls, r.Opts); err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Content-Disposition", `inline; filename="labels.pdf"`)
	c.Data(http.StatusOK, "application/pdf", buf.Bytes())
}

// labelsPage is pages/labels.html: the labels chosen and how to print them.
type labelsPage struct {
	Layout
	Layouts []labels.Layout
	Opts    labels.Options
	Labels  []labels.Label
}

// handleLabelsPage lets staff choose the stock, skip used labels and copies, then print.
func (s *Server) handleLabelsPage(c *gin.Context) {
	r, err := readLabelRequest(c)
	page := &labelsPage{Layouts: labels.Layouts(), Opts: r.Opts}
	if err == nil {
		page.Labels, err = s.labelsFor(c, r)
	}
	status := http.StatusOK
	if err != nil {
		e := errs.As(err)
		if e.Code != errs.Invalid {
			s.fail(c, err)
			return
		}
		page.Errors, status = e, statusOf(e.Code)
	}
	s.render(c, status, "labels", page)
}

// handleItemLabelPNG draws one item's label as a PNG, for printers that take images.
func (s *Server) handleItemLabelPNG(c *gin.Context) {
	ls, err := s.labelsFor(c, labelRequest{Tags: []string{c.Param("tag")}})
	if err != nil {
		s.fail(c, err)
		return
	}
	svc, err := s.Settings.Get(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	dpi, _ := strconv.Atoi(c.DefaultQuery("dpi", "300"))
	if dpi < 72 || dpi > 600 {
		s.fail(c, errs.Field("dpi", "must be between 72 and 600"))
		return
	}
	var buf bytes.Buffer
	if err := labels.WritePNG(&buf, ls[0], labels.Options{Layout: c.DefaultQuery("layout", "roll-62x29"), Phone: svc.ServicePhone}, dpi); err != nil {
		s.fail(c, err)
		return
	}
	c.Data(http.StatusOK, "image/png", buf.Bytes())
}

// handleScanCamera is the phone's scan page: the camera reads a label where the browser
// can (BarcodeDetector); elsewhere it says to use the camera app, since the label's URL
// opens the same item page.
func (s *Server) handleScanCamera(c *gin.Context) {
	s.render(c, http.StatusOK, "scan_camera", &scanCameraPage{})
}

// scanCameraPage is pages/scan_camera.html, which needs only the layout.
type scanCameraPage struct{ Layout }
