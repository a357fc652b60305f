package web

import (
	"github.com/gin-gonic/gin"

	"kitloan/internal/errs"
)

// Showing a refused form or action on the page it came from, with its fields named as the
// page labels them.

// formFailed re-renders a form for invalid input or a conflict and reports true; any other
// error gets the error page. It returns false when err is nil.
func (s *Server) formFailed(c *gin.Context, err error, show func(status int)) bool {
	if err == nil {
		return false
	}
	switch e := errs.As(err); {
	case e.Code == errs.Invalid || e.Code == errs.BadRequest || (e.Code == errs.Conflict && len(e.Fields) > 0):
		show(statusOf(e.Code))
	default:
		s.fail(c, err)
	}
	return true
}

// renameFields returns the error with its field names changed to the ones the page uses, so
// that the error summary names the field as the page labels it ("Product", not
// "Product id") and links to its id. Names not in the map are kept.
func renameFields(err error, names map[string]string) error {
	if err == nil {
		return nil
	}
	e := errs.As(err)
	if len(e.Fields) == 0 {
		return e
	}
	out := &errs.Error{Code: e.Code, Message: e.Message, Fields: map[string]string{}}
	for k, v := range e.Fields {
		if n, ok := names[k]; ok {
			k = n
		}
		out.Fields[k] = v
	}
	return out
}

// actionFailed shows a refused action on the page it was taken from: invalid input or a
// conflict (an item in the wrong state, a request already approved) re-renders the page
// with the error summary; anything else gets the error page. It returns false for nil.
func (s *Server) actionFailed(c *gin.Context, err error, show func(status int)) bool {
	if err == nil {
		return false
	}
	switch errs.CodeOf(err) {
	case errs.Invalid, errs.BadRequest, errs.Conflict:
		show(statusOf(errs.CodeOf(err)))
	default:
		s.fail(c, err)
	}
	return true
}
