package web

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"kitloan/internal/db"
	"kitloan/internal/errs"
	"kitloan/internal/settings"
	"kitloan/loans"
	"kitloan/papers"
	"kitloan/privacy"
)

// Loan agreements: printed (with the delivery note and the collection receipt), signed,
// and the signature recorded, as a scan of the signed paper or drawn on screen.

// signedCopyBodyLimit lets the agreement's form carry the scan (at most
// loans.MaxSignedCopyBytes) with the rest of the form and a signature drawn on screen.
// A scan a little over its limit still reaches the handler, which names the field; a
// body larger than this is refused before it is read.
var signedCopyBodyLimit = bodyLimit{
	bytes: loans.MaxSignedCopyBytes + 2<<20,
	field: "signed_copy",
	problem: "must be " + strconv.Itoa(loans.MaxSignedCopyBytes>>20) +
		" MB or smaller. Scan it again at a lower resolution, or take a photo.",
}

// agreementPaper gathers what a loan's printed papers show: the loan, the service's
// details and wording from the settings, the loan's own URL for the QR code, and the
// signature, once recorded.
func (s *Server) agreementPaper(c *gin.Context, id int64) (papers.Agreement, loans.AgreementRecord, error) {
	ctx := c.Request.Context()
	l, err := s.Loans.Loan(ctx, user(c), id)
	if err != nil {
		return papers.Agreement{}, loans.AgreementRecord{}, err
	}
	rec, err := s.Loans.AgreementRecord(ctx, user(c), id)
	if err != nil {
		return papers.Agreement{}, rec, err
	}
	svc, err := s.Settings.Get(ctx)
	if err != nil {
		return papers.Agreement{}, rec, err
	}
	return papers.Agreement{
		Service:   letterhead(svc),
		Loan:      l,
		Terms:     svc.AgreementTerms,
		PaperSize: paperSize(svc),
		LoanURL:   strings.TrimRight(svc.BaseURL, "/") + "/loans/" + strconv.FormatInt(l.ID, 10),
		Signature: rec.Signature(),
		Date:      s.now(),
	}, rec, nil
}

// letterhead is the service as its printed papers show it.
func letterhead(svc settings.Settings) papers.Service {
	return papers.Service{Name: svc.ServiceName, Address: svc.ServiceAddress, Phone: svc.ServicePhone, Email: svc.ServiceEmail}
}

// paperSize reads the paper_size setting, forgiving its case; anything else prints on A4.
func paperSize(svc settings.Settings) string {
	for _, p := range papers.PaperSizes() {
		if strings.EqualFold(strings.TrimSpace(svc.PaperSize), p) {
			return p
		}
	}
	return papers.PaperA4
}

// sendPDF answers with a printed paper, inline, named for saving.
func sendPDF(c *gin.Context, name string, pdf []byte) {
	c.Header("Content-Disposition", `inline; filename="`+name+`"`)
	c.Header("Cache-Control", "no-store") // it names a child
	c.Data(http.StatusOK, "application/pdf", pdf)
}

// handleAgreementPDF prints a loan's agreement, both copies: GET /loans/:id/agreement.pdf
// and GET /api/v1/loans/:id/agreement.pdf. It changes nothing (but the log of reads), so
// a link from another site cannot mark a loan's agreement printed: the Print button posts
// to handleAgreementPrint first.
func (s *Server) handleAgreementPDF(c *gin.Context) {
	s.printPaper(c, "agreement", papers.WriteAgreement, privacy.ReadAgreement)
}

