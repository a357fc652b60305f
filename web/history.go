package web

import (
	"github.com/gin-gonic/gin"

	"kitloan/internal/db"
	"kitloan/loans"
)

// A record's history as its page shows it, a page of events at a time.

// eventTable is what the "event_table" partial draws: a page of a record's history.
type eventTable struct {
	Events []db.Event
	Page   pager
}

// historyPage reads the page of a record's history that the query asks for, with read:
// the history method of the store that owns the record.
func historyPage(c *gin.Context, read func(limit, offset int) ([]db.Event, int, error)) (eventTable, error) {
	limit, offset := pageOf(c, 20)
	events, total, err := read(limit, offset)
	if err != nil {
		return eventTable{}, err
	}
	return eventTable{Events: events, Page: pager{Total: total, Limit: limit, Offset: offset, URL: c.Request.URL.String()}}, nil
}

// childRecordPage reads what a loan's and a request's pages both show beside the record:
// the child it is for (logging the read through via, as the page names them) and the
// record's history. On false the answer has been sent.
func (s *Server) childRecordPage(c *gin.Context, childID int64, via string, history func(limit, offset int) ([]db.Event, int, error)) (loans.Child, eventTable, bool) {
	child, err := s.Loans.Child(c.Request.Context(), user(c), childID)
	if err != nil {
		s.fail(c, err)
		return loans.Child{}, eventTable{}, false
	}
	if !s.logChildRead(c, child.ID, via) {
		return loans.Child{}, eventTable{}, false
	}
	events, err := historyPage(c, history)
	if err != nil {
		s.fail(c, err)
		return loans.Child{}, eventTable{}, false
	}
	return child, events, true
}
