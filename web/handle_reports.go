package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"kitloan/accounts"
	"kitloan/internal/errs"
	"kitloan/reports"
)

// reporting are the roles that see the figures: managers (viewers), admins, and the store,
// whose turnaround and recycling the figures measure.
var reporting = []string{accounts.Admin, accounts.Staff, accounts.Viewer}

// reportStore returns the reports over the server's database; it holds nothing else.
func (s *Server) reportStore() *reports.Store { return reports.NewStore(s.DB) }

// reportsPage is pages/reports.html: a period's figures and charts, with the period's
// dates as typed (From, To) in its form.
type reportsPage struct {
	Layout
	From, To string
	Report   reportView
}

// handleReports shows a period's figures and charts. A period that is not right keeps
// what was typed beside the message and shows the last 12 months meanwhile.
func (s *Server) handleReports(c *gin.Context) {
	ctx := c.Request.Context()
	page := &reportsPage{From: c.Query("from"), To: c.Query("to")}
	status := http.StatusOK
	p, err := reports.ParsePeriod(page.From, page.To, s.now())
	if err != nil {
		status, page.Errors = statusOf(errs.CodeOf(err)), errs.As(err)
		p = reports.DefaultPeriod(s.now())
	} else {
		page.From, page.To = p.From, p.To
	}
	f, err := s.reportStore().Figures(ctx, p)
	if err != nil {
		s.fail(c, err)
		return
	}
	page.Report = newReportView(f)
	s.render(c, status, "reports", page)
}

// handleAPIReports answers the period's figures as JSON: GET /api/v1/reports?from=&to=.
func (s *Server) handleAPIReports(c *gin.Context) {
	p, err := reports.ParsePeriod(c.Query("from"), c.Query("to"), s.now())
	if err != nil {
		s.fail(c, err)
		return
	}
	f, err := s.reportStore().Figures(c.Request.Context(), p)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, f)
}

// reportView is a period's figures as the page shows them: words and formatted numbers
// worked out here, so the template only places them.
type reportView struct {
	reports.Figures
	PeriodText                                string
	Cards                                     []figureCard
	Months                                    []monthRow
	Categories                                []reports.CategoryFigures
	Priorities                                []priorityRow
	LoansChart, RecyclingChart, CategoryChart chart
	RecyclingText                             string
	StockTotal, StockText, StockNote          string
}

// figureCard is one headline figure: the number, what it is, and how it is worked out.
type figureCard struct {
	Value, Label, Hint string
}

type monthRow struct {
	Month                                             string
	LoansIssued, ItemsIssued, ItemsReturned, Reissued int
	Rate                                              string
}

type priorityRow struct {
	Priority, Target, Delivered, Within string
}

// monthName turns "2026-04" into "Apr 2026"; short is "Apr" alone.
func monthName(m string) (full, short, year string) {
	t, err := time.Parse("2006-01", m)
	if err != nil {
		return m, m, ""
	}
	return t.Format("Jan 2006"), t.Format("Jan"), t.Format("2006")
}

// pct writes a percentage to one decimal place ("66.7%"), or a dash when there is none.
func pct(v *float64) string {
	if v == nil {
		return "–"
	}
	return strconv.FormatFloat(*v, 'f', 1, 64) + "%"
}

// stockPounds writes pence as pounds with thousands separators: "£12,345.60".
func stockPounds(p int64) string {
	return "£" + thousands(int(p/100)) + "." + strconv.Itoa(int(p%100/10)) + strconv.Itoa(int(p%10))
}

// number writes a figure that may be none: "4", "2.5", or a dash.
func number(v *float64) string {
	if v == nil {
		return "–"
	}
	return strconv.FormatFloat(*v, 'f', -1, 64)
}

