package web

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"kitloan/loans"
	"kitloan/privacy"
)

func (s *Server) handleAPIChildList(c *gin.Context) {
	p, err := apiPage(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	therapist, _ := strconv.ParseInt(c.Query("therapist"), 10, 64)
	out, total, err := s.Loans.Children(c.Request.Context(), user(c), loans.ChildFilter{Query: c.Query("q"), TherapistID: therapist,
		Setting: c.Query("setting"), Discharged: c.Query("discharged") == "true", Limit: p.Limit, Offset: p.Offset})
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, list(out, total, p))
}

func (s *Server) handleAPIChildCreate(c *gin.Context) {
	create(s, c, func(in loans.ChildInput) (any, error) { return s.Loans.CreateChild(c.Request.Context(), user(c), in) })
}

func (s *Server) handleAPIChildShow(c *gin.Context) {
	s.withID(c, func(id int64) (any, error) {
		return readLogged[loans.Child](s, c, id, privacy.ReadAPI)(s.Loans.Child(c.Request.Context(), user(c), id))
	}, http.StatusOK)
}

func (s *Server) handleAPIChildUpdate(c *gin.Context) {
	s.withID(c, func(id int64) (any, error) {
		old, err := s.Loans.Child(c.Request.Context(), user(c), id)
		if err != nil {
			return nil, err
		}
		in := childInputOf(old)
		if err := bindJSON(c, &in); err != nil {
			return nil, err
		}
		return s.Loans.UpdateChild(c.Request.Context(), user(c), id, in)
	}, http.StatusOK)
}

// childInputOf turns a child back into the input that would make them.
func childInputOf(ch loans.Child) loans.ChildInput {
	return loans.ChildInput{Reference: ch.Reference, GivenName: ch.GivenName, FamilyName: ch.FamilyName, DateOfBirth: ch.DateOfBirth,
		NHSNumber: ch.NHSNumber, Address: ch.Address, Setting: ch.Setting, SettingAddress: ch.SettingAddress, Carers: ch.Carers,
		TherapistEmail: ch.TherapistEmail, Notes: ch.Notes}
}

type dischargeBody struct {
	On string `json:"discharged_on"`
}

func (s *Server) handleAPIChildDischarge(c *gin.Context) {
	withBody(s, c, func(id int64, in dischargeBody) (any, error) {
		return s.Loans.DischargeChild(c.Request.Context(), user(c), id, in.On)
	}, http.StatusOK)
}

// handleAPIChildEquipment answers a child's loans and consumables; a child who has had
// none has empty lists, as every list of the API, not nulls.
func (s *Server) handleAPIChildEquipment(c *gin.Context) {
	s.withID(c, func(id int64) (any, error) {
		eq, err := s.Loans.Equipment(c.Request.Context(), user(c), id)
		eq.Loans, eq.Consumables = orEmpty(eq.Loans), orEmpty(eq.Consumables)
		return readLogged[loans.ChildEquipment](s, c, id, privacy.ReadAPIEquipment)(eq, err)
	}, http.StatusOK)
}

func (s *Server) handleAPIRequestList(c *gin.Context) {
	p, err := apiPage(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	status, err := queryOneOf(c, "status", loans.RequestStatuses)
	if err != nil {
		s.fail(c, err)
		return
	}
	child, _ := strconv.ParseInt(c.Query("child_id"), 10, 64)
	out, total, err := s.Loans.Requests(c.Request.Context(), user(c), loans.RequestFilter{Status: status, ChildID: child,
		Open: c.Query("open") == "true", Limit: p.Limit, Offset: p.Offset})
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, list(out, total, p))
}

func (s *Server) handleAPIRequestCreate(c *gin.Context) {
	create(s, c, func(in loans.RequestInput) (any, error) {
		return s.Loans.CreateRequest(c.Request.Context(), user(c), in)
	})
}

// handleAPIRequestShow answers one request, which names the child: a logged read of
// their record.
func (s *Server) handleAPIRequestShow(c *gin.Context) {
	s.withID(c, func(id int64) (any, error) {
		r, err := s.Loans.Request(c.Request.Context(), user(c), id)
		return readLogged[loans.Request](s, c, r.ChildID, privacy.ReadAPIRequest)(r, err)
	}, http.StatusOK)
}

func (s *Server) handleAPIRequestApprove(c *gin.Context) {
	s.withID(c, func(id int64) (any, error) { return s.Loans.ApproveRequest(c.Request.Context(), user(c), id) }, http.StatusOK)
}

