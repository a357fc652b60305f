package web

import (
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"kitloan/accounts"
	"kitloan/internal/db"
	"kitloan/internal/errs"
	"kitloan/inventory"
)

// What the pages of children, requests and loans share: reading tags as people scan or
// type them, naming form fields the way the page labels them, and showing the problems
// of a refused action on the page it came from.

// tagsFrom splits what was scanned or typed into a box of tags: one a line, or separated
// by spaces or commas. A scanner that reads a label's QR code types its whole address,
// which the domain turns back into the tag.
func tagsFrom(s string) []string {
	return strings.Fields(strings.ReplaceAll(s, ",", " "))
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

// tagProblem is why one scanned tag was refused.
type tagProblem struct{ Tag, Message string }

// tagProblems picks out the problems keyed by tag from an error (issue, allocate and
// return refuse the lot and name each item), tidying each message so it reads after the
// tag in the error summary ("KL-000002 is in repair"). The fields the form itself has are
// left alone. The error's message is replaced by one that says what to do next.
func tagProblems(err error, formFields []string, verb string) ([]tagProblem, error) {
	if err == nil {
		return nil, nil
	}
	e := errs.As(err)
	var out []tagProblem
	fields := map[string]string{}
	for _, k := range slices.Sorted(maps.Keys(e.Fields)) {
		msg := e.Fields[k]
		if slices.Contains(formFields, k) || inventory.NormalizeTag(k) != k {
			fields[k] = msg
			continue
		}
		msg = strings.TrimPrefix(msg, k+" ")
		if msg == "there is no item with this tag" {
			msg = "is not the tag of any item: check it"
		}
		fields[k] = msg
		out = append(out, tagProblem{Tag: k, Message: msg})
	}
	if len(out) == 0 {
		return nil, e
	}
	msg := "Nothing was " + verb + ". Take the items below off the list, or correct their tags, and try again."
	return out, &errs.Error{Code: e.Code, Message: msg, Fields: fields}
}

// eventTable is what the "event_table" partial draws: a page of a record's history.
type eventTable struct {
	Events []db.Event
	Page   pager
}

// eventsPage reads a page of an entity's events for its page.
func (s *Server) eventsPage(c *gin.Context, entity db.Entity, id int64) (eventTable, error) {
	limit, offset := pageOf(c, 20)
	events, total, err := s.DB.Events(c.Request.Context(), entity, id, limit, offset)
	if err != nil {
		return eventTable{}, err
	}
	return eventTable{Events: events, Page: pager{Total: total, Limit: limit, Offset: offset, URL: c.Request.URL.String()}}, nil
}

// countOf says how many of something: "1 item", "2 items".
func countOf(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// recordPath is a record's page: recordPath("/loans", 3) is "/loans/3".
func recordPath(prefix string, id int64) string { return prefix + "/" + strconv.FormatInt(id, 10) }

// queryInt64 reads a numeric query parameter; anything else is 0.
func queryInt64(c *gin.Context, name string) int64 {
	id, _ := strconv.ParseInt(c.Query(name), 10, 64)
	return max(id, 0)
}

// Medium returns the field drawn at a width for dates, phone numbers and NHS numbers.
func (f formField) Medium() formField { f.Class = "input-medium"; return f }

// withTherapists fills a list page's therapists for its "lead therapist" filter; a
// therapist sees only their own caseload, so gets no filter. It reports false after
// answering with an error.
func (s *Server) withTherapists(c *gin.Context, therapists *[]accounts.User) bool {
	if user(c).Role == accounts.Therapist {
		return true
	}
	var err error
	if *therapists, err = s.Accounts.Users(c.Request.Context(), accounts.Therapist); err != nil {
		s.fail(c, err)
		return false
	}
	return true
}
