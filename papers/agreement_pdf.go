package papers

import (
	"io"
	"strconv"
	"strings"
	"time"

	"kitloan/internal/db"
	"kitloan/loans"
)

// Service is the letterhead: who lends the equipment and how to reach them.
type Service struct {
	Name, Address, Phone, Email string
}

// Agreement is everything a loan agreement prints, gathered by the caller: there is no
// database or HTTP in here (docs/DOMAIN.md §4). The delivery note and the collection receipt
// print from the same data.
type Agreement struct {
	Service          Service
	Loan             loans.Loan       // reference, setting, where the equipment lives, recipient, dates, issued by
	ChildName        string           // as printed; "" means Loan.ChildName
	ChildDateOfBirth string           // YYYY-MM-DD; "" means Loan.ChildDateOfBirth
	Items            []loans.LoanItem // nil means Loan.Items
	Terms            string           // the service's wording; "" means DefaultTerms. See ExpandTerms.
	PaperSize        string           // PaperA4 (also "") or PaperLetter
	LoanURL          string           // what the QR code opens: {base_url}/loans/{id}
	Signature        *loans.Signature // the recorded signature, printed in the signer's box; nil before signing
	Date             time.Time        // when it is printed, the PDF's date; zero means now
}

// The two copies of an agreement: the first stays with the service, signed; the second
// stays with the family or setting.
var copyLabels = []paperCopy{
	{label: "Service copy", note: "Sign and give back to us", filled: true},
	{label: "Family copy", note: "Please keep this copy"},
}

// DefaultTerms is the agreement's wording when the service has not written its own: plain
// English for families, in short sentences and everyday words. {service}, {phone} and
// {email} are filled from the settings; a line whose placeholder has no value is left out.
const DefaultTerms = `We are lending you this equipment to help the child named on this form. It belongs to {service}. Please read this agreement, sign it and keep your copy.

# Using the equipment safely
- Only use it for the child it was lent to.
- An adult should watch the child while they use it.
- Follow the instructions we showed you, and the maker's instructions.
- Do not change the equipment or try to mend it yourself.

# Keeping it clean
- Wipe it often with warm soapy water, then dry it.
- Do not use bleach or strong cleaners on it.

# If it breaks or stops fitting
- Stop using it straight away.
- Phone us on {phone}. We will mend it or swap it.

# It stays with the child
- Do not lend, sell or give the equipment to anyone else.

# Moving house or school
- Tell us before you move house, or before the child moves school. We will help move the equipment.

# When you no longer need it
- Phone us when the child stops using it or grows out of it. We will collect it, clean it and lend it to another child.

# Your information
- We keep the child's name, date of birth and address, your name and phone number, and a record of the equipment. We use them to deliver, check, mend and collect the equipment, and to keep the child's therapist up to date. We keep them safe. We do not sell them. You can ask for a copy of what we hold.

# Contact us
- Phone {phone}. Tell us the loan reference at the top of this form.
- Email {email}.`

