package web

import (
	"bytes"
	"fmt"

	"github.com/gin-gonic/gin"

	"kitloan/papers"
)

// handleRecallLetters prints a letter for each household, school or clinic holding
// equipment affected by a recall, one family's units together on one letter.
func (s *Server) handleRecallLetters(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	ctx := c.Request.Context()
	r, err := s.Inventory.Recall(ctx, id)
	if err != nil {
		s.fail(c, err)
		return
	}
	svc, err := s.Settings.Get(ctx)
	if err != nil {
		s.fail(c, err)
		return
	}
	letters := papers.RecallLetters{Service: letterhead(svc), PaperSize: paperSize(svc), Date: s.now(),
		Reference: r.Reference, Product: r.ProductName, IssuedOn: r.IssuedOn, Action: r.Action}
	byLoan := map[int64]int{}
	for _, a := range r.Affected {
		if a.Holder == nil {
			continue
		}
		i, ok := byLoan[a.Holder.LoanID]
		if !ok {
			i = len(letters.Families)
			byLoan[a.Holder.LoanID] = i
			letters.Families = append(letters.Families, papers.RecallFamily{ChildName: a.Holder.ChildName,
				Recipient: a.Holder.Recipient, Location: a.Holder.Location, Address: a.Holder.Address})
		}
		letters.Families[i].Tags = append(letters.Families[i].Tags, a.Tag)
	}
	var buf bytes.Buffer
	if err := papers.WriteRecallLetters(&buf, letters); err != nil {
		s.fail(c, err)
		return
	}
	sendPDF(c, fmt.Sprintf("recall-%d-letters.pdf", id), buf.Bytes())
}
