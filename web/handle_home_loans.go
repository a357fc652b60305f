package web

import (
	"github.com/gin-gonic/gin"

	"kitloan/accounts"
	"kitloan/loans"
)

// loanCard is one card of the home page's children, requests and loans: a count and
// where to go to act on it.
type loanCard struct {
	Count int
	// Label says what is counted; One is how it reads when the count is 1.
	Label, One, URL string
	// Warn marks a count that is a problem when it is not zero.
	Warn bool
	// Capped says the count stopped past countCap.
	Capped bool
}

// CountText is the count as people read numbers ("1,001"): a county store has thousands
// of items due for service. Loan and request counts stop past countCap, which reads
// "1,000+": the home page counts a dozen lists on every visit.
func (c loanCard) CountText() string {
	if c.Capped && c.Count > countCap {
		return thousands(countCap) + "+"
	}
	return thousands(c.Count)
}

// loanCards counts what a therapist or the store has to do about children, requests and
// loans, from the totals of the domain's own lists.
func (s *Server) loanCards(c *gin.Context) ([]loanCard, error) {
	ctx := c.Request.Context()
	u := user(c)
	if !u.Can(caseload...) {
		return nil, nil
	}
	requests := func(f loans.RequestFilter) (int, error) { return s.Loans.CountRequests(ctx, u, f, countCap) }
	reviews := func(f loans.LoanFilter) (int, error) { return s.Loans.CountLoans(ctx, u, f, countCap) }
	type count struct {
		card loanCard
		n    func() (int, error)
	}
	var counts []count
	if u.Role == accounts.Therapist {
		counts = []count{
			{loanCard{Label: "children on your caseload", One: "child on your caseload", URL: "/children"}, func() (int, error) {
				_, n, err := s.Loans.Children(ctx, u, loans.ChildFilter{Limit: 1})
				return n, err
			}},
			{loanCard{Capped: true, Label: "open requests", One: "open request", URL: "/requests"}, func() (int, error) { return requests(loans.RequestFilter{Open: true}) }},
			{loanCard{Capped: true, Label: "reviews due in the next 30 days", One: "review due in the next 30 days", URL: "/loans?view=due"}, func() (int, error) { return reviews(loans.LoanFilter{ReviewWithinDays: 30}) }},
			{loanCard{Capped: true, Label: "reviews overdue", One: "review overdue", URL: "/loans?view=overdue", Warn: true}, func() (int, error) { return reviews(loans.LoanFilter{Overdue: true}) }},
		}
	} else {
		counts = []count{
			{loanCard{Capped: true, Label: "requests to approve", One: "request to approve", URL: "/requests?status=submitted", Warn: true}, func() (int, error) { return requests(loans.RequestFilter{Status: loans.Submitted}) }},
			{loanCard{Capped: true, Label: "approved requests to allocate", One: "approved request to allocate", URL: "/requests?status=approved"}, func() (int, error) { return requests(loans.RequestFilter{Status: loans.Approved}) }},
			{loanCard{Capped: true, Label: "requests ready to issue", One: "request ready to issue", URL: "/requests?status=allocated"}, func() (int, error) { return requests(loans.RequestFilter{Status: loans.Allocated}) }},
			{loanCard{Capped: true, Label: "loan reviews overdue", One: "loan review overdue", URL: "/loans?view=overdue", Warn: true}, func() (int, error) { return reviews(loans.LoanFilter{Overdue: true}) }},
		}
	}
	out := make([]loanCard, len(counts))
	for i, k := range counts {
		n, err := k.n()
		if err != nil {
			return nil, err
		}
		out[i] = k.card
		out[i].Count = n
		if n == 1 && k.card.One != "" {
			out[i].Label = k.card.One
		}
	}
	return out, nil
}
