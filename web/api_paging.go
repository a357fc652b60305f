package web

import (
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"kitloan/internal/errs"
)

// Every API list answers one page: at most maxPageLimit rows from offset, 50 unless the
// client asks for another limit. A limit out of range is refused rather than quietly
// replaced, so that a client asking for 1,000 rows learns it got a page, not everything.
const (
	maxPageLimit     = 500
	defaultPageLimit = 50
)

// page is which rows of a list to answer.
type page struct {
	Limit, Offset int
}

// listBody is the shape of every API list: one page of results, how many there are in
// all, and the page asked for.
type listBody[T any] struct {
	Results []T `json:"results"`
	Total   int `json:"total"`
	Limit   int `json:"limit"`
	Offset  int `json:"offset"`
}

func list[T any](results []T, total int, p page) listBody[T] {
	if results == nil {
		results = []T{}
	}
	return listBody[T]{Results: results, Total: total, Limit: p.Limit, Offset: p.Offset}
}

// listAll answers one page of a list the store returns whole (categories, an item's
// maintenance records, recalls): short lists, paged here so that every list pages alike.
func listAll[T any](all []T, p page) listBody[T] {
	from := min(p.Offset, len(all))
	to := min(from+p.Limit, len(all))
	return list(all[from:to], len(all), p)
}

// apiPage reads ?limit= and ?offset=, answering 400 naming the parameter when either is
// not a whole number in range.
func apiPage(c *gin.Context) (page, error) {
	p := page{Limit: defaultPageLimit}
	problems := errs.FieldsError{}
	if v, ok := c.GetQuery("limit"); ok {
		n, err := strconv.Atoi(v)
		switch {
		case err != nil || n < 1:
			problems.Add("limit", "must be a whole number from 1 to "+strconv.Itoa(maxPageLimit))
		case n > maxPageLimit:
			problems.Add("limit", "must be at most "+strconv.Itoa(maxPageLimit)+": ask for the next page with offset")
		default:
			p.Limit = n
		}
	}
	if v, ok := c.GetQuery("offset"); ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			problems.Add("offset", "must be a whole number, 0 or more")
		} else {
			p.Offset = n
		}
	}
	if len(problems) == 0 {
		return p, nil
	}
	var says []string
	for _, name := range []string{"limit", "offset"} {
		if problem, ok := problems[name]; ok {
			says = append(says, "the "+name+" "+problem)
		}
	}
	message := strings.Join(says, ", and ")
	return p, &errs.Error{Code: errs.BadRequest, Message: "T" + message[1:] + ".", Fields: map[string]string(problems)}
}

// queryOneOf reads a query parameter that names one of a fixed set (a status filter, say).
// A list page shows nothing for a value it does not know; a client is answered 400
// naming the parameter, so that a misspelt filter is not read as "there are none".
func queryOneOf(c *gin.Context, name string, allowed []string) (string, error) {
	v := c.Query(name)
	if v == "" || slices.Contains(allowed, v) {
		return v, nil
	}
	e := errs.Field(name, "must be one of "+strings.Join(allowed, ", "))
	e.Code = errs.BadRequest
	return "", e
}
