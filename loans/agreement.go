package loans

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"image/png"
	"io"
	"net/http"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"kitloan/accounts"
	"kitloan/internal/db"
	"kitloan/internal/errs"
	"kitloan/internal/pdfcheck"
)

// Agreement states: a loan's agreement is not printed until someone prints it, and
// signed once staff record the signature (a scan of the signed paper, or a signature
// drawn on screen at hand-over).
const (
	AgreementNotPrinted = "not_printed"
	AgreementPrinted    = "printed"
	AgreementSigned     = "signed"
)

// Limits on a recorded agreement. An image's pixels are bounded as well as its bytes: a
// small PNG or JPEG can declare a huge picture (a 1 KB PNG can say 50,000 × 50,000, which
// takes 10 GB to decode), so its dimensions are read from its header and checked before
// anything decodes it, here or in the browser that later shows the copy.
const (
	MaxSignedCopyBytes = 10 << 20 // the scan or photo of the signed paper
	// MaxSignedCopyPixels takes a photo at full resolution from any phone camera of 12 to
	// 50 megapixels (8,160 × 6,120 is 49.9) and an A4 page scanned at 600 dpi (35
	// megapixels), and refuses what no camera or scanner of a page makes; decoded, such an
	// image is at most 200 MB.
	MaxSignedCopyPixels = 50_000_000
	MaxSignatureBytes   = 512 << 10 // a signature drawn on screen, as a PNG
	// A signature pad makes at most its box (36em by 200 CSS pixels) at the screen's pixel
	// ratio, which signature.js keeps within MaxSignaturePixels; decoded, 5 MB at most.
	MaxSignaturePixels = 1_000_000
	maxSignatureWidth  = 4000
	maxSignatureHeight = 2000
)

// AgreementStateLabel is an agreement state as a person reads it.
func AgreementStateLabel(state string) string {
	switch state {
	case AgreementNotPrinted:
		return "Not printed"
	case AgreementPrinted:
		return "Printed – not signed yet"
	case AgreementSigned:
		return "Signed"
	}
	return state
}

// AgreementRecord is where a loan's agreement has got to.
type AgreementRecord struct {
	LoanID             int64       `json:"loan_id"`
	LoanReference      string      `json:"loan_reference"`
	State              string      `json:"state"`
	FirstPrintedAt     *time.Time  `json:"first_printed_at"`
	FirstPrintedBy     string      `json:"first_printed_by"`
	LastPrintedAt      *time.Time  `json:"last_printed_at"`
	PrintCount         int         `json:"print_count"`
	SignerName         string      `json:"signer_name"`
	SignerRelationship string      `json:"signer_relationship"`
	SignedOn           *string     `json:"signed_on"`
	RecordedAt         *time.Time  `json:"recorded_at"`
	RecordedBy         string      `json:"recorded_by"`
	SignedOnScreen     bool        `json:"signed_on_screen"`
	SignedCopy         *SignedCopy `json:"signed_copy"`
	SignaturePNG       []byte      `json:"-"`
}

// StateLabel is the state in words.
func (r AgreementRecord) StateLabel() string { return AgreementStateLabel(r.State) }

// Signed reports whether the signature has been recorded.
func (r AgreementRecord) Signed() bool { return r.State == AgreementSigned }

// Signature is a recorded signature as the agreement prints it.
type Signature struct {
	Name         string
	Relationship string
	SignedOn     string // YYYY-MM-DD
	PNG          []byte // drawn on screen at hand-over; nil when signed on paper
}

// Signature is the recorded signature as the agreement prints it, or nil before signing.
func (r AgreementRecord) Signature() *Signature {
	if !r.Signed() || r.SignedOn == nil {
		return nil
	}
	return &Signature{Name: r.SignerName, Relationship: r.SignerRelationship, SignedOn: *r.SignedOn, PNG: r.SignaturePNG}
}

