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
