package web

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"kitloan/accounts"
	"kitloan/internal/errs"
	"kitloan/loans"
	"kitloan/papers"
	"kitloan/privacy"
)

// Data protection (docs/DOMAIN.md §3): a child's subject-access export, anonymising children
// past the retention period, and the log of who read a child's record.

// exporters may export a child's whole record: admins, and a therapist for the children
// they lead (the loans store answers 404 for anyone else's child).
var exporters = []string{accounts.Admin, accounts.Therapist}

// logChildRead records a view of a child's record, after it was read and before it is
// shown. It reports false after answering with an error: a record whose read cannot be
// logged is not shown.
func (s *Server) logChildRead(c *gin.Context, childID int64, via string) bool {
	if err := s.Privacy.LogChildRead(c.Request.Context(), user(c), childID, via); err != nil {
		s.fail(c, err)
		return false
	}
	return true
}

// readLogged wraps a read of a child's record for withID: on success the read is logged,
// and a read that cannot be logged is answered as an error instead.
func readLogged[T any](s *Server, c *gin.Context, childID int64, via string) func(T, error) (any, error) {
	return func(v T, err error) (any, error) {
		if err != nil {
			return nil, err
		}
		if err := s.Privacy.LogChildRead(c.Request.Context(), user(c), childID, via); err != nil {
			return nil, err
		}
		return v, nil
	}
}

// childExport reads the export of the :id child and logs the read.
func (s *Server) childExport(c *gin.Context, via string) (loans.ChildExport, bool) {
	id, err := idParam(c, "id")
	if err != nil {
		s.fail(c, err)
		return loans.ChildExport{}, false
	}
	x, err := s.Loans.ExportChild(c.Request.Context(), user(c), id)
	if err != nil {
		s.fail(c, err)
		return x, false
	}
	return x, s.logChildRead(c, id, via)
}

// exportName is the file name of a child's export: "child-C-000042-2026-11-22.json".
func exportName(x loans.ChildExport, ext string) string {
	return "child-" + x.Child.Reference + "-" + x.ExportedAt.Format("2006-01-02") + "." + ext
}

// handleChildExportJSON answers everything held about a child as JSON, to save:
// GET /api/v1/children/:id/export.json (the child's page links to it too).
func (s *Server) handleChildExportJSON(c *gin.Context) {
	x, ok := s.childExport(c, privacy.ReadExportJSON)
	if !ok {
		return
	}
	var buf bytes.Buffer
	if err := loans.WriteChildExportJSON(&buf, x); err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Content-Disposition", `attachment; filename="`+exportName(x, "json")+`"`)
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, "application/json; charset=utf-8", buf.Bytes())
}

// handleChildExportPDF prints everything held about a child:
// GET /children/:id/export.pdf and GET /api/v1/children/:id/export.pdf.
func (s *Server) handleChildExportPDF(c *gin.Context) {
	x, ok := s.childExport(c, privacy.ReadExportPDF)
	if !ok {
		return
	}
	svc, err := s.Settings.Get(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	var buf bytes.Buffer
	if err := papers.WriteChildExport(&buf, papers.ChildExportPaper{Service: letterhead(svc), PaperSize: paperSize(svc), Export: x}); err != nil {
		s.fail(c, err)
		return
	}
	sendPDF(c, exportName(x, "pdf"), buf.Bytes())
}

// handleChildAccess shows who has read a child's record, newest first: GET /children/:id/access.
func (s *Server) handleChildAccess(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	ctx := c.Request.Context()
	limit, offset := pageOf(c, 50)
	reads, total, err := s.Privacy.ChildReads(ctx, user(c), id, limit, offset)
	if err != nil {
		s.fail(c, err)
		return
	}
	// The heading names the child; looking at the log is not itself a read of the record.
	child, err := s.Loans.Child(ctx, user(c), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, http.StatusOK, "child_access", &childAccessPage{Child: child, Reads: reads,
		Page: pager{Total: total, Limit: limit, Offset: offset, URL: c.Request.URL.String()}})
}

// childAccessPage is pages/child_access.html: a page of who has read Child's record.
type childAccessPage struct {
	Layout
	Child loans.Child
	Reads []privacy.ChildRead
	Page  pager
}

// handleAPIChildAccess lists who has read a child's record: GET /api/v1/children/:id/access.
func (s *Server) handleAPIChildAccess(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	p, err := apiPage(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	reads, total, err := s.Privacy.ChildReads(c.Request.Context(), user(c), id, p.Limit, p.Offset)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, list(reads, total, p))
}

// retentionYears is the service's retention period, in years after birth.
func (s *Server) retentionYears(c *gin.Context) (int, error) {
	svc, err := s.Settings.Get(c.Request.Context())
	return svc.RetentionYears(), err
}

// childrenAnonymisePage is pages/children_anonymise.html: the discharged children past
// their retention Birthday, those that may be anonymised (Due) and those held back.
type childrenAnonymisePage struct {
	Layout
	Due, Held []privacy.RetentionCandidate
	Birthday  string
}

// renderAnonymise shows the children past the retention period, with the button that
// anonymises them; after a refusal, with its error (failed).
func (s *Server) renderAnonymise(c *gin.Context, status int, failed error) {
	years, err := s.retentionYears(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	due, held, err := s.Privacy.RetentionDue(c.Request.Context(), user(c), years)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, status, "children_anonymise", &childrenAnonymisePage{Layout: failedWith(failed), Due: due, Held: held,
		Birthday: privacy.Ordinal(years) + " birthday"})
}

// handleAnonymiseList lists the children whose records may be anonymised: GET /children/anonymise.
func (s *Server) handleAnonymiseList(c *gin.Context) { s.renderAnonymise(c, http.StatusOK, nil) }

// handleAnonymise anonymises the children the admin confirmed, as listed on the page
// (child_id, repeated), in one transaction: POST /children/anonymise.
func (s *Server) handleAnonymise(c *gin.Context) {
	if err := c.Request.ParseForm(); err != nil {
		s.fail(c, bodyError(err))
		return
	}
	var ids []int64
	var err error
	for _, v := range c.Request.PostForm["child_id"] {
		id, perr := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if perr != nil || id <= 0 {
			err = errs.Field("children", "the list of children could not be read: reload the page and try again")
			break
		}
		ids = append(ids, id)
	}
	years, yerr := s.retentionYears(c)
	if yerr != nil {
		s.fail(c, yerr)
		return
	}
	var res privacy.AnonymiseResult
	if err == nil {
		res, err = s.Privacy.AnonymiseChildren(c.Request.Context(), user(c), ids, years, false)
	}
	if s.actionFailed(c, err, func(st int) { s.renderAnonymise(c, st, err) }) {
		return
	}
	refs := make([]string, len(res.Children))
	for i, ch := range res.Children {
		refs[i] = ch.Reference
	}
	redirectWithFlash(c, "/children/anonymise", countOf(len(res.Children), "child’s record", "children’s records")+" anonymised: "+
		strings.Join(refs, ", ")+". Their equipment history is kept.")
}