// Returned lists the loan's items booked back in: what its collection receipt lists.
func (l Loan) Returned() []LoanItem {
	var out []LoanItem
	for _, li := range l.Items {
		if !li.Out() {
			out = append(out, li)
		}
	}
	return out
}

// SignedCopy is the stored copy of a signed agreement; Content is read only to download it.
type SignedCopy struct {
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256"`
	Filename    string `json:"filename"`
	Content     []byte `json:"-"`
	loanRef     string
}

// DownloadName is the name to save the copy under: "agreement-L-000042-signed.pdf".
func (sc SignedCopy) DownloadName() string {
	ext := map[string]string{"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}[sc.ContentType]
	return "agreement-" + sc.loanRef + "-signed" + ext
}

// SizeText is the copy's size for people: "1.2 MB", "85 KB".
func (sc SignedCopy) SizeText() string { return sizeText(sc.Size) }

// KindText names the kind of file: "PDF", "JPEG image", "PNG image".
func (sc SignedCopy) KindText() string {
	switch sc.ContentType {
	case "application/pdf":
		return "PDF"
	case "image/jpeg":
		return "JPEG image"
	case "image/png":
		return "PNG image"
	}
	return sc.ContentType
}

func sizeText(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", (n+1<<9)>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// numbers writes numbers with thousands separators, as people read them.
var numbers = message.NewPrinter(language.BritishEnglish)

// tooLargeText says that size is over limit, so that the two never read the same: in
// bytes when they round to the same text ("must be 10.0 MB (10,485,760 bytes) or smaller;
// this file is 10,485,768 bytes", not "10.0 MB or smaller; this file is 10.0 MB").
func tooLargeText(size, limit int64) string {
	if sizeText(size) != sizeText(limit) {
		return "must be " + sizeText(limit) + " or smaller; this file is " + sizeText(size)
	}
	return numbers.Sprintf("must be %s (%d bytes) or smaller; this file is %d bytes", sizeText(limit), limit, size)
}

// pixelsText is an image's dimensions: "4,032 × 3,024 pixels".
func pixelsText(width, height int) string {
	return numbers.Sprintf("%d × %d pixels", width, height)
}

// Upload is a file sent with a form: its name as the sender gave it (kept only to name
// the download), its size as declared, and its bytes (up to the limit plus one).
type Upload struct {
	Filename string
	Size     int64
	Data     []byte
}

// AgreementInput records a signed agreement: who signed and when, and the proof: the scan
// or photo of the signed paper (Copy), a signature drawn on screen (Signature, a PNG data
// URL), or both.
type AgreementInput struct {
	SignerName         string  `json:"signer_name" form:"signer_name" validate:"required,max=200"`
	SignerRelationship string  `json:"signer_relationship" form:"signer_relationship" validate:"max=100"`
	SignedOn           string  `json:"signed_on" form:"signed_on" validate:"omitempty,datetime=2006-01-02"`
	Signature          string  `json:"signature" form:"signature"`
	Copy               *Upload `json:"-" form:"-" text:"-"` // its file name is cleaned, not refused

	signaturePNG []byte
	copyType     string
}

// Check trims and checks the input against today's date (signed_on defaults to it), and
// prepares the signature drawn on screen for printing. Every problem is named by its
// field; a file that is too large or of the wrong kind on its own answers 413 or 415.
func (in *AgreementInput) Check(today string) error {
	in.SignerName, in.SignerRelationship = strings.TrimSpace(in.SignerName), strings.TrimSpace(in.SignerRelationship)
	in.SignedOn, in.Signature = strings.TrimSpace(in.SignedOn), strings.TrimSpace(in.Signature)
	problems := errs.FieldsError{}
	if err := errs.Validate(in); err != nil {
		for k, v := range errs.As(err).Fields {
			problems.Add(k, v)
		}
	}
	if _, bad := problems["signed_on"]; !bad {
		switch {
		case in.SignedOn == "":
			in.SignedOn = today
		case in.SignedOn > today:
			problems.Add("signed_on", "cannot be in the future")
		case in.SignedOn < "2000-01-01":
			problems.Add("signed_on", "is too long ago: check the year")
		}
	}
	var code errs.Code
	if in.Signature != "" {
		p, err := NormalizeSignature(in.Signature)
		if err != nil {
			problems.Add("signature", err.Error())
		}
		in.signaturePNG = p
	}
	if in.Copy != nil {
		var problem string
		in.copyType, problem, code = checkSignedCopy(*in.Copy)
		if problem != "" {
			problems.Add("signed_copy", problem)
		}
	} else if in.Signature == "" {
		problems.Add("signed_copy", "choose the scan or photo of the signed agreement, or have it signed on screen")
	}
	if err := problems.Err(); err != nil {
		e := errs.As(err)
		if len(problems) == 1 && problems["signed_copy"] != "" && code != "" {
			e.Code = code
			e.Message = "Check the signed copy: " + problems["signed_copy"]
		}
		return e
	}
	return nil
}

// HasSignature reports whether the input carries a signature drawn on screen.
func (in *AgreementInput) HasSignature() bool { return len(in.signaturePNG) > 0 }

// SignaturePNG is the signature drawn on screen, ready to print, once Check has passed.
func (in *AgreementInput) SignaturePNG() []byte { return in.signaturePNG }

// checkSignedCopy reads what a file is from its first bytes, never from its name, and
// returns its content type, or a problem a person can act on with the code to answer it
// with on its own: a file too large, in bytes or in pixels, is TooLarge; one that is not a
// complete PDF, JPEG or PNG is Unsupported. An image is judged by its header alone,
// never decoded.
func checkSignedCopy(u Upload) (contentType, problem string, code errs.Code) {
	size := max(u.Size, int64(len(u.Data)))
	switch {
	case size > MaxSignedCopyBytes:
		return "", tooLargeText(size, MaxSignedCopyBytes) + ". Scan it again at a lower resolution, or take a photo.", errs.TooLarge
	case len(u.Data) == 0:
		return "", "is empty: choose the scan or photo again", ""
	}
	d := u.Data
	var decodeConfig func(io.Reader) (image.Config, error)
	switch {
	case bytes.HasPrefix(d, []byte("%PDF-")):
		if problem := pdfcheck.Problem(d, MaxSignedCopyBytes, MaxSignedCopyPixels); problem != "" {
			return "", problem, errs.Unsupported
		}
		return "application/pdf", "", ""
	case bytes.HasPrefix(d, []byte("\xFF\xD8\xFF")):
		contentType, decodeConfig = "image/jpeg", jpeg.DecodeConfig
	case bytes.HasPrefix(d, []byte("\x89PNG\r\n\x1a\n")):
		contentType, decodeConfig = "image/png", png.DecodeConfig
	case bytes.HasPrefix(d, []byte("\x7FELF")), bytes.HasPrefix(d, []byte("MZ")), bytes.HasPrefix(d, []byte("#!")):
		return "", "is a program, not a scan or photo: choose a PDF, JPEG or PNG file of the signed agreement", errs.Unsupported
	default:
		kind := strings.TrimSuffix(http.DetectContentType(d), "; charset=utf-8")
		return "", "must be a PDF, JPEG or PNG file of the signed agreement; this file is " + kind, errs.Unsupported
	}
	cfg, err := decodeConfig(bytes.NewReader(d))
	switch {
	case err != nil && contentType == "image/jpeg":
		return "", "is not a complete JPEG image: take the photo again", errs.Unsupported
	case err != nil:
		return "", "is not a complete PNG image: save it again", errs.Unsupported
	case int64(cfg.Width)*int64(cfg.Height) > MaxSignedCopyPixels:
		return "", "is " + pixelsText(cfg.Width, cfg.Height) + "; the largest we take is " +
			numbers.Sprintf("%d", MaxSignedCopyPixels/1_000_000) + " megapixels (such as 8,160 × 6,120): " +
			"take the photo again at a lower resolution, or scan the paper at 300 dpi", errs.TooLarge
	}
	return contentType, "", ""
}

// NormalizeSignature reads a signature drawn on screen, sent as a PNG data URL
// ("data:image/png;base64,…"), and returns it ready to print: black ink on white, in
// greyscale, cropped to the ink with a small margin. A blank pad is refused.
func NormalizeSignature(dataURL string) ([]byte, error) {
	b64, ok := strings.CutPrefix(dataURL, "data:image/png;base64,")
	if !ok {
		return nil, errors.New("must be a PNG image drawn on the signature pad")
	}
	if base64.StdEncoding.DecodedLen(len(b64)) > MaxSignatureBytes {
		return nil, fmt.Errorf("is too large: at most %s", sizeText(MaxSignatureBytes))
	}
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return nil, errors.New("could not be read: clear the pad and sign again")
	}
	// The header says how large the picture is; a pad never makes one larger than this,
	// and decoding one that claims more would take memory in proportion.
	cfg, err := png.DecodeConfig(bytes.NewReader(raw))
	switch {
	case err != nil || cfg.Width < 20 || cfg.Height < 10:
		return nil, errors.New("could not be read: clear the pad and sign again")
	case cfg.Width > maxSignatureWidth || cfg.Height > maxSignatureHeight || cfg.Width*cfg.Height > MaxSignaturePixels:
		return nil, errors.New(numbers.Sprintf("is %s; a signature from the pad is at most %d pixels wide, %d high and %d in all: clear the pad and sign again",
			pixelsText(cfg.Width, cfg.Height), maxSignatureWidth, maxSignatureHeight, MaxSignaturePixels))
	}
	src, err := png.Decode(bytes.NewReader(raw))
	if err != nil {
		return nil, errors.New("could not be read: clear the pad and sign again")
	}
	// Flatten onto white (the pad's background is transparent) and find the ink.
	bounds := src.Bounds()
	flat := image.NewGray(bounds)
	draw.Draw(flat, bounds, image.White, image.Point{}, draw.Src)
	draw.Draw(flat, bounds, src, bounds.Min, draw.Over)
	ink := image.Rectangle{}
	dark := 0
	for y := bounds.Min.Y; y < bounds.Max.Y; y++ {
		for x := bounds.Min.X; x < bounds.Max.X; x++ {
			if flat.GrayAt(x, y).Y < 160 {
				dark++
				ink = ink.Union(image.Rect(x, y, x+1, y+1))
			}
		}
	}
	if dark < 30 || ink.Dx() < 10 {
		return nil, errors.New("is empty: sign in the box, or upload a scan of the signed paper instead")
	}
	pad := max(ink.Dy()/10, 4)
	crop := ink.Inset(-pad).Intersect(bounds)
	out := image.NewGray(image.Rect(0, 0, crop.Dx(), crop.Dy()))
	for y := 0; y < crop.Dy(); y++ {
		for x := 0; x < crop.Dx(); x++ {
			out.SetGray(x, y, color.Gray{Y: flat.GrayAt(crop.Min.X+x, crop.Min.Y+y).Y})
		}
	}
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&buf, out); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

const agreementSelect = `SELECT a.state, a.first_printed_at, coalesce(fp.name, ''), a.last_printed_at, a.print_count, a.signer_name,
	a.signer_relationship, a.signed_on, a.recorded_at, coalesce(rb.name, ''), a.signature_png IS NOT NULL,
	c.content_type, c.size, c.sha256, c.filename
	FROM loan_agreements a LEFT JOIN users fp ON fp.id = a.first_printed_by LEFT JOIN users rb ON rb.id = a.recorded_by
	LEFT JOIN agreement_copies c ON c.loan_id = a.loan_id WHERE a.loan_id = ?`

// readAgreement reads a loan's agreement record; a loan with none is not printed.
func readAgreement(q db.Querier, l Loan, withSignature bool) (AgreementRecord, error) {
	r := AgreementRecord{LoanID: l.ID, LoanReference: l.Reference, State: AgreementNotPrinted}
	var firstPrinted, lastPrinted, recorded sql.NullString
	var ct, sum, name sql.NullString
	var size sql.NullInt64
	err := q.QueryRow(agreementSelect, l.ID).Scan(&r.State, &firstPrinted, &r.FirstPrintedBy, &lastPrinted, &r.PrintCount, &r.SignerName,
		&r.SignerRelationship, &r.SignedOn, &recorded, &r.RecordedBy, &r.SignedOnScreen, &ct, &size, &sum, &name)
	if errors.Is(err, sql.ErrNoRows) {
		return r, nil
	}
	if err != nil {
		return r, err
	}
	r.FirstPrintedAt, r.LastPrintedAt, r.RecordedAt = stampPtr(firstPrinted), stampPtr(lastPrinted), stampPtr(recorded)
	if ct.Valid {
		r.SignedCopy = &SignedCopy{ContentType: ct.String, Size: size.Int64, SHA256: sum.String, Filename: name.String}
	}
	if withSignature && r.SignedOnScreen {
		if err := q.QueryRow(`SELECT signature_png FROM loan_agreements WHERE loan_id = ?`, l.ID).Scan(&r.SignaturePNG); err != nil {
			return r, err
		}
	}
	return r, nil
}

func stampPtr(s sql.NullString) *time.Time {
	if !s.Valid {
		return nil
	}
	t := ParseStamp(s.String)
	return &t
}

// AgreementRecord returns where a loan's agreement has got to, with the signature drawn
// on screen, if any, for printing.
func (s *Store) AgreementRecord(ctx context.Context, u accounts.User, loanID int64) (AgreementRecord, error) {
	l, err := loanFor(s.db.Read, ctx, u, loanID)
	if err != nil {
		return AgreementRecord{}, err
	}
	return readAgreement(s.db.Reader(ctx), l, true)
}

// MarkAgreementPrinted records that the loan's agreement was printed: the first print
// moves it from not printed to printed; every print is an event.
func (s *Store) MarkAgreementPrinted(ctx context.Context, u accounts.User, loanID int64) error {
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		l, err := loanFor(tx, ctx, u, loanID)
		if err != nil {
			return err
		}
		res, err := tx.Exec(`UPDATE loan_agreements SET last_printed_at = ?, print_count = print_count + 1 WHERE loan_id = ?`, tx.Stamp(), l.ID)
		if err != nil {
			return err
		}
		first := false
		if n, _ := res.RowsAffected(); n == 0 {
			first = true
			if _, err := tx.Exec(`INSERT INTO loan_agreements (loan_id, state, first_printed_at, first_printed_by, last_printed_at, print_count)
				VALUES (?, 'printed', ?, ?, ?, 1)`, l.ID, tx.Stamp(), NullID(u.ID), tx.Stamp()); err != nil {
				return err
			}
		}
		return db.RecordEvent(tx, db.EntityLoan, l.ID, db.ActionAgreementPrinted, map[string]any{"first": first})
	})
}

