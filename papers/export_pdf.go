package papers

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"kitloan/internal/db"
	"kitloan/loans"
)

// ChildExportPaper is the subject-access export as it prints, gathered by the caller.
type ChildExportPaper struct {
	Service   Service
	PaperSize string // PaperA4 (also "") or PaperLetter
	Export    loans.ChildExport
}

// WriteChildExport writes a child's subject-access export as a readable PDF: the child's
// record and carers, requests, loans with their items and dates, consumables, loan
// agreements (state, signer and dates; the signed copy is described, not included) and
// the history of their record. Long text (notes, reasons, history) is printed whole,
// never cut short: this is the copy a family is entitled to.
func WriteChildExport(w io.Writer, xp ChildExportPaper) error {
	x := xp.Export
	date := x.ExportedAt
	if date.IsZero() {
		date = time.Now()
	}
	p, err := newPrintout(xp.PaperSize, "Subject access export", x.Child.Reference, "", xp.Service, date,
		[]paperCopy{{label: "Confidential", note: "Personal data: keep it safe", filled: true}})
	if err != nil {
		return err
	}
	p.refLabel = "Child reference"
	ch := x.Child
	var blocks []*block
	add := func(bs ...*block) { blocks = append(blocks, bs...) }
	para := func(s string) []*block { return p.paragraph(s, false, 10, 1.5, 0, false) }

	intro := "Everything " + dash(xp.Service.Name) + " holds about " + ch.Name() + " on " + date.Local().Format("2 January 2006") +
		": their details and carers, the equipment requested for them and lent to them, the loan agreements, and the history of their record."
	if x.ExportedBy != "" {
		intro += " Exported by " + x.ExportedBy + "."
	}
	add(para(intro)...)

	add(p.heading("The child"))
	discharged := "No"
	if ch.DischargedOn != nil {
		discharged = UKDate(*ch.DischargedOn)
	}
	setting := ch.Setting
	if ch.SettingAddress != "" {
		setting = strings.TrimSpace(setting + "\n" + ch.SettingAddress)
	}
	add(p.summary([][2]string{
		{"Name", ch.Name()},
		{"Reference", ch.Reference},
		{"Date of birth", UKDate(ch.DateOfBirth)},
		{"NHS number", dash(ch.NHSNumberSpaced())},
		{"Home address", dash(ch.Address)},
		{"School or setting", dash(setting)},
		{"Lead therapist", ch.TherapistName},
		{"Discharged", discharged},
		{"Record created", ukTime(ch.CreatedAt)},
		{"Last changed", ukTime(ch.UpdatedAt)},
	})...)
	if strings.TrimSpace(ch.Notes) != "" {
		add(longText(p, "Notes", ch.Notes)...)
	}

	add(p.heading(counted("Parents and carers", len(ch.Carers), "", "")))
	if len(ch.Carers) == 0 {
		add(para("None recorded.")...)
	} else {
		rows := make([][]string, len(ch.Carers))
		for i, k := range ch.Carers {
			rows[i] = []string{k.Name, dash(k.Relationship), dash(k.Phone), dash(k.Email)}
		}
		add(p.table([]column{{title: "Name", bold: true}, {title: "Relationship", width: 32}, {title: "Phone", width: 34}, {title: "Email", width: 50}}, rows)...)
	}

	add(p.heading(counted("Requests", len(x.Requests), "request", "requests")))
	if len(x.Requests) == 0 {
		add(para("No equipment has been requested for " + ch.GivenName + ".")...)
	}
	for _, r := range x.Requests {
		add(subheading(p, r.Reference()+" · "+r.ProductName))
		needed := "–"
		if r.NeededBy != nil {
			needed = UKDate(*r.NeededBy)
		}
		rows := [][2]string{
			{"Status", r.StatusLabel()},
			{"How many", strconv.Itoa(r.Quantity)},
			{"Priority", r.PriorityLabel()},
			{"Deliver to", loans.PlaceLabel(r.DeliverTo) + "\n" + r.DeliveryAddress},
			{"Needed by", needed},
			{"Requested", ukTime(r.CreatedAt) + " by " + r.RequestedBy},
		}
		if r.FulfilledAt != nil {
			rows = append(rows, [2]string{"Fulfilled", ukTime(loans.ParseStamp(*r.FulfilledAt))})
		}
		add(p.summary(rows)...)
		if strings.TrimSpace(r.Reason) != "" {
			add(longText(p, "Reason", r.Reason)...)
		}
		if strings.TrimSpace(r.StatusNote) != "" {
			add(longText(p, "Note on its status", r.StatusNote)...)
		}
	}

	add(p.heading(counted("Loans", len(x.Loans), "loan", "loans")))
	if len(x.Loans) == 0 {
		add(para("No equipment has been lent to " + ch.GivenName + ".")...)
	}
	for _, l := range x.Loans {
		add(subheading(p, l.Reference))
		received := l.Recipient
		if l.RecipientRelationship != "" {
			received += " (" + l.RecipientRelationship + ")"
		}
		rows := [][2]string{
			{"Issued", ukTime(l.IssuedAt) + " by " + l.IssuedBy},
			{"Where the equipment lives", loans.PlaceLabel(l.Location) + "\n" + l.Address},
			{"Received by", dash(received)},
			{"Review date", UKDate(l.ReviewDate)},
		}
		if l.ReturnDate != nil {
			rows = append(rows, [2]string{"Return date", UKDate(*l.ReturnDate)})
		}
		closed := "Open: equipment still out"
		if l.ClosedAt != nil {
			closed = "Closed " + ukTime(*l.ClosedAt) + ": every item returned"
		}
		add(p.summary(append(rows, [2]string{"Status", closed}))...)
		items := make([][]string, len(l.Items))
		for i, it := range l.Items {
			back, cond := "Not returned", "–"
			if it.ReturnedAt != nil {
				back = ukTime(*it.ReturnedAt)
			}
			if it.ReturnCondition != nil {
				cond = titleCase(*it.ReturnCondition)
			}
			items[i] = []string{it.Tag, it.Product, dash(it.Serial), titleCase(it.IssuedCondition), back, cond}
		}
		add(p.table([]column{{title: "Tag", width: 25, bold: true}, {title: "Product"}, {title: "Serial number", width: 28},
			{title: "Lent in", width: 18}, {title: "Returned", width: 26}, {title: "Came back", width: 20}}, items)...)
	}

	add(p.heading(counted("Consumables, given to keep", len(x.Consumables), "", "")))
	if len(x.Consumables) == 0 {
		add(para("None.")...)
	} else {
		rows := make([][]string, len(x.Consumables))
		for i, c := range x.Consumables {
			rows[i] = []string{c.ProductName, strconv.Itoa(c.Quantity), UKDate(c.IssuedOn), c.IssuedBy}
		}
		add(p.table([]column{{title: "Product"}, {title: "How many", width: 22}, {title: "Issued", width: 28}, {title: "By", width: 45}}, rows)...)
	}

	add(p.heading("Loan agreements"))
	if len(x.Agreements) == 0 {
		add(para("None: there have been no loans.")...)
	}
	for _, a := range x.Agreements {
		add(subheading(p, "Agreement for "+a.LoanReference))
		rows := [][2]string{{"State", a.StateLabel()}}
		if a.PrintCount > 0 {
			printed := fmt.Sprintf("%d %s", a.PrintCount, map[bool]string{true: "time", false: "times"}[a.PrintCount == 1])
			if a.FirstPrintedAt != nil {
				printed += ", first " + ukTime(*a.FirstPrintedAt)
				if a.FirstPrintedBy != "" {
					printed += " by " + a.FirstPrintedBy
				}
			}
			if a.LastPrintedAt != nil {
				printed += ", last " + ukTime(*a.LastPrintedAt)
			}
			rows = append(rows, [2]string{"Printed", printed})
		}
		if a.Signed() {
			signer := a.SignerName
			if a.SignerRelationship != "" {
				signer += " (" + a.SignerRelationship + ")"
			}
			how := "On paper"
			if a.SignedOnScreen {
				how = "Drawn on screen at hand-over; the signature is kept with the agreement"
			}
			rows = append(rows, [2]string{"Signed by", signer}, [2]string{"Signed on", UKDate(deref(a.SignedOn))}, [2]string{"How", how})
			if a.RecordedAt != nil {
				rows = append(rows, [2]string{"Recorded", ukTime(*a.RecordedAt) + " by " + dash(a.RecordedBy)})
			}
		}
		if sc := a.SignedCopy; sc != nil {
			desc := sc.KindText() + ", " + sc.SizeText()
			if sc.Filename != "" {
				desc += ", received as " + sc.Filename
			}
			rows = append(rows, [2]string{"Signed copy", desc + ". Kept by the service; a copy can be downloaded from the loan."},
				[2]string{"Signed copy SHA-256", sc.SHA256})
		}
		add(p.summary(rows)...)
	}

	add(p.heading(counted("History", len(x.Events), "event", "events")))
	if len(x.Events) == 0 {
		add(para("No history recorded.")...)
	} else {
		add(para("Every change to " + ch.GivenName + "’s record, loans and requests, oldest first.")...)
	}
	for _, e := range x.Events {
		when := e.At.Local().Format("2 Jan 2006 15:04") + " · " + e.Actor
		hs := p.paragraph(when, true, 9, 1.8, 0, false)
		for _, h := range hs {
			h.keep = true
		}
		add(hs...)
		add(p.paragraph(EventSummary(e), false, 9.5, 0, 0, false)...)
	}
	return p.write(w, blocks)
}

