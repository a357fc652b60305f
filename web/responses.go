package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// What every API handler shares: reading the path's id and the JSON body, and answering
// with the record, or a list in one shape.

// listBody is the list shape every API list answers with (README, "The API").
type listBody[T any] struct {
	Results []T `json:"results"`
	Total   int `json:"total"`
}

func list[T any](results []T, total int) listBody[T] {
	if results == nil {
		results = []T{}
	}
	return listBody[T]{Results: results, Total: total}
}

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
