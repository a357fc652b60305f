package papers

import (
	"io"
	"strings"
	"time"

	"kitloan/internal/errs"
)

// RecallLetters is everything the letters about a recall print, gathered by the caller:
// one letter for each family holding affected equipment.
type RecallLetters struct {
	Service   Service
	PaperSize string // PaperA4 (also "") or PaperLetter
	Date      time.Time
	Reference string // the field safety notice's reference
	Product   string
	IssuedOn  string // YYYY-MM-DD
	Action    string // what the maker or the alert says must be done
	Families  []RecallFamily
}

// RecallFamily is one household, school or clinic holding affected equipment.
type RecallFamily struct {
	ChildName string
	Recipient string // who received the equipment
	Location  string // home, school or clinic
	Address   string
	Tags      []string
}

// WriteRecallLetters writes one letter a family, in plain English: what is wrong, what to
// do now, who will contact them and the phone number. Each letter is numbered on its own,
// so the pages can be split and posted.
func WriteRecallLetters(w io.Writer, r RecallLetters) error {
	if len(r.Families) == 0 {
		return errs.Field("recall", "none of the affected equipment is on loan, so there is no one to write to")
	}
	p, err := newPrintout(r.PaperSize, "Safety notice", r.Reference, "", r.Service, r.Date, nil)
	if err != nil {
		return err
	}
	p.refLabel = "Reference"
	for _, f := range r.Families {
		p.drawCopy(paperCopy{}, recallLetter(p, r, f))
	}
	return p.pdf.Output(w)
}

func recallLetter(p *printout, r RecallLetters, f RecallFamily) []*block {
	to := f.Recipient
	if to == "" {
		to = "the parent or carer of " + f.ChildName
	}
	date := r.Date
	if date.IsZero() {
		date = time.Now()
	}
	blocks := p.paragraph(to+"\n"+f.Address, false, 10, 0, 0, false)
	blocks = append(blocks, p.paragraph(date.Format("2 January 2006"), false, 10, 3, 0, false)...)
	thing := "the " + r.Product
	labels := strings.Join(f.Tags, ", ")
	blocks = append(blocks, p.heading("Important: please stop using "+thing))
	blocks = append(blocks, p.paragraph("Dear "+to+",", false, 11, 1, 0, false)...)
	blocks = append(blocks, p.paragraph("We lent "+f.ChildName+" "+thing+" (label "+labels+"). The maker has told us about a safety problem with this equipment. We are writing to everyone who has one.", false, 11, 2, 0, false)...)
	blocks = append(blocks, p.heading("What is wrong"))
	blocks = append(blocks, p.paragraph(r.Action, false, 11, 1, 0, false)...)
	blocks = append(blocks, p.paragraph("The maker's notice is "+r.Reference+", dated "+UKDate(r.IssuedOn)+".", false, 10, 1, 0, false)...)
	blocks = append(blocks, p.heading("What to do now"))
	now := []string{
		"Stop using " + thing + " until we have checked it, unless the maker's advice above says it is safe to carry on.",
		"Keep it somewhere safe. Do not throw it away, mend it or give it to anyone else.",
		"If " + f.ChildName + " has been hurt or the equipment has broken, phone us today.",
	}
	for _, s := range now {
		blocks = append(blocks, p.paragraph(s, false, 11, 1, 4, true)...)
	}
	blocks = append(blocks, p.heading("Who will contact you"))
	blocks = append(blocks, p.paragraph("Someone from "+r.Service.Name+" will phone you soon to arrange a visit, a repair or a swap. You do not need to pay anything.", false, 11, 1, 0, false)...)
	if r.Service.Phone != "" {
		blocks = append(blocks, p.heading("Phone us"))
		blocks = append(blocks, p.paragraph("If you have a question, phone "+r.Service.Phone+" and say you are calling about notice "+r.Reference+".", false, 11, 1, 0, false)...)
	}
	blocks = append(blocks, p.paragraph("Thank you for your help in keeping "+f.ChildName+" safe.\n\n"+r.Service.Name, false, 11, 4, 0, false)...)
	return blocks
}