// subheading is a bold line that keeps with what follows it.
func subheading(p *printout, s string) *block {
	hs := p.paragraph(s, true, 10.5, 4, 0, false)
	for _, h := range hs {
		h.keep = true
	}
	if len(hs) == 1 {
		return hs[0]
	}
	// A heading too long for one line: draw the lines as one block.
	h := 0.0
	for _, b := range hs {
		h += b.h
	}
	return &block{h: h, keep: true, draw: func(y float64) {
		for _, b := range hs {
			b.draw(y)
			y += b.h
		}
	}}
}

// longText is a label over text printed in full, however long.
func longText(p *printout, label, text string) []*block {
	hs := p.paragraph(label, true, 10, 2, 0, false)
	for _, h := range hs {
		h.keep = true
	}
	return append(hs, p.paragraph(text, false, 10, 0.5, 0, false)...)
}

func counted(title string, n int, one, many string) string {
	if one == "" {
		return title + " (" + strconv.Itoa(n) + ")"
	}
	if n == 1 {
		return title + " (1 " + one + ")"
	}
	return title + " (" + strconv.Itoa(n) + " " + many + ")"
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// EventSummary describes a history event in words: "Loan L-000042: issued (location:
// home; tags: KL-000001)".
func EventSummary(e db.Event) string {
	what := map[db.Entity]string{db.EntityChild: "Child", db.EntityLoan: "Loan " + loans.Reference("L", e.EntityID), db.EntityRequest: "Request " + loans.Reference("R", e.EntityID)}[e.Entity]
	if what == "" {
		what = titleCase(string(e.Entity)) + " " + strconv.FormatInt(e.EntityID, 10)
	}
	action := strings.ReplaceAll(string(e.Action), "_", " ")
	var parts []string
	if from, ok := e.Details["from"]; ok {
		parts = append(parts, fmt.Sprintf("%v → %v", from, e.Details["to"]))
	}
	for _, k := range slices.Sorted(maps.Keys(e.Details)) {
		if k == "from" || (k == "to" && e.Details["from"] != nil) {
			continue
		}
		parts = append(parts, strings.ReplaceAll(k, "_", " ")+": "+detailText(e.Details[k]))
	}
	if len(parts) == 0 {
		return what + ": " + action
	}
	return what + ": " + action + " (" + strings.Join(parts, "; ") + ")"
}

func detailText(v any) string {
	switch t := v.(type) {
	case []any:
		s := make([]string, len(t))
		for i, x := range t {
			s[i] = detailText(x)
		}
		return strings.Join(s, ", ")
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64)
	case nil:
		return "–"
	}
	return fmt.Sprint(v)
}