// RecordAgreement records the signed agreement of a loan: who signed, when, and the signed
// copy, stored with its SHA-256 so it can be shown to be the file received. Recording
// again replaces the signer and the copy (the event keeps the old copy's hash). Nothing
// is stored unless everything is valid.
func (s *Store) RecordAgreement(ctx context.Context, u accounts.User, loanID int64, in AgreementInput) (AgreementRecord, error) {
	if err := in.Check(s.db.Now().Format(db.DateLayout)); err != nil {
		return AgreementRecord{}, err
	}
	var l Loan
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		var err error
		if l, err = loanFor(tx, ctx, u, loanID); err != nil {
			return err
		}
		old, err := readAgreement(tx, l, false)
		if err != nil {
			return err
		}
		var signature any
		if len(in.signaturePNG) > 0 {
			signature = in.signaturePNG
		}
		if _, err := tx.Exec(`INSERT INTO loan_agreements (loan_id, state, signer_name, signer_relationship, signed_on, recorded_at, recorded_by, signature_png)
			VALUES (?, 'signed', ?, ?, ?, ?, ?, ?)
			ON CONFLICT (loan_id) DO UPDATE SET state = 'signed', signer_name = excluded.signer_name,
				signer_relationship = excluded.signer_relationship, signed_on = excluded.signed_on, recorded_at = excluded.recorded_at,
				recorded_by = excluded.recorded_by, signature_png = excluded.signature_png`,
			l.ID, in.SignerName, in.SignerRelationship, in.SignedOn, tx.Stamp(), NullID(u.ID), signature); err != nil {
			return err
		}
		if _, err := tx.Exec(`DELETE FROM agreement_copies WHERE loan_id = ?`, l.ID); err != nil {
			return err
		}
		details := map[string]any{"signed_on": in.SignedOn, "on_screen": len(in.signaturePNG) > 0}
		if old.Signed() {
			details["replaced"] = true
			if old.SignedCopy != nil {
				details["replaced_sha256"] = old.SignedCopy.SHA256
			}
		}
		if in.Copy != nil {
			sum := sha256.Sum256(in.Copy.Data)
			hexSum := hex.EncodeToString(sum[:])
			if _, err := tx.Exec(`INSERT INTO agreement_copies (loan_id, content_type, size, sha256, filename, content, created_at)
				VALUES (?, ?, ?, ?, ?, ?, ?)`, l.ID, in.copyType, len(in.Copy.Data), hexSum, cleanFilename(in.Copy.Filename), in.Copy.Data, tx.Stamp()); err != nil {
				return err
			}
			details["content_type"], details["size"], details["sha256"] = in.copyType, len(in.Copy.Data), hexSum
		}
		return db.RecordEvent(tx, db.EntityLoan, l.ID, db.ActionAgreementSigned, details)
	})
	if err != nil {
		return AgreementRecord{}, err
	}
	return readAgreement(s.db.Reader(ctx), l, false)
}

