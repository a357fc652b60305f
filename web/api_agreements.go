package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"kitloan/loans"
)

// The loan agreement in the JSON API. The PDFs and the signed copy share their handlers
// with the pages (handle_agreements.go).

// agreementJSON is a loan's agreement record with its state in words.
type agreementJSON struct {
	loans.AgreementRecord
	StateLabel string `json:"state_label"`
}

func agreementBody(rec loans.AgreementRecord) agreementJSON {
	return agreementJSON{AgreementRecord: rec, StateLabel: rec.StateLabel()}
}

// handleAPIAgreementShow answers where a loan's agreement has got to:
// GET /api/v1/loans/:id/agreement.
func (s *Server) handleAPIAgreementShow(c *gin.Context) {
	s.withID(c, func(id int64) (any, error) {
		rec, err := s.Loans.AgreementRecord(c.Request.Context(), user(c), id)
		return agreementBody(rec), err
	}, http.StatusOK)
}

// handleAPIAgreementPrint records that the agreement is being printed, and answers where
// it has got to: POST /api/v1/loans/:id/agreement/print, then GET
// /api/v1/loans/:id/agreement.pdf for the paper.
func (s *Server) handleAPIAgreementPrint(c *gin.Context) {
	s.withID(c, func(id int64) (any, error) {
		if err := s.Loans.MarkAgreementPrinted(c.Request.Context(), user(c), id); err != nil {
			return nil, err
		}
		rec, err := s.Loans.AgreementRecord(c.Request.Context(), user(c), id)
		return agreementBody(rec), err
	}, http.StatusOK)
}

// handleAPIAgreementRecord records a signed agreement: POST /api/v1/loans/:id/agreement as
// multipart/form-data with signer_name, signer_relationship, signed_on (YYYY-MM-DD, today
// when empty), and the scan in signed_copy (a PDF that reads as one, or a JPEG or PNG of
// at most 50 megapixels; at most 10 MB) or a signature drawn on screen in signature (a
// PNG data URL of at most 1,000,000 pixels), or both.
func (s *Server) handleAPIAgreementRecord(c *gin.Context) {
	s.withID(c, func(id int64) (any, error) {
		in, err := readAgreementForm(c)
		if err != nil {
			return nil, err
		}
		rec, err := s.recordAgreement(c, id, in)
		return agreementBody(rec), err
	}, http.StatusOK)
}

// unsignedBody is the list of agreements to chase, with how old an unsigned agreement is
// before it is listed.
type unsignedBody struct {
	listBody[loans.UnsignedAgreement]
	OlderThanDays int `json:"older_than_days"`
}

// handleAPIUnsignedAgreements lists the agreements to chase, oldest first:
// GET /api/v1/agreements/unsigned?limit=&offset=.
func (s *Server) handleAPIUnsignedAgreements(c *gin.Context) {
	// The page and the API share unsignedAgreements, which reads the page's limit and
	// offset leniently; a limit or offset it would read alike is refused here first.
	p, err := apiPage(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	out, total, days, _, _, err := s.unsignedAgreements(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, unsignedBody{list(out, total, p), days})
}