// handleAgreementPrint records that the agreement is being printed and sends the browser
// on to it: POST /loans/:id/agreement/print, from the Print button's form.
func (s *Server) handleAgreementPrint(c *gin.Context) {
	id, err := idParam(c, "id")
	if err == nil {
		err = s.Loans.MarkAgreementPrinted(c.Request.Context(), user(c), id)
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	redirect(c, http.StatusSeeOther, "/loans/"+strconv.FormatInt(id, 10)+"/agreement.pdf")
}

// handleDeliveryNotePDF prints the note that goes out with the equipment.
func (s *Server) handleDeliveryNotePDF(c *gin.Context) {
	s.printPaper(c, "delivery-note", papers.WriteDeliveryNote, privacy.ReadDeliveryNote)
}

// handleReceiptPDF prints the receipt for the equipment booked back in.
func (s *Server) handleReceiptPDF(c *gin.Context) {
	s.printPaper(c, "collection-receipt", papers.WriteCollectionReceipt, privacy.ReadCollectionReceipt)
}

// printPaper prints one of a loan's papers, logged as a read of the child's record through
// via: each paper shows the child's name, date of birth and address. A paper whose read
// cannot be logged is not sent.
func (s *Server) printPaper(c *gin.Context, name string, write func(io.Writer, papers.Agreement) error, via string) {
	id, err := idParam(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	a, _, err := s.agreementPaper(c, id)
	if err != nil {
		s.fail(c, err)
		return
	}
	var buf bytes.Buffer
	if err := write(&buf, a); err != nil {
		s.fail(c, err)
		return
	}
	if !s.logChildRead(c, a.Loan.ChildID, via) {
		return
	}
	sendPDF(c, name+"-"+a.Loan.Reference+".pdf", buf.Bytes())
}

// readAgreementForm reads the signed agreement's form, multipart (with the scan) or plain
// (a signature drawn on screen only). The scan is read up to one byte past its limit, so
// that a file too large is refused by name without being held in memory.
func readAgreementForm(c *gin.Context) (loans.AgreementInput, error) {
	var in loans.AgreementInput
	ct := c.ContentType()
	var err error
	switch {
	case strings.HasPrefix(ct, "multipart/form-data"):
		err = c.Request.ParseMultipartForm(1 << 20) // beyond a megabyte, parts wait in temporary files
	case ct == "application/x-www-form-urlencoded":
		err = c.Request.ParseForm()
	default:
		return in, errs.Errorf(errs.Unsupported, "Send the signed agreement as a form: Content-Type multipart/form-data, with the scan in the field signed_copy.")
	}
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return in, &errs.Error{Code: errs.TooLarge, Message: "Check the signed copy: " + signedCopyBodyLimit.problem,
				Fields: map[string]string{"signed_copy": signedCopyBodyLimit.problem}}
		}
		return in, errs.Errorf(errs.BadRequest, "The form could not be read. Go back and try again.")
	}
	form := c.Request.PostForm
	in.SignerName, in.SignerRelationship = form.Get("signer_name"), form.Get("signer_relationship")
	in.SignedOn, in.Signature = form.Get("signed_on"), form.Get("signature")
	if mf := c.Request.MultipartForm; mf != nil {
		if files := mf.File["signed_copy"]; len(files) > 0 && (files[0].Filename != "" || files[0].Size > 0) {
			up, err := readUpload(files[0], loans.MaxSignedCopyBytes)
			if err != nil {
				return in, err
			}
			in.Copy = &up
		}
	}
	return in, nil
}

func readUpload(fh *multipart.FileHeader, limit int64) (loans.Upload, error) {
	up := loans.Upload{Filename: fh.Filename, Size: fh.Size}
	if fh.Size > limit {
		return up, nil // refused by size; no need to read it
	}
	f, err := fh.Open()
	if err != nil {
		return up, err
	}
	defer f.Close()
	up.Data, err = io.ReadAll(io.LimitReader(f, limit+1))
	return up, err
}

// recordAgreement records a signed agreement. Signed on screen with no scan, the signed
// copy kept is the agreement as printed with the signature in it.
func (s *Server) recordAgreement(c *gin.Context, id int64, in loans.AgreementInput) (loans.AgreementRecord, error) {
	if in.Copy == nil && in.Signature != "" {
		if err := in.Check(s.now().Format(db.DateLayout)); err != nil {
			return loans.AgreementRecord{}, err
		}
		a, _, err := s.agreementPaper(c, id)
		if err != nil {
			return loans.AgreementRecord{}, err
		}
		a.Signature = &loans.Signature{Name: in.SignerName, Relationship: in.SignerRelationship, SignedOn: in.SignedOn, PNG: in.SignaturePNG()}
		var buf bytes.Buffer
		if err := papers.WriteAgreement(&buf, a); err != nil {
			return loans.AgreementRecord{}, err
		}
		in.Copy = &loans.Upload{Filename: "agreement-" + a.Loan.Reference + "-signed.pdf", Size: int64(buf.Len()), Data: buf.Bytes()}
	}
	return s.Loans.RecordAgreement(c.Request.Context(), user(c), id, in)
}

// agreementForm is what the form shows back after a problem: never the file or the drawing.
type agreementForm struct {
	SignerName, SignerRelationship, SignedOn string
}

