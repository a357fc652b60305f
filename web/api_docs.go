package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"kitloan/web/openapi"
)

// handleOpenAPI answers the API's contract, the OpenAPI 3.1 document of every /api/v1
// route: GET /api/v1/openapi.json.
func (s *Server) handleOpenAPI(c *gin.Context) {
	doc, err := openapi.JSON()
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Data(http.StatusOK, "application/json", doc)
}
