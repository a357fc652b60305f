package web

import (
	"github.com/gin-gonic/gin"
)

// maintenanceCards counts the maintenance waiting, for the store's home page: returns to
// clean, returns to inspect, and items overdue for service, each linking to its list.
func (s *Server) maintenanceCards(c *gin.Context) ([]loanCard, error) {
	if !user(c).Can(staff...) {
		return nil, nil
	}
	m, err := s.Inventory.CountMaintenance(c.Request.Context())
	if err != nil {
		return nil, err
	}
	return []loanCard{
		{Count: m.AwaitingCleaning, Label: "waiting for cleaning", URL: "/maintenance#cleaning"},
		{Count: m.AwaitingInspection, Label: "waiting for inspection", URL: "/maintenance#inspection"},
		{Count: m.ServiceOverdue, Label: "service overdue", URL: "/maintenance#overdue", Warn: true},
	}, nil
}
