package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"kitloan/inventory"
)

// statusCount is one card on the home page.
type statusCount struct {
	Status inventory.Status
	Count  int
}

// CountText is the count as people read numbers: "62,000".
func (sc statusCount) CountText() string { return thousands(sc.Count) }

// homePage is pages/home.html: cards of what is waiting, by role.
type homePage struct {
	Layout
	Counts                      []statusCount
	LoanCards, MaintenanceCards []loanCard
	Reports                     homeReports
}

func (s *Server) handleHome(c *gin.Context) {
	counts, err := s.Inventory.CountByStatus(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	var cards []statusCount
	for _, st := range inventory.Statuses {
		if st == inventory.Retired {
			continue
		}
		cards = append(cards, statusCount{st, counts[st]})
	}
	loanCards, err := s.loanCards(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	maintenanceCards, err := s.maintenanceCards(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	reportCards, err := s.homeReports(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, http.StatusOK, "home", &homePage{Counts: cards, LoanCards: loanCards, MaintenanceCards: maintenanceCards, Reports: reportCards})
}