func newReportView(f reports.Figures) reportView {
	v := reportView{Figures: f, Categories: f.ByCategory}
	v.PeriodText = showDate(f.From) + " to " + showDate(f.To)
	v.RecyclingText, v.StockTotal = pct(f.RecyclingRate), stockPounds(f.StockValue.TotalPence)
	recycled := thousands(f.ReturnedReissued) + " of the " + thousands(f.ItemsReturned) + " returned went out again by " + showDate(f.To)
	if f.ItemsReturned == 0 {
		recycled = "nothing was returned in these dates"
	}
	delivered := thousands(f.RequestsWithinTarget) + " of " + thousands(f.RequestsDelivered) + " delivered; urgent within 2 working days, standard within 7"
	median := "half the requests delivered took this long or less, counting Monday to Friday"
	if f.RequestsDelivered == 0 {
		delivered, median = "no requests were delivered in these dates", "no requests were delivered in these dates"
	}
	v.Cards = []figureCard{
		{thousands(f.ItemsIssued), "items issued", countOf(f.LoansIssued, "loan", "loans") + "; " + thousands(f.ConsumablesIssued) + " consumables handed out besides"},
		{thousands(f.ItemsReturned), "items returned", "booked back in from loans"},
		{v.RecyclingText, "recycling rate", recycled},
		{pct(f.WithinTarget), "requests delivered within target", delivered},
		{number(f.MedianWorkingDays), "working days from request to issue (median)", median},
		{v.StockTotal, "value of stock today", "items not retired, and consumables in stock, at their unit cost"},
	}
	var loansPts, ratePts []chartPoint
	most, mostMonth, rateKnown := 0, "", 0
	for i, m := range f.Months {
		full, short, year := monthName(m.Month)
		v.Months = append(v.Months, monthRow{Month: full, LoansIssued: m.LoansIssued, ItemsIssued: m.ItemsIssued,
			ItemsReturned: m.ItemsReturned, Reissued: m.ReturnedReissued, Rate: pct(m.RecyclingRate)})
		label2 := ""
		if i == 0 || short == "Jan" {
			label2 = year
		}
		n := float64(m.LoansIssued)
		loansPts = append(loansPts, chartPoint{Label: short, Label2: label2, Value: &n, Text: strconv.Itoa(m.LoansIssued),
			Title: full + ": " + countOf(m.LoansIssued, "loan", "loans")})
		if m.LoansIssued > most {
			most, mostMonth = m.LoansIssued, full
		}
		rp := chartPoint{Label: short, Label2: label2, Value: m.RecyclingRate, Text: pct(m.RecyclingRate)}
		if m.RecyclingRate != nil {
			rateKnown++
			rp.Title = full + ": " + pct(m.RecyclingRate) + " of " + countOf(m.ItemsReturned, "return", "returns") + " issued again"
			rp.Text = strconv.FormatFloat(*m.RecyclingRate, 'f', 0, 64) + "%"
		} else {
			rp.Title = full + ": nothing returned"
		}
		ratePts = append(ratePts, rp)
	}
	first, last := "", ""
	if len(v.Months) > 0 {
		first, last = v.Months[0].Month, v.Months[len(v.Months)-1].Month
	}
	loansDesc := "Bar chart of the loans issued in each month from " + first + " to " + last + ", " + thousands(f.LoansIssued) + " in all"
	if most > 0 {
		loansDesc += "; the most were in " + mostMonth + ", with " + strconv.Itoa(most)
	}
	v.LoansChart = columnChart("chart-loans", "Loans a month", loansDesc+". The table beside it has each month's numbers.", chartBlue, loansPts, 0, "")
	rateDesc := "Bar chart of the recycling rate of each month from " + first + " to " + last +
		": the share of the month's returns that went out again on another loan. The rate over the whole period is " + pct(f.RecyclingRate) + "."
	if rateKnown < len(ratePts) {
		rateDesc += " Months with nothing returned have no bar."
	}
	v.RecyclingChart = columnChart("chart-recycling", "Recycling rate by month", rateDesc+" The table beside it has each month's numbers.", chartGreen, ratePts, 100, "%")
	var catPts []chartPoint
	top, topName := 0, ""
	for _, cf := range f.ByCategory {
		n := float64(cf.Items)
		catPts = append(catPts, chartPoint{Label: cf.Category, Value: &n, Text: strconv.Itoa(cf.Items),
			Title: cf.Category + ": " + countOf(cf.Items, "item", "items") + " lent on " + countOf(cf.Loans, "loan", "loans")})
		if cf.Items > top {
			top, topName = cf.Items, cf.Category
		}
	}
	catDesc := "Bar chart of the items lent in each category from " + v.PeriodText
	if top > 0 {
		catDesc += "; the most were " + topName + ", with " + strconv.Itoa(top)
	}
	v.CategoryChart = barChart("chart-categories", "Loans by category", catDesc+". The table beside it has each category's loans and items.", chartBlue, catPts)
	for _, pf := range f.ByPriority {
		v.Priorities = append(v.Priorities, priorityRow{Priority: titleWord(pf.Priority), Target: strconv.Itoa(pf.TargetDays),
			Delivered: thousands(pf.Delivered), Within: thousands(pf.WithinTarget) + " (" + pct(percentOf(pf.WithinTarget, pf.Delivered)) + ")"})
	}
	sv := f.StockValue
	v.StockText = stockPounds(sv.ItemsPence) + " in labelled items and " + stockPounds(sv.ConsumablesPence) + " in consumables."
	if sv.ItemsWithoutCost+sv.ConsumablesWithoutCost > 0 {
		v.StockNote = countOf(sv.ItemsWithoutCost, "item", "items") + " and " + countOf(sv.ConsumablesWithoutCost, "consumable", "consumables") +
			" in stock have no unit cost, so count as nothing: add their costs in the catalogue to complete the figure."
	}
	return v
}

func percentOf(n, of int) *float64 {
	if of == 0 {
		return nil
	}
	v := float64(n) * 100 / float64(of)
	return &v
}

func titleWord(s string) string {
	if s == "" {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}
