package web

import (
	"github.com/gin-gonic/gin"

	"kitloan/accounts"
	"kitloan/reports"
)

// homeReports is what the home page adds for reports: the store's cards of requests past
// their target, agreements to chase and consumables to reorder; and for managers and
// admins the figures of the last 12 months.
type homeReports struct {
	Cards   []loanCard
	Figures *reportView
	Exports bool
}

// homeReports gathers the home page's report cards and figures for the user's role.
func (s *Server) homeReports(c *gin.Context) (homeReports, error) {
	ctx := c.Request.Context()
	u := user(c)
	h := homeReports{Exports: len(exportLinks(u)) > 0}
	if u.Can(staff...) {
		w, err := s.reportStore().Workload(ctx)
		if err != nil {
			return h, err
		}
		svc, err := s.Settings.Get(ctx)
		if err != nil {
			return h, err
		}
		unsigned, err := s.Loans.CountUnsignedAgreements(ctx, u, svc.UnsignedAfterDaysOrDefault(), countCap)
		if err != nil {
			return h, err
		}
		h.Cards = []loanCard{
			{Count: w.OpenRequests, Label: "open requests", One: "open request", URL: "/requests"},
			{Count: w.RequestsPastTarget, Label: "requests past their target", One: "request past its target", URL: "/requests", Warn: true},
			{Count: unsigned, Capped: true, Label: "unsigned agreements to chase", One: "unsigned agreement to chase", URL: "/agreements/unsigned", Warn: true},
			{Count: w.ConsumablesToOrder, Label: "consumables to reorder", One: "consumable to reorder", URL: "/reports#reorder", Warn: true},
		}
		for i, k := range h.Cards {
			if k.Count == 1 {
				h.Cards[i].Label = k.One
			}
		}
	}
	if u.Can(accounts.Admin, accounts.Viewer) {
		f, err := s.reportStore().Figures(ctx, reports.DefaultPeriod(s.now()))
		if err != nil {
			return h, err
		}
		v := newReportView(f)
		h.Figures = &v
	}
	return h, nil
}