// cleanFilename keeps a file name safe to offer back in a download: its last part, in
// printable characters (what is not UTF-8 becomes U+FFFD), at most 100 of them.
func cleanFilename(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '"' {
			return -1
		}
		return r
	}, name)
	if r := []rune(name); len(r) > 100 {
		name = string(r[len(r)-100:])
	}
	return strings.TrimSpace(name)
}

// SignedCopy returns the stored signed copy of a loan's agreement, byte for byte.
func (s *Store) SignedCopy(ctx context.Context, u accounts.User, loanID int64) (SignedCopy, error) {
	l, err := loanFor(s.db.Read, ctx, u, loanID)
	if err != nil {
		return SignedCopy{}, err
	}
	sc := SignedCopy{loanRef: l.Reference}
	err = s.db.Read.QueryRowContext(ctx, `SELECT content_type, size, sha256, filename, content FROM agreement_copies WHERE loan_id = ?`, l.ID).
		Scan(&sc.ContentType, &sc.Size, &sc.SHA256, &sc.Filename, &sc.Content)
	if errors.Is(err, sql.ErrNoRows) {
		return sc, errs.Errorf(errs.NotFound, "There is no signed copy of the agreement for loan %s yet.", l.Reference)
	}
	return sc, err
}

// UnsignedAgreement is an open loan whose agreement has not been signed.
type UnsignedAgreement struct {
	LoanID         int64      `json:"loan_id"`
	Reference      string     `json:"reference"`
	ChildID        int64      `json:"child_id"`
	ChildName      string     `json:"child_name"`
	Location       string     `json:"location"`
	Recipient      string     `json:"recipient"`
	IssuedAt       time.Time  `json:"issued_at"`
	IssuedBy       string     `json:"issued_by"`
	DaysSinceIssue int        `json:"days_since_issue"`
	State          string     `json:"agreement_state"`
	FirstPrintedAt *time.Time `json:"first_printed_at"`
}

