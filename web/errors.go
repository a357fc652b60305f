package web

import (
	"bytes"
	"errors"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"kitloan/internal/errs"
)

var (
	errNoRoute  = errs.Errorf(errs.NotFound, "There is no page at this address. Check it, or start from the home page.")
	errNoMethod = &errs.Error{Code: "method_not_allowed", Message: "This address does not accept that kind of request."}
)

// statusOf maps an error code to its HTTP status: the one place this is decided.
func statusOf(code errs.Code) int {
	switch code {
	case errs.BadRequest:
		return http.StatusBadRequest
	case errs.Invalid:
		return http.StatusUnprocessableEntity
	case errs.Unauthorized:
		return http.StatusUnauthorized
	case errs.Forbidden:
		return http.StatusForbidden
	case errs.NotFound:
		return http.StatusNotFound
	case errs.Conflict:
		return http.StatusConflict
	case errs.TooLarge:
		return http.StatusRequestEntityTooLarge
	case errs.Unsupported:
		return http.StatusUnsupportedMediaType
	case errs.TooMany:
		return http.StatusTooManyRequests
	case "method_not_allowed":
		return http.StatusMethodNotAllowed
	}
	return http.StatusInternalServerError
}

// errorBody is the error shape of the API (README, "The API").
type errorBody struct {
	Error struct {
		Code    errs.Code         `json:"code"`
		Message string            `json:"message"`
		Fields  map[string]string `json:"fields,omitempty"`
	} `json:"error"`
}

// fail answers with an error: JSON for the API, an error page for a browser.
func (s *Server) fail(c *gin.Context, err error) {
	e := errs.As(err)
	if e.Code == errs.Internal {
		s.Log.Error("internal error", "path", c.Request.URL.Path, "err", err)
	}
	if isAPI(c) {
		failWith(c, e)
		return
	}
	heading := map[errs.Code]string{
		errs.NotFound: "Page not found", errs.Forbidden: "You cannot do this", errs.Unauthorized: "Sign in",
		errs.Conflict: "This cannot be done now", errs.TooMany: "Too many attempts", errs.TooLarge: "That is too large",
	}[e.Code]
	if heading == "" {
		heading = "Sorry, there is a problem"
	}
	s.render(c, statusOf(e.Code), "error", &errorPage{Heading: heading, Message: e.Message})
}

// errorPage is pages/error.html: what went wrong, in words.
type errorPage struct {
	Layout
	Heading, Message string
}

// failWith writes the JSON error shape. Handlers use fail; the role check, which runs
// before a page could be chosen, uses this for the API and a plain page otherwise.
func failWith(c *gin.Context, err error) {
	e := errs.As(err)
	var body errorBody
	body.Error.Code, body.Error.Message, body.Error.Fields = e.Code, e.Message, e.Fields
	if !isAPI(c) && !wantsJSON(c) {
		var b bytes.Buffer
		b.WriteString("<!DOCTYPE html><html lang=\"en-GB\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>kitloan</title><link rel=\"stylesheet\" href=\"/static/style.css\"></head><body><main class=\"container\"><h1>")
		b.WriteString(htmlEscape(e.Message))
		b.WriteString("</h1><p><a href=\"/\">Go to the home page</a></p></main></body></html>")
		c.Data(statusOf(e.Code), "text/html; charset=utf-8", b.Bytes())
		return
	}
	c.JSON(statusOf(e.Code), body)
}

func wantsJSON(c *gin.Context) bool {
	return c.ContentType() == "application/json" || c.GetHeader("Accept") == "application/json"
}

// bodyError classifies a failure to read a request body: too large, or not valid.
func bodyError(err error) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return errs.Errorf(errs.TooLarge, "The request body is larger than %d bytes.", MaxBodyBytes)
	}
	return errs.Errorf(errs.BadRequest, "The request could not be read: %v", err)
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }
