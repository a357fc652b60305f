package web

import (
	"github.com/gin-gonic/gin"

	"kitloan/internal/db"
)

// A record's history as its page shows it, a page of events at a time.

// eventTable is what the "event_table" partial draws: a page of a record's history.
type eventTable struct {
	Events []db.Event
	Page   pager
}

// eventsPage reads a page of an entity's events for its page.
func (s *Server) eventsPage(c *gin.Context, entity string, id int64) (eventTable, error) {
	limit, offset := pageOf(c, 20)
	events, total, err := s.DB.Events(c.Request.Context(), entity, id, limit, offset)
	if err != nil {
		return eventTable{}, err
	}
	return eventTable{Events: events, Page: pager{Total: total, Limit: limit, Offset: offset, URL: c.Request.URL.String()}}, nil
}
