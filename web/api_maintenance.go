package web

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"kitloan/internal/errs"
	"kitloan/inventory"
)

func (s *Server) handleAPIMaintenanceCreate(c *gin.Context) {
	create(s, c, func(in inventory.MaintenanceInput) (any, error) {
		return s.Inventory.RecordMaintenance(c.Request.Context(), c.Param("tag"), in)
	})
}

func (s *Server) handleAPIMaintenanceList(c *gin.Context) {
	p, err := apiPage(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	records, err := s.Inventory.Maintenance(c.Request.Context(), c.Param("tag"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, listAll(records, p))
}

// handleAPIServiceDue lists items due for service within `days` (default 30), overdue
// first, split into those in the store and those on loan.
func (s *Server) handleAPIServiceDue(c *gin.Context) {
	days, err := strconv.Atoi(c.DefaultQuery("days", "30"))
	if err != nil || days < 0 || days > 366 {
		s.fail(c, errs.Field("days", "must be a whole number of days from 0 to 366"))
		return
	}
	inStore, onLoan, err := s.Inventory.ServiceDue(c.Request.Context(), days)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"in_store": orEmpty(inStore), "on_loan": orEmpty(onLoan)})
}

// handleAPIAfterReturn lists returned items waiting for cleaning and for inspection.
func (s *Server) handleAPIAfterReturn(c *gin.Context) {
	cleaning, inspection, err := s.Inventory.AfterReturn(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"awaiting_cleaning": orEmpty(cleaning), "awaiting_inspection": orEmpty(inspection)})
}

func orEmpty[T any](xs []T) []T {
	if xs == nil {
		return []T{}
	}
	return xs
}