// StateLabel is the agreement's state in words.
func (ua UnsignedAgreement) StateLabel() string { return AgreementStateLabel(ua.State) }

// LocationLabel says where the equipment lives.
func (ua UnsignedAgreement) LocationLabel() string { return PlaceLabel(ua.Location) }

// UnsignedFilter selects the agreements to chase: of open loans issued more than
// OlderThanDays days ago.
type UnsignedFilter struct {
	OlderThanDays int
	Limit, Offset int
}

// unsignedFrom is the FROM and WHERE of the open loans issued more than olderThanDays
// days ago whose agreement is not signed, within the user's caseload.
func (s *Store) unsignedFrom(u accounts.User, olderThanDays int) (string, []any, error) {
	where, args, err := caseloadScope(u)
	if err != nil {
		return "", nil, err
	}
	where = append(where, "l.closed_at IS NULL", "l.issued_at < ?", "coalesce(a.state, '') <> 'signed'")
	args = append(args, s.db.Now().AddDate(0, 0, -max(olderThanDays, 0)).UTC().Format(time.RFC3339))
	return `FROM loans l JOIN children c ON c.id = l.child_id LEFT JOIN loan_agreements a ON a.loan_id = l.id
		WHERE ` + strings.Join(where, " AND "), args, nil
}

