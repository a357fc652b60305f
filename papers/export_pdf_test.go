package papers

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"kitloan/internal/db"
	"kitloan/loans"
)

func testExport() loans.ChildExport {
	dob, discharged := "2016-05-04", "2026-01-30"
	issued := time.Date(2025, 9, 1, 10, 30, 0, 0, time.UTC)
	back := issued.AddDate(0, 3, 0)
	good := "good"
	signedOn := "2025-09-01"
	long := strings.Repeat("She needs an upright seat with lateral supports for classroom work. ", 40) + "LAST-WORD-OF-THE-NOTES"
	return loans.ChildExport{
		Format: loans.ExportFormat, ExportedAt: time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC), ExportedBy: "Ada Admin",
		Child: loans.Child{ID: 7, Reference: "C-000007", GivenName: "Zoë", FamilyName: "Łukasiewicz-Nguyễn", DateOfBirth: dob,
			NHSNumber: "9434765919", Address: "12 Ffordd Gwynedd\nLlanfairpwll", Setting: "Ysgol y Graig", SettingAddress: "Ffordd y Graig",
			Carers:      []loans.Carer{{Name: "Ольга Петренко", Relationship: "grandmother", Phone: "07700 900461", Email: "olga@example.test"}},
			TherapistID: 2, TherapistName: "Olu Therapist", Notes: long, DischargedOn: &discharged, CreatedAt: issued, UpdatedAt: issued},
		Requests: []loans.Request{{ID: 3, ChildID: 7, ProductName: "Classroom chair (size 2)", Quantity: 1, Priority: "urgent", DeliverTo: loans.School,
			DeliveryAddress: "Ysgol y Graig", Reason: "Upright sitting for handwriting", Status: loans.Fulfilled, RequestedBy: "Olu Therapist", CreatedAt: issued}},
		Loans: []loans.Loan{
			{ID: 42, Reference: "L-000042", ChildID: 7, Location: loans.Home, Address: "12 Ffordd Gwynedd", Recipient: "Ольга Петренко",
				RecipientRelationship: "grandmother", ReviewDate: "2026-03-01", IssuedAt: issued, IssuedBy: "Sam Store", ClosedAt: &back,
				Items: []loans.LoanItem{{Tag: "KL-000101", Product: "Classroom chair", Serial: "SN-1", IssuedCondition: "new", ReturnedAt: &back, ReturnCondition: &good}}},
			{ID: 43, Reference: "L-000043", ChildID: 7, Location: loans.School, Address: "Ysgol y Graig", Recipient: "Mr Jones", ReviewDate: "2026-09-01",
				IssuedAt: back, IssuedBy: "Sam Store", Items: []loans.LoanItem{{Tag: "KL-000102", Product: "Writing slope", IssuedCondition: "good"}}},
		},
		Consumables: []loans.ConsumableIssue{{ProductName: "Pencil grip", Quantity: 3, IssuedOn: "2025-10-02", IssuedBy: "Sam Store"}},
		Agreements: []loans.AgreementRecord{
			{LoanID: 42, LoanReference: "L-000042", State: loans.AgreementSigned, SignerName: "Ольга Петренко", SignerRelationship: "grandmother",
				SignedOn: &signedOn, RecordedAt: &issued, RecordedBy: "Sam Store", PrintCount: 1, FirstPrintedAt: &issued,
				SignedCopy: &loans.SignedCopy{ContentType: "application/pdf", Size: 120_000, SHA256: strings.Repeat("ab", 32), Filename: "scan.pdf"}},
			{LoanID: 43, LoanReference: "L-000043", State: loans.AgreementNotPrinted},
		},
		Events: []db.Event{
			{ID: 1, At: issued, Actor: "Sam Store", Entity: "loan", EntityID: 42, Action: "issued", Details: map[string]any{"tags": []any{"KL-000101"}, "location": "home"}},
			{ID: 2, At: back, Actor: "Sam Store", Entity: "child", EntityID: 7, Action: "discharged", Details: map[string]any{"on": discharged}},
		},
	}
}

// TestChildExportPDFReadsAsEverythingHeld reads the export the way the family would, with
// pdftotext: the name as written, each part of the record, every loan with its items,
// and long notes printed whole.
func TestChildExportPDFReadsAsEverythingHeld(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteChildExport(&buf, ChildExportPaper{Service: Service{Name: "Children's Equipment Store", Phone: "0300 000 0000"}, Export: testExport()}); err != nil {
		t.Fatal(err)
	}
	pdf := buf.Bytes()
	var text strings.Builder
	for page := 1; page <= pageCount(t, pdf); page++ {
		text.WriteString(pageText(t, pdf, page))
		text.WriteString("\n")
	}
	all := strings.Join(strings.Fields(text.String()), " ")
	for _, want := range []string{
		"Subject access export", "C-000007", "Confidential",
		"Zoë Łukasiewicz-Nguyễn", "4 May 2016", "943 476 5919", "12 Ffordd Gwynedd", "Ysgol y Graig", "Olu Therapist",
		"Ольга Петренко", "07700 900461", "olga@example.test",
		"R-000003", "Classroom chair (size 2)", "Upright sitting for handwriting",
		"L-000042", "L-000043", "KL-000101", "KL-000102", "Writing slope", "Not returned",
		"Pencil grip", "Agreement for L-000042", "Signed", "grandmother", strings.Repeat("ab", 32)[:20],
		"Loan L-000042: issued", "Child: discharged", "LAST-WORD-OF-THE-NOTES",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("the export does not show %q", want)
		}
	}
	if pageCount(t, pdf) < 2 {
		t.Errorf("a long record printed on %d page", pageCount(t, pdf))
	}
}

func TestChildExportPDFRefusesAnUnknownPaperSize(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteChildExport(&buf, ChildExportPaper{PaperSize: "A3", Export: testExport()}); err == nil {
		t.Fatal("paper size A3 was accepted")
	}
}