// ExpandTerms fills the placeholders of the agreement's wording (DefaultTerms when terms is
// blank) with the service's details, dropping lines whose placeholder has no value.
func ExpandTerms(terms string, svc Service) string {
	if strings.TrimSpace(terms) == "" {
		terms = DefaultTerms
	}
	values := map[string]string{"{service}": svc.Name, "{phone}": svc.Phone, "{email}": svc.Email}
	var out []string
	for _, line := range strings.Split(strings.ReplaceAll(terms, "\r\n", "\n"), "\n") {
		keep := true
		for k, v := range values {
			if strings.Contains(line, k) {
				if strings.TrimSpace(v) == "" {
					keep = false
				}
				line = strings.ReplaceAll(line, k, strings.TrimSpace(v))
			}
		}
		if keep {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}

func (a *Agreement) fill() {
	if a.ChildName == "" {
		a.ChildName = a.Loan.ChildName
	}
	if a.ChildDateOfBirth == "" {
		a.ChildDateOfBirth = a.Loan.ChildDateOfBirth
	}
	if a.Items == nil {
		a.Items = a.Loan.Items
	}
}

// WriteAgreement writes the loan agreement as a PDF: the service's letterhead, the loan
// reference and a QR code back to the loan, the child, who received the equipment and
// where it lives, the items, the review or return date, the terms and the signature
// boxes, twice over: a "Service copy" and a "Family copy", each numbered "Page 1 of N".
// Invalid input is an *errs.Error (code Invalid) naming the field.
func WriteAgreement(w io.Writer, a Agreement) error {
	a.fill()
	p, err := newPrintout(a.PaperSize, "Equipment loan agreement", a.Loan.Reference, a.LoanURL, a.Service, a.Date, copyLabels)
	if err != nil {
		return err
	}
	var blocks []*block
	blocks = append(blocks, p.heading("About the loan"))
	blocks = append(blocks, loanDetails(p, a, true)...)

	blocks = append(blocks, p.heading(itemCount("Equipment", len(a.Items))))
	rows := make([][]string, len(a.Items))
	for i, it := range a.Items {
		rows[i] = []string{it.Tag, it.Product, dash(it.Serial), titleCase(it.IssuedCondition)}
	}
	blocks = append(blocks, itemTable(p, rows, "Condition")...)

	blocks = append(blocks, p.heading("Our agreement"))
	blocks = append(blocks, termsBlocks(p, ExpandTerms(a.Terms, a.Service))...)

	boxes, err := agreementBoxes(p, a)
	if err != nil {
		return err
	}
	blocks = append(blocks, p.heading("Signatures"), p.signatures(boxes))
	return p.write(w, blocks)
}

// loanDetails is the summary of who the loan is for and where the equipment lives; the
// delivery note leaves out the date of birth and the dates.
func loanDetails(p *printout, a Agreement, full bool) []*block {
	received := a.Loan.Recipient
	if a.Loan.RecipientRelationship != "" {
		received += " (" + a.Loan.RecipientRelationship + ")"
	}
	where := loans.PlaceLabel(a.Loan.Location) + "\n" + a.Loan.Address
	if !full {
		return p.summary([][2]string{{"Child", a.ChildName}, {"Recipient", received}, {"Where the equipment goes", where}})
	}
	rows := [][2]string{
		{"Child", a.ChildName},
		{"Date of birth", UKDate(a.ChildDateOfBirth)},
		{"Received by", received},
		{"Where the equipment lives", where},
	}
	if a.Loan.ReviewDate != "" {
		rows = append(rows, [2]string{"Review date", UKDate(a.Loan.ReviewDate) + ". We will check that the equipment still fits and is safe."})
	}
	if a.Loan.ReturnDate != nil && *a.Loan.ReturnDate != "" {
		rows = append(rows, [2]string{"Return date", UKDate(*a.Loan.ReturnDate)})
	}
	issued := ukTime(a.Loan.IssuedAt)
	if a.Loan.IssuedBy != "" {
		issued += " by " + a.Loan.IssuedBy
	}
	return p.summary(append(rows, [2]string{"Issued", issued}))
}

func itemTable(p *printout, rows [][]string, condition string) []*block {
	return p.table([]column{{title: "Tag", width: 27, bold: true}, {title: "Product"}, {title: "Serial number", width: 38},
		{title: condition, width: 27}}, rows)
}

// termsBlocks lays out the agreement's wording: paragraphs separated by blank lines, "# "
// starting a heading and "- " (or "* ") a bullet point.
func termsBlocks(p *printout, terms string) []*block {
	var out []*block
	var para []string
	flush := func() {
		if len(para) > 0 {
			out = append(out, p.paragraph(strings.Join(para, " "), false, 10, 2.2, 0, false)...)
			para = nil
		}
	}
	for _, line := range strings.Split(terms, "\n") {
		t := strings.TrimSpace(line)
		switch {
		case t == "":
			flush()
		case strings.HasPrefix(t, "# "):
			flush()
			hs := p.paragraph(strings.TrimSpace(t[2:]), true, 10.5, 3.2, 0, false)
			for _, h := range hs {
				h.keep = true
			}
			out = append(out, hs...)
		case strings.HasPrefix(t, "- "), strings.HasPrefix(t, "* "):
			flush()
			out = append(out, p.paragraph(strings.TrimSpace(t[2:]), false, 10, 0.8, 1, true)...)
		default:
			para = append(para, t)
		}
	}
	flush()
	return out
}

// agreementBoxes are the signature boxes: the family's, or for a loan to a school or
// setting the setting's (its head teacher or SENCO), then the member of staff's.
func agreementBoxes(p *printout, a Agreement) ([]signBox, error) {
	var signer signBox
	if a.Loan.Location == loans.School {
		signer = signBox{title: "For the school or setting",
			statement: "I sign for the school or setting as its head teacher or SENCO. We have read this agreement and will look after the equipment as it says.",
			fields: []signField{{label: "Signature", tall: true}, {label: "Name"}, {label: "Role (head teacher or SENCO)"},
				{label: "School or setting", value: a.Loan.Setting}, {label: "Date"}}}
	} else {
		signer = signBox{title: "Parent or carer",
			statement: "I have read this agreement. I will look after the equipment as it says.",
			fields:    []signField{{label: "Signature", tall: true}, {label: "Name"}, {label: "Relationship to the child"}, {label: "Date"}}}
	}
	if s := a.Signature; s != nil {
		signer.fields[1].value, signer.fields[2].value = s.Name, s.Relationship
		signer.fields[len(signer.fields)-1].value = UKDate(s.SignedOn)
		if len(s.PNG) > 0 {
			if err := p.image("signature", s.PNG); err != nil {
				return nil, err
			}
			signer.fields[0].image = "signature"
		} else {
			signer.fields[0].note = "Signed on paper. The signed copy is kept by the service."
		}
	}
	staff := signBox{title: "Member of staff",
		statement: "I have shown how to use the equipment safely and left the maker's instructions.",
		fields:    []signField{{label: "Signature", tall: true}, {label: "Name"}, {label: "Date"}}}
	return []signBox{signer, staff}, nil
}

// WriteDeliveryNote writes the note that goes with the equipment: where it goes, who
// receives it, each item with a box to tick as it is handed over, and signatures for
// whoever receives it and whoever delivers it.
func WriteDeliveryNote(w io.Writer, a Agreement) error {
	a.fill()
	p, err := newPrintout(a.PaperSize, "Delivery note", a.Loan.Reference, a.LoanURL, a.Service, a.Date, []paperCopy{{}})
	if err != nil {
		return err
	}
	blocks := []*block{p.heading("Deliver to")}
	blocks = append(blocks, loanDetails(p, a, false)...)
	blocks = append(blocks, p.heading(itemCount("Equipment", len(a.Items))))
	rows := make([][]string, len(a.Items))
	for i, it := range a.Items {
		rows[i] = []string{it.Tag, it.Product, dash(it.Serial), titleCase(it.IssuedCondition)}
	}
	blocks = append(blocks, p.table([]column{{title: "Tag", width: 27, bold: true}, {title: "Product"}, {title: "Serial number", width: 38},
		{title: "Condition", width: 24}, {title: "Handed over", width: 20, box: true}}, rows)...)
	blocks = append(blocks, p.paragraph("Check each item with the person receiving it. Show them how to use it safely, and leave the maker's instructions and the loan agreement.", false, 10, 4, 0, false)...)
	blocks = append(blocks, p.signatures([]signBox{
		{title: "Received by", statement: "I have received the equipment listed above.",
			fields: []signField{{label: "Signature", tall: true}, {label: "Name"}, {label: "Date"}}},
		{title: "Delivered by", statement: "I have delivered the equipment listed above and shown how to use it.",
			fields: []signField{{label: "Signature", tall: true}, {label: "Name"}, {label: "Date"}}},
	}))
	return p.write(w, blocks)
}

// WriteCollectionReceipt writes the receipt for equipment booked back in: each item
// returned with its condition and when it was booked in, and any still on loan.
func WriteCollectionReceipt(w io.Writer, a Agreement) error {
	a.fill()
	p, err := newPrintout(a.PaperSize, "Collection receipt", a.Loan.Reference, a.LoanURL, a.Service, a.Date, []paperCopy{{}})
	if err != nil {
		return err
	}
	var back, out [][]string
	for _, it := range a.Items {
		if it.ReturnedAt == nil {
			out = append(out, []string{it.Tag, it.Product, dash(it.Serial), titleCase(it.IssuedCondition)})
			continue
		}
		cond := ""
		if it.ReturnCondition != nil {
			cond = *it.ReturnCondition
		}
		back = append(back, []string{it.Tag, it.Product, dash(it.Serial), titleCase(cond), ukTime(*it.ReturnedAt)})
	}
	blocks := []*block{p.heading("Loan details")}
	blocks = append(blocks, p.summary([][2]string{
		{"Child", a.ChildName},
		{"Collected from", loans.PlaceLabel(a.Loan.Location) + "\n" + a.Loan.Address},
	})...)
	blocks = append(blocks, p.heading(itemCount("Equipment collected", len(back))))
	if len(back) == 0 {
		blocks = append(blocks, p.paragraph("No equipment has been booked back in on this loan yet.", false, 10, 1, 0, false)...)
	} else {
		blocks = append(blocks, p.table([]column{{title: "Tag", width: 27, bold: true}, {title: "Product"}, {title: "Serial number", width: 34},
			{title: "Condition on return", width: 24}, {title: "Booked in", width: 26}}, back)...)
	}
	if len(out) > 0 {
		blocks = append(blocks, p.heading(itemCount("Still on loan", len(out))))
		blocks = append(blocks, itemTable(p, out, "Condition when lent")...)
	}
	thanks := "Thank you for giving this equipment back. We will clean and check it so that another child can use it."
	if a.Service.Phone != "" {
		thanks += " If you have a question, phone us on " + a.Service.Phone + "."
	}
	blocks = append(blocks, p.paragraph(thanks, false, 10, 4, 0, false)...)
	blocks = append(blocks, p.signatures([]signBox{
		{title: "Handed back by", statement: "I have handed back the equipment listed as collected.",
			fields: []signField{{label: "Signature", tall: true}, {label: "Name"}, {label: "Date"}}},
		{title: "Collected by", statement: "I have collected the equipment listed and booked it in.",
			fields: []signField{{label: "Signature", tall: true}, {label: "Name"}, {label: "Date"}}},
	}))
	return p.write(w, blocks)
}

func itemCount(what string, n int) string {
	if n == 1 {
		return what + " (1 item)"
	}
	return what + " (" + strconv.Itoa(n) + " items)"
}

func dash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "–"
	}
	return s
}

func titleCase(s string) string {
	if s == "" {
		return "–"
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// UKDate shows an ISO date the service's way: "22 Nov 2026".
func UKDate(iso string) string {
	t, err := time.Parse(db.DateLayout, iso)
	if err != nil {
		return dash(iso)
	}
	return t.Format("2 Jan 2006")
}

func ukTime(t time.Time) string {
	if t.IsZero() {
		return "–"
	}
	return t.Local().Format("2 Jan 2006")
}
