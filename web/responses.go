package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// What every API handler shares: reading the path's id and the JSON body, and answering
// with the record (lists: api_paging.go).

// withID runs fn with the numeric :id of the path, answering 404 for anything else.
func (s *Server) withID(c *gin.Context, fn func(id int64) (any, error), status int) {
	id, err := idParam(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	out, err := fn(id)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(status, out)
}

// withBody decodes the JSON body into a T and runs fn with it and the path's :id.
func withBody[T any](s *Server, c *gin.Context, fn func(id int64, in T) (any, error), status int) {
	s.withID(c, func(id int64) (any, error) {
		var in T
		if err := bindJSON(c, &in); err != nil {
			return nil, err
		}
		return fn(id, in)
	}, status)
}

// create decodes the JSON body into a T and answers 201 with what fn made.
func create[T any](s *Server, c *gin.Context, fn func(in T) (any, error)) {
	var in T
	if err := bindJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	out, err := fn(in)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, out)
}
