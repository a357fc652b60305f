package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"kitloan/internal/errs"
	"kitloan/internal/settings"
	"kitloan/inventory"
	"kitloan/papers"
)

// renderSettings shows the service's settings and its categories; a failed form keeps
// what was typed, with the error beside the field of the form that was sent.
func (s *Server) renderSettings(c *gin.Context, status int, form settings.Input, cat *categoryEdit, err error) {
	cats, cerr := s.Inventory.Categories(c.Request.Context())
	if cerr != nil {
		s.fail(c, cerr)
		return
	}
	page := &settingsPage{Form: form, Categories: cats, PaperSizes: papers.PaperSizes(), DefaultTerms: papers.DefaultTerms, Editing: cat}
	if err != nil {
		e := errs.As(err)
		if cat != nil {
			page.CategoryErrors = e
		} else {
			page.Errors = e
		}
	}
	s.render(c, status, "settings", page)
}

// settingsPage is pages/settings.html: the service’s settings and a form for each category. A
// category form sent back (Editing) shows its problems (CategoryErrors) in its own panel.
type settingsPage struct {
	Layout
	Form           settings.Input
	Categories     []inventory.Category
	PaperSizes     []string
	DefaultTerms   string
	Editing        *categoryEdit
	CategoryErrors *errs.Error
}

// categoryEdit is a category form as sent: which category (0 for a new one) and its fields.
type categoryEdit struct {
	ID int64
	inventory.CategoryInput
}

func (s *Server) currentSettings(c *gin.Context) (settings.Input, bool) {
	svc, err := s.Settings.Get(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return settings.Input{}, false
	}
	return settings.InputOf(svc), true
}

func (s *Server) handleSettings(c *gin.Context) {
	form, ok := s.currentSettings(c)
	if !ok {
		return
	}
	s.renderSettings(c, http.StatusOK, form, nil, nil)
}

func (s *Server) handleSettingsUpdate(c *gin.Context) {
	var in settings.Input
	err := bindForm(c, &in)
	if err == nil {
		err = s.Settings.Update(c.Request.Context(), in)
	}
	if s.formFailed(c, err, func(st int) { s.renderSettings(c, st, in, nil, err) }) {
		return
	}
	redirectWithFlash(c, "/settings", "Settings saved. New labels and papers use them from now on.")
}

// handleCategorySave adds a category (no :id) or changes one.
func (s *Server) handleCategorySave(c *gin.Context) {
	edit := &categoryEdit{}
	if c.Param("id") != "" {
		id, err := idParam(c, "id")
		if err != nil {
			s.fail(c, err)
			return
		}
		edit.ID = id
	}
	err := bindForm(c, &edit.CategoryInput)
	if err == nil {
		if edit.ID == 0 {
			err = s.Inventory.CreateCategory(c.Request.Context(), edit.CategoryInput)
		} else {
			err = s.Inventory.UpdateCategory(c.Request.Context(), edit.ID, edit.CategoryInput)
		}
	}
	form, ok := s.currentSettings(c)
	if !ok {
		return
	}
	if s.formFailed(c, err, func(st int) { s.renderSettings(c, st, form, edit, err) }) {
		return
	}
	redirectWithFlash(c, "/settings#categories", "Category "+edit.Name+" saved.")
}