func (s *Server) renderAgreementForm(c *gin.Context, status int, id int64, form agreementForm, err error) {
	ctx := c.Request.Context()
	l, lerr := s.Loans.Loan(ctx, user(c), id)
	if lerr != nil {
		s.fail(c, lerr)
		return
	}
	if !s.logChildRead(c, l.ChildID, privacy.ReadAgreementForm) {
		return
	}
	rec, rerr := s.Loans.AgreementRecord(ctx, user(c), id)
	if rerr != nil {
		s.fail(c, rerr)
		return
	}
	s.render(c, status, "agreement_form", &agreementFormPage{Layout: failedWith(err), Loan: l, Agreement: rec, Form: form,
		School: l.Location == loans.School, MaxBytes: loans.MaxSignedCopyBytes, MaxMB: loans.MaxSignedCopyBytes >> 20,
		MaxSignaturePixels: loans.MaxSignaturePixels})
}

// agreementFormPage is pages/agreement_form.html: a loan's agreement, and the form to
// record it signed, worded for a school when the loan is to one.
type agreementFormPage struct {
	Layout
	Loan               loans.Loan
	Agreement          loans.AgreementRecord
	Form               agreementForm
	School             bool
	MaxBytes, MaxMB    int
	MaxSignaturePixels int
}

// handleAgreementForm shows the agreement's state and the form to record it signed.
func (s *Server) handleAgreementForm(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	s.renderAgreementForm(c, http.StatusOK, id, agreementForm{SignedOn: s.now().Format(db.DateLayout)}, nil)
}

// handleAgreementRecord records the signed agreement from the form, or shows the form
// again with each problem beside its field, having stored nothing.
func (s *Server) handleAgreementRecord(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	in, err := readAgreementForm(c)
	var rec loans.AgreementRecord
	if err == nil {
		rec, err = s.recordAgreement(c, id, in)
	}
	if err != nil {
		e := errs.As(err)
		if len(e.Fields) > 0 || e.Code == errs.Invalid || e.Code == errs.BadRequest {
			s.renderAgreementForm(c, statusOf(e.Code), id, agreementForm{in.SignerName, in.SignerRelationship, in.SignedOn}, e)
			return
		}
		s.fail(c, err)
		return
	}
	redirectWithFlash(c, "/loans/"+strconv.FormatInt(id, 10)+"/agreement", "Signed agreement recorded for loan "+rec.LoanReference+".")
}

// handleSignedCopy downloads the stored signed copy, byte for byte, with its own type.
func (s *Server) handleSignedCopy(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	sc, err := s.Loans.SignedCopy(c.Request.Context(), user(c), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	// The signed paper shows the child's details, as the printed agreement does.
	if err := s.Privacy.LogLoanRead(c.Request.Context(), user(c), id, privacy.ReadSignedCopy); err != nil {
		s.fail(c, err)
		return
	}
	// An attachment, not inline: a PDF someone uploaded is not to run in our pages' origin.
	c.Header("Content-Disposition", `attachment; filename="`+sc.DownloadName()+`"`)
	c.Header("Cache-Control", "no-store")
	if sum, err := hex.DecodeString(sc.SHA256); err == nil {
		c.Header("Repr-Digest", "sha-256=:"+base64.StdEncoding.EncodeToString(sum)+":")
	}
	c.Data(http.StatusOK, sc.ContentType, sc.Content)
}

// handleUnsignedAgreements lists the agreements to chase: open loans issued more than the
// setting's number of days ago with no signed agreement, oldest first.
func (s *Server) handleUnsignedAgreements(c *gin.Context) {
	list, total, days, limit, offset, err := s.unsignedAgreements(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, http.StatusOK, "agreements_unsigned", &agreementsUnsignedPage{List: list, Total: total, Days: days,
		Page: pager{Total: total, Limit: limit, Offset: offset, URL: c.Request.URL.String()}})
}

// agreementsUnsignedPage is pages/agreements_unsigned.html: the loans out for more than
// Days with no signed agreement.
type agreementsUnsignedPage struct {
	Layout
	List        []loans.UnsignedAgreement
	Total, Days int
	Page        pager
}

func (s *Server) unsignedAgreements(c *gin.Context) (list []loans.UnsignedAgreement, total, days, limit, offset int, err error) {
	svc, err := s.Settings.Get(c.Request.Context())
	if err != nil {
		return nil, 0, 0, 0, 0, err
	}
	days = svc.UnsignedAfterDaysOrDefault()
	limit, offset = pageOf(c, 50)
	list, total, err = s.Loans.UnsignedAgreements(c.Request.Context(), user(c), loans.UnsignedFilter{OlderThanDays: days, Limit: limit, Offset: offset})
	return list, total, days, limit, offset, err
}
