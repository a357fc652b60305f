package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"kitloan/web/openapi"
)

// apiDocsPage is pages/api_docs.html: the API's reference, drawn in the browser from the
// contract by the vendored Swagger UI.
type apiDocsPage struct {
	Layout
}

// handleAPIDocs shows the API reference: GET /api/docs.
func (s *Server) handleAPIDocs(c *gin.Context) {
	s.render(c, http.StatusOK, "api_docs", &apiDocsPage{})
}

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