type reasonBody struct {
	Reason string `json:"reason"`
}

func (s *Server) handleAPIRequestDecline(c *gin.Context) {
	withBody(s, c, func(id int64, in reasonBody) (any, error) {
		return s.Loans.DeclineRequest(c.Request.Context(), user(c), id, in.Reason)
	}, http.StatusOK)
}

func (s *Server) handleAPIRequestCancel(c *gin.Context) {
	withBody(s, c, func(id int64, in reasonBody) (any, error) {
		return s.Loans.CancelRequest(c.Request.Context(), user(c), id, in.Reason)
	}, http.StatusOK)
}

type tagsBody struct {
	Tags []string `json:"tags"`
}

func (s *Server) handleAPIRequestAllocate(c *gin.Context) {
	withBody(s, c, func(id int64, in tagsBody) (any, error) {
		return s.Loans.AllocateItems(c.Request.Context(), user(c), id, in.Tags)
	}, http.StatusOK)
}

type tagBody struct {
	Tag  string `json:"tag"`
	Note string `json:"note"`
}

func (s *Server) handleAPIRequestRelease(c *gin.Context) {
	withBody(s, c, func(id int64, in tagBody) (any, error) {
		return s.Loans.ReleaseItem(c.Request.Context(), user(c), id, in.Tag)
	}, http.StatusOK)
}

func (s *Server) handleAPILoanList(c *gin.Context) {
	p, err := apiPage(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	child, _ := strconv.ParseInt(c.Query("child_id"), 10, 64)
	therapist, _ := strconv.ParseInt(c.Query("therapist"), 10, 64)
	within, _ := strconv.Atoi(c.Query("review_within_days"))
	out, total, err := s.Loans.Loans(c.Request.Context(), user(c), loans.LoanFilter{ChildID: child, TherapistID: therapist,
		Setting: c.Query("setting"), Active: c.Query("active") == "true", ReviewWithinDays: within,
		Overdue: c.Query("overdue") == "true", Limit: p.Limit, Offset: p.Offset})
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, list(out, total, p))
}

func (s *Server) handleAPILoanCreate(c *gin.Context) {
	create(s, c, func(in loans.LoanInput) (any, error) { return s.Loans.IssueLoan(c.Request.Context(), user(c), in) })
}

// handleAPILoanShow answers one loan, which names the child and where they live: a logged
// read of their record.
func (s *Server) handleAPILoanShow(c *gin.Context) {
	s.withID(c, func(id int64) (any, error) {
		l, err := s.Loans.Loan(c.Request.Context(), user(c), id)
		return readLogged[loans.Loan](s, c, l.ChildID, privacy.ReadAPILoan)(l, err)
	}, http.StatusOK)
}

func (s *Server) handleAPILoanChange(c *gin.Context) {
	withBody(s, c, func(id int64, in loans.LoanChange) (any, error) {
		return s.Loans.ChangeLoan(c.Request.Context(), user(c), id, in)
	}, http.StatusOK)
}

type returnBody struct {
	Items []loans.ReturnLine `json:"items"`
}

func (s *Server) handleAPILoanReturn(c *gin.Context) {
	withBody(s, c, func(id int64, in returnBody) (any, error) {
		return s.Loans.ReturnItems(c.Request.Context(), user(c), id, in.Items)
	}, http.StatusOK)
}

func (s *Server) handleAPILoanLost(c *gin.Context) {
	withBody(s, c, func(id int64, in tagBody) (any, error) {
		return s.Loans.ReportLost(c.Request.Context(), user(c), id, in.Tag, in.Note)
	}, http.StatusOK)
}

func (s *Server) handleAPILoanFound(c *gin.Context) {
	withBody(s, c, func(id int64, in tagBody) (any, error) {
		return s.Loans.MarkFound(c.Request.Context(), user(c), id, in.Tag, in.Note)
	}, http.StatusOK)
}

func (s *Server) handleAPIConsumableIssue(c *gin.Context) {
	create(s, c, func(in loans.ConsumableInput) (any, error) {
		return s.Loans.IssueConsumable(c.Request.Context(), user(c), in)
	})
}

func (s *Server) handleAPIStockAdjust(c *gin.Context) {
	withBody(s, c, func(id int64, in loans.StockAdjustment) (any, error) {
		stock, err := s.Loans.AdjustStock(c.Request.Context(), id, in)
		return gin.H{"product_id": id, "stock": stock}, err
	}, http.StatusOK)
}