// CountUnsignedAgreements counts what UnsignedAgreements lists, up to upTo and one more
// (see db.CountUpTo), for the home page's card.
func (s *Store) CountUnsignedAgreements(ctx context.Context, u accounts.User, olderThanDays, upTo int) (int, error) {
	from, args, err := s.unsignedFrom(u, olderThanDays)
	if err != nil {
		return 0, err
	}
	return s.db.CountUpTo(ctx, from, args, upTo)
}

// UnsignedAgreements lists the open loans issued more than f.OlderThanDays days ago whose
// agreement is not signed, oldest first, for chasing; a therapist sees their own
// children's.
func (s *Store) UnsignedAgreements(ctx context.Context, u accounts.User, f UnsignedFilter) ([]UnsignedAgreement, int, error) {
	from, args, err := s.unsignedFrom(u, f.OlderThanDays)
	if err != nil {
		return nil, 0, err
	}
	var total int
	if err := s.db.QueryRow(ctx, `SELECT count(*) `+from, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := s.db.Query(ctx, `SELECT l.id, l.child_id, c.given_name || ' ' || c.family_name, l.location, l.recipient,
		l.issued_at, coalesce((SELECT name FROM users WHERE id = l.issued_by), 'system'), coalesce(a.state, 'not_printed'), a.first_printed_at `+from+
		` ORDER BY l.issued_at, l.id LIMIT ? OFFSET ?`, append(args, db.PageSize(f.Limit), max(f.Offset, 0))...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	now := s.db.Now()
	out := []UnsignedAgreement{}
	for rows.Next() {
		var ua UnsignedAgreement
		var issued string
		var printed sql.NullString
		if err := rows.Scan(&ua.LoanID, &ua.ChildID, &ua.ChildName, &ua.Location, &ua.Recipient, &issued, &ua.IssuedBy, &ua.State, &printed); err != nil {
			return nil, 0, err
		}
		ua.Reference = Reference("L", ua.LoanID)
		ua.IssuedAt = ParseStamp(issued)
		ua.DaysSinceIssue = int(now.Sub(ua.IssuedAt).Hours() / 24)
		ua.FirstPrintedAt = stampPtr(printed)
		out = append(out, ua)
	}
	return out, total, rows.Err()
}
