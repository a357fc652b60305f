package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"kitloan/inventory"
)

func (s *Server) handleAPIRecallCreate(c *gin.Context) {
	create(s, c, func(in inventory.RecallInput) (any, error) { return s.Inventory.CreateRecall(c.Request.Context(), in) })
}

func (s *Server) handleAPIRecallList(c *gin.Context) {
	p, err := apiPage(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	recalls, err := s.Inventory.Recalls(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, listAll(recalls, p))
}

func (s *Server) handleAPIRecallShow(c *gin.Context) {
	s.withID(c, func(id int64) (any, error) { return s.Inventory.Recall(c.Request.Context(), id) }, http.StatusOK)
}

type recallActionBody struct {
	Tag   string `json:"tag"`
	Notes string `json:"notes"`
}

func (s *Server) handleAPIRecallActionDone(c *gin.Context) {
	withBody(s, c, func(id int64, in recallActionBody) (any, error) {
		return s.Inventory.CompleteRecallAction(c.Request.Context(), id, in.Tag, in.Notes)
	}, http.StatusOK)
}

func (s *Server) handleAPIRecallClose(c *gin.Context) {
	s.withID(c, func(id int64) (any, error) { return s.Inventory.CloseRecall(c.Request.Context(), id) }, http.StatusOK)
}
