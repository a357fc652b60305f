package web_test

import (
	"cmp"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"kitloan/internal/testtools"
	"kitloan/web/webtest"
)

// person is a child as the tests of data protection make them, with every detail that
// identifies them, so that a test can look for each one.
type person struct {
	id                                   float64
	given, family, dob, nhs, nhsSpaced   string
	address, town, setting, carer, phone string
	mail                                 string
	loan                                 float64
	tags                                 []string
}

func (p person) name() string { return p.given + " " + p.family }

// identifiers are the strings that must not survive anonymisation, or leak into another
// child's export.
func (p person) identifiers() []string {
	return []string{p.name(), p.family, p.nhs, p.nhsSpaced, p.address, p.carer, p.phone, p.mail, p.setting}
}

var (
	zoeData = person{given: "Zoë", family: "Łukasiewicz-Nguyễn", dob: "1998-02-11", nhs: "4010232137", nhsSpaced: "401 023 2137",
		address: "12 Ffordd Gwynedd", town: "Llanfairpwll", setting: "Ysgol Bryn Eryr", carer: "Olwen Łukasiewicz-Nguyễn", phone: "07700 900461", mail: "olwen@example.test"}
	bartData = person{given: "Bartholomew", family: "Quince", dob: "2016-07-21", nhs: "4505577104", nhsSpaced: "450 557 7104",
		address: "3 Larkspur Close", setting: "Meadowbank Academy", carer: "Hester Quince", phone: "07700 900987", mail: "hester@example.test"}
)

// addPerson adds the child as the therapist, with a carer and notes.
func (w *world) addPerson(t *testing.T, token string, p person) person {
	t.Helper()
	p.id = w.must(t, token, "POST", "/api/v1/children", map[string]any{"given_name": p.given, "family_name": p.family,
		"date_of_birth": p.dob, "nhs_number": p.nhsSpaced, "address": p.address + "\n" + cmp.Or(p.town, "Testtown"), "setting": p.setting,
		"notes":  p.name() + " prefers morning visits.",
		"carers": []map[string]any{{"name": p.carer, "relationship": "mother", "phone": p.phone, "email": p.mail}}}, 201)["id"].(float64)
	return p
}

// lend requests a chair for the child, and the store approves, allocates and issues it
// with the tags, to the carer at home.
func (w *world) lend(t *testing.T, therapist string, p person, tags ...string) person {
	t.Helper()
	req := w.must(t, therapist, "POST", "/api/v1/requests", map[string]any{"child_id": p.id, "product_id": w.chair, "quantity": len(tags),
		"priority": "standard", "deliver_to": "home", "reason": p.name() + " slumps in a standard chair"}, 201)["id"]
	w.must(t, w.store, "POST", fmt.Sprintf("/api/v1/requests/%v/approve", req), nil, 200)
	w.must(t, w.store, "POST", fmt.Sprintf("/api/v1/requests/%v/allocate", req), map[string]any{"tags": tags}, 200)
	p.loan = w.must(t, w.store, "POST", "/api/v1/loans", map[string]any{"child_id": p.id, "tags": tags, "request_id": req,
		"location": "home", "recipient": p.carer, "recipient_relationship": "mother"}, 201)["id"].(float64)
	p.tags = tags
	w.must(t, w.store, "POST", "/api/v1/consumables/issue", map[string]any{"product_id": w.grip, "child_id": p.id, "quantity": 2}, 201)
	return p
}

// signedCopy is a scan of the signed agreement that names the child, as a real one would.
func signedCopy(p person) []byte {
	return testtools.PDF("Signed by "+p.carer+" for "+p.name()+", "+p.address, nil)
}

// sign records the loan's agreement as signed on screen, with the scan of the paper too.
func (w *world) sign(t *testing.T, p person) []byte {
	t.Helper()
	scan := signedCopy(p)
	body, ct := form(t, map[string]string{"signer_name": p.carer, "signer_relationship": "mother", "signature": signatureDataURL(t)}, "scan.pdf", scan)
	req, _ := http.NewRequest(http.MethodPost, fmt.Sprintf("%s/api/v1/loans/%v/agreement", w.env.HTTP.URL, p.loan), body)
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Authorization", "Bearer "+w.store)
	res, err := (&http.Client{Transport: webtest.Transport(t)}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("recording the agreement: %d %s", res.StatusCode, b)
	}
	return scan
}

func (w *world) count(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	if err := w.env.DB.Read.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// dump is every value of every column of every table, as text, by "table.column".
func dump(t *testing.T, d *sql.DB) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	rows, err := d.Query(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var name string
		rows.Scan(&name)
		tables = append(tables, name)
	}
	rows.Close()
	for _, table := range tables {
		rows, err := d.Query(`SELECT * FROM "` + table + `"`)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for i, v := range vals {
				var s string
				switch x := v.(type) {
				case []byte:
					s = string(x)
				case nil:
					s = "NULL"
				default:
					s = fmt.Sprint(x)
				}
				out[table+"."+cols[i]] = append(out[table+"."+cols[i]], s)
			}
		}
		rows.Close()
	}
	return out
}

// findIn lists where in the dump each needle appears.
func findIn(d map[string][]string, needles ...string) []string {
	var found []string
	for col, vals := range d {
		for _, v := range vals {
			for _, n := range needles {
				if n != "" && strings.Contains(v, n) {
					found = append(found, fmt.Sprintf("%q in %s: %.120q", n, col, v))
				}
			}
		}
	}
	return found
}

func TestSubjectAccessExport(t *testing.T) {
	w := newWorld(t, 4)
	admin := w.env.Token(w.env.User("admin", "admin@test", "Ada Admin"))
	viewer := w.env.Token(w.env.User("viewer", "viewer@test", "Vic Viewer"))
	zoe := w.lend(t, w.ot, w.addPerson(t, w.ot, zoeData), w.tags[0], w.tags[1])
	bart := w.lend(t, w.other, w.addPerson(t, w.other, bartData), w.tags[2])
	scan := w.sign(t, zoe)
	w.must(t, w.store, "POST", fmt.Sprintf("/api/v1/loans/%v/return", zoe.loan), map[string]any{"items": []map[string]any{{"tag": zoe.tags[1], "condition": "fair"}}}, 200)
	path := fmt.Sprintf("/api/v1/children/%v/export.json", zoe.id)

	r := w.env.API(admin, "GET", path, nil)
	if r.Status != http.StatusOK || !strings.Contains(r.Header.Get("Content-Disposition"), "attachment") || r.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("export: %d %v %.300s", r.Status, r.Header, r.Body)
	}
	var x struct {
		Format string
		Child  struct {
			GivenName  string `json:"given_name"`
			FamilyName string `json:"family_name"`
			NHSNumber  string `json:"nhs_number"`
			Address    string
			Notes      string
			Carers     []struct{ Name, Phone, Email string }
		}
		Requests []struct {
			Reason string
			Status string
		}
		Loans []struct {
			ID        float64
			Recipient string
			Items     []struct {
				Tag        string
				ReturnedAt *string `json:"returned_at"`
			}
		}
		Consumables []struct{ Quantity int }
		Agreements  []struct {
			State          string
			SignerName     string `json:"signer_name"`
			SignedOnScreen bool   `json:"signed_on_screen"`
			SignedCopy     *struct {
				SHA256      string
				Size        int
				ContentType string `json:"content_type"`
			} `json:"signed_copy"`
		}
		Events []struct {
			Entity string
			Action string
		}
	}
	if err := json.Unmarshal([]byte(r.Body), &x); err != nil {
		t.Fatalf("export is not JSON: %v", err)
	}
	sum := sha256.Sum256(scan)
	switch {
	case x.Format == "" || x.Child.GivenName != "Zoë" || x.Child.FamilyName != zoe.family || x.Child.NHSNumber != zoe.nhs:
		t.Errorf("child: %+v", x.Child)
	case !strings.Contains(x.Child.Address, zoe.address) || !strings.Contains(x.Child.Notes, "prefers morning"):
		t.Errorf("child's address and notes: %+v", x.Child)
	case len(x.Child.Carers) != 1 || x.Child.Carers[0].Phone != zoe.phone || x.Child.Carers[0].Email != zoe.mail:
		t.Errorf("carers: %+v", x.Child.Carers)
	case len(x.Requests) != 1 || x.Requests[0].Status != "fulfilled" || !strings.Contains(x.Requests[0].Reason, "slumps"):
		t.Errorf("requests: %+v", x.Requests)
	case len(x.Loans) != 1 || x.Loans[0].ID != zoe.loan || x.Loans[0].Recipient != zoe.carer || len(x.Loans[0].Items) != 2:
		t.Errorf("loans: %+v", x.Loans)
	case x.Loans[0].Items[0].Tag != zoe.tags[0] || x.Loans[0].Items[0].ReturnedAt != nil || x.Loans[0].Items[1].ReturnedAt == nil:
		t.Errorf("loan items and their dates: %+v", x.Loans[0].Items)
	case len(x.Consumables) != 1 || x.Consumables[0].Quantity != 2:
		t.Errorf("consumables: %+v", x.Consumables)
	case len(x.Agreements) != 1 || x.Agreements[0].State != "signed" || x.Agreements[0].SignerName != zoe.carer || !x.Agreements[0].SignedOnScreen:
		t.Errorf("agreements: %+v", x.Agreements)
	case x.Agreements[0].SignedCopy == nil || x.Agreements[0].SignedCopy.SHA256 != hex.EncodeToString(sum[:]) || x.Agreements[0].SignedCopy.Size != len(scan):
		t.Errorf("signed copy: %+v", x.Agreements[0].SignedCopy)
	}
	// The signed copy is described, not included: its bytes are not in the export.
	if strings.Contains(r.Body, "% Signed by") || strings.Contains(r.Body, "JVBERi0") {
		t.Error("the export holds the signed copy's bytes")
	}
	actions := map[string]bool{}
	for _, e := range x.Events {
		actions[e.Entity+" "+e.Action] = true
	}
	for _, want := range []string{"child created", "request submitted", "request approved", "request fulfilled", "loan issued", "loan agreement_signed", "loan returned", "child consumable_issued"} {
		if !actions[want] {
			t.Errorf("the history has no %q event: %v", want, actions)
		}
	}
	if actions["item issue"] {
		t.Error("the history holds the items' own events")
	}
	// Nothing of the other child.
	for _, s := range append(bart.identifiers(), bart.given, fmt.Sprintf(`"id": %v,`, bart.id), bart.tags[0]) {
		if strings.Contains(r.Body, s) {
			t.Errorf("Zoë's export holds %q, of another child", s)
		}
	}
	if bart.id == zoe.id || fmt.Sprintf(`"id": %v,`, bart.loan) == fmt.Sprintf(`"id": %v,`, zoe.loan) {
		t.Fatal("the test's children or loans share an id")
	}

	// The lead therapist may export; no one else but an admin.
	w.must(t, w.ot, "GET", path, nil, 200)
	w.must(t, w.other, "GET", path, nil, 404)
	w.must(t, w.other, "GET", fmt.Sprintf("/api/v1/children/%v/export.pdf", zoe.id), nil, 404)
	w.must(t, w.store, "GET", path, nil, 403)
	w.must(t, viewer, "GET", path, nil, 403)
	w.must(t, w.ot, "GET", "/api/v1/children/99999/export.json", nil, 404)
	w.must(t, w.ot, "GET", fmt.Sprintf("/api/v1/children/%v/export.json", bart.id), nil, 404)
	other := signIn(t, w.env, "ot2@test")
	other.get(fmt.Sprintf("/children/%v/export.pdf", zoe.id), 404)

	// The PDF, read as a person reads it.
	ot := signIn(t, w.env, "ot@test")
	page := ot.get(fmt.Sprintf("/children/%v", zoe.id), 200)
	for _, link := range []string{fmt.Sprintf("/children/%v/export.pdf", zoe.id), path} {
		if !strings.Contains(page.Body, `href="`+link+`"`) {
			t.Errorf("the child's page has no link to %s", link)
		}
	}
	if strings.Contains(page.Body, fmt.Sprintf("/children/%v/access", zoe.id)) {
		t.Error("a therapist's child page links to the access log")
	}
	if r := ot.b.Get(path); r.Status != 200 || !strings.Contains(r.Body, zoe.phone) {
		t.Errorf("the page's JSON link, signed in: %d", r.Status)
	}
	pdf := ot.get(fmt.Sprintf("/children/%v/export.pdf", zoe.id), 200)
	if ct := pdf.Header.Get("Content-Type"); ct != "application/pdf" {
		t.Fatalf("export.pdf: %s", ct)
	}
	text := pdfText(t, []byte(pdf.Body))
	for _, want := range []string{"Subject access export", zoe.name(), "401 023 2137", zoe.address, zoe.carer, zoe.phone,
		fmt.Sprintf("L-%06d", int(zoe.loan)), zoe.tags[0], zoe.tags[1], "Classroom chair", "Pencil grip", "Signed", hex.EncodeToString(sum[:])[:16]} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF does not show %q:\n%s", want, text)
		}
	}
	for _, s := range bart.identifiers() {
		if strings.Contains(text, s) {
			t.Errorf("Zoë's PDF shows %q, of another child", s)
		}
	}
}

// readStep is one way of viewing a child's record, and how the access log names it.
type readStep struct {
	what string
	do   func()
	via  string
}

// wantReadsLogged takes each step in turn and fails the test unless each logged exactly
// one read of the child, named by its via.
func (w *world) wantReadsLogged(t *testing.T, childID float64, steps []readStep) {
	t.Helper()
	reads := func() int { return w.count(t, `SELECT count(*) FROM child_reads WHERE child_id = ?`, childID) }
	before := reads()
	for i, s := range steps {
		s.do()
		if n := reads() - before; n != i+1 {
			t.Fatalf("after %s: %d reads logged, want %d", s.what, n, i+1)
		}
		var via string
		w.env.DB.Read.QueryRow(`SELECT via FROM child_reads WHERE child_id = ? ORDER BY id DESC LIMIT 1`, childID).Scan(&via)
		if via != s.via {
			t.Errorf("%s logged as %q, want %q", s.what, via, s.via)
		}
	}
}

func TestReadsOfAChildsRecordAreLogged(t *testing.T) {
	w := newWorld(t, 1)
	w.env.User("admin", "admin@test", "Ada Admin")
	adminToken := w.env.Token(w.env.User("admin", "admin2@test", "Abe Admin"))
	zoe := w.addPerson(t, w.ot, zoeData)
	w.addPerson(t, w.ot, bartData)
	reads := func() int {
		return w.count(t, `SELECT count(*) FROM child_reads WHERE child_id = ?`, zoe.id)
	}
	if n := w.count(t, `SELECT count(*) FROM child_reads`); n != 0 {
		t.Fatalf("adding children logged %d reads", n)
	}
	events := w.count(t, `SELECT count(*) FROM events`)
	ot := signIn(t, w.env, "ot@test")
	// A list of children is not a view of anyone's record.
	ot.get("/children", 200)
	w.must(t, w.ot, "GET", "/api/v1/children", nil, 200)
	if n := reads(); n != 0 {
		t.Fatalf("lists logged %d reads", n)
	}
	// Each view of the record writes exactly one row.
	steps := []readStep{
		{"the child's page", func() { ot.get(fmt.Sprintf("/children/%v", zoe.id), 200) }, "page"},
		{"the details form", func() { ot.get(fmt.Sprintf("/children/%v/edit", zoe.id), 200) }, "edit_form"},
		{"the API", func() { w.must(t, w.ot, "GET", fmt.Sprintf("/api/v1/children/%v", zoe.id), nil, 200) }, "api"},
		{"the API's equipment", func() { w.must(t, w.store, "GET", fmt.Sprintf("/api/v1/children/%v/equipment", zoe.id), nil, 200) }, "api_equipment"},
		{"the JSON export", func() { w.must(t, adminToken, "GET", fmt.Sprintf("/api/v1/children/%v/export.json", zoe.id), nil, 200) }, "export_json"},
		{"the PDF export", func() { ot.get(fmt.Sprintf("/children/%v/export.pdf", zoe.id), 200) }, "export_pdf"},
	}
	w.wantReadsLogged(t, zoe.id, steps)
	// A refused read reads nothing and logs nothing.
	w.must(t, w.other, "GET", fmt.Sprintf("/api/v1/children/%v", zoe.id), nil, 404)
	if n := reads(); n != len(steps) {
		t.Fatalf("a 404 logged a read: %d", n)
	}
	// Reads are not changes: the history of changes is untouched.
	if n := w.count(t, `SELECT count(*) FROM events`); n != events {
		t.Errorf("reading wrote %d history events", n-events)
	}

	// Admins see who read it, newest first, on a page and in the API; nobody else does.
	list := w.must(t, adminToken, "GET", fmt.Sprintf("/api/v1/children/%v/access", zoe.id), nil, 200)
	results := list["results"].([]any)
	if list["total"] != float64(len(steps)) || len(results) != len(steps) {
		t.Fatalf("access log: %v", list)
	}
	first, last := results[len(results)-1].(map[string]any), results[0].(map[string]any)
	if first["user"] != "Olu Therapist" || first["role"] != "therapist" || first["via"] != "page" || last["via"] != "export_pdf" || first["at"] == "" {
		t.Errorf("access log entries: first %v, last %v", first, last)
	}
	admin := signIn(t, w.env, "admin@test")
	page := admin.get(fmt.Sprintf("/children/%v/access", zoe.id), 200)
	wantText(t, page, "Who has read "+zoe.name(), "Olu Therapist", "Sam Store", "Abe Admin", "Child’s page", "Subject-access export (PDF)", "API: child’s equipment")
	if n := reads(); n != len(steps) {
		t.Errorf("looking at the access log logged a read")
	}
	if p := admin.get(fmt.Sprintf("/children/%v", zoe.id), 200); !strings.Contains(p.Body, fmt.Sprintf(`href="/children/%v/access"`, zoe.id)) {
		t.Error("an admin's child page does not link to the access log")
	}
	viewer := w.env.Token(w.env.User("viewer", "viewer@test", "Vic Viewer"))
	for _, token := range []string{w.ot, w.store, viewer} {
		w.must(t, token, "GET", fmt.Sprintf("/api/v1/children/%v/access", zoe.id), nil, 403)
	}
	ot.get(fmt.Sprintf("/children/%v/access", zoe.id), 403)
	admin.get("/children/99999/access", 404)
}

// TestReadsThroughLoansAndRequestsAreLogged: a loan's or a request's page, and the API's
// loan and request, show the child's name (a loan also where they live), so each view is a
// read of the child's record; lists of loans and requests are not.
func TestReadsThroughLoansAndRequestsAreLogged(t *testing.T) {
	w := newWorld(t, 1)
	zoe := w.lend(t, w.ot, w.addPerson(t, w.ot, zoeData), w.tags[0])
	request := w.count(t, `SELECT request_id FROM loans WHERE id = ?`, zoe.loan)
	store := signIn(t, w.env, "store@test")
	reads := func() int {
		return w.count(t, `SELECT count(*) FROM child_reads WHERE child_id = ?`, zoe.id)
	}
	before := reads()
	store.get("/loans", 200)
	store.get("/requests", 200)
	w.must(t, w.store, "GET", "/api/v1/loans", nil, 200)
	w.must(t, w.store, "GET", "/api/v1/requests", nil, 200)
	if n := reads() - before; n != 0 {
		t.Fatalf("lists of loans and requests logged %d reads", n)
	}
	w.wantReadsLogged(t, zoe.id, []readStep{
		{"the loan's page", func() { store.get(fmt.Sprintf("/loans/%v", zoe.loan), 200) }, "loan_page"},
		{"the request's page", func() { store.get(fmt.Sprintf("/requests/%v", request), 200) }, "request_page"},
		{"the API's loan", func() { w.must(t, w.store, "GET", fmt.Sprintf("/api/v1/loans/%v", zoe.loan), nil, 200) }, "api_loan"},
		{"the API's request", func() { w.must(t, w.store, "GET", fmt.Sprintf("/api/v1/requests/%v", request), nil, 200) }, "api_request"},
	})
	// Another therapist is told neither exists, and nothing was read.
	w.must(t, w.other, "GET", fmt.Sprintf("/api/v1/loans/%v", zoe.loan), nil, 404)
	w.must(t, w.other, "GET", fmt.Sprintf("/api/v1/requests/%v", request), nil, 404)
	if n := reads() - before; n != 4 {
		t.Fatalf("%d reads logged after the refused ones, want 4", n)
	}
	w.env.User("admin", "admin@test", "Ada Admin")
	page := signIn(t, w.env, "admin@test").get(fmt.Sprintf("/children/%v/access", zoe.id), 200)
	wantText(t, page, "Loan page", "Request page", "API: loan", "API: request")
}

// TestReadsThroughLoanPapersAreLogged: the agreement, the delivery note and the collection
// receipt print the child's name, date of birth and address, and the signed copy is their
// carer's signature on that paper, so each download, from a page or the API, is a read of
// the child's record; a refused download reads nothing.
func TestReadsThroughLoanPapersAreLogged(t *testing.T) {
	w := newWorld(t, 2)
	zoe := w.lend(t, w.ot, w.addPerson(t, w.ot, zoeData), w.tags[0], w.tags[1])
	w.sign(t, zoe)
	w.must(t, w.store, "POST", fmt.Sprintf("/api/v1/loans/%v/return", zoe.loan), map[string]any{"items": []map[string]any{{"tag": zoe.tags[1], "condition": "fair"}}}, 200)
	store := signIn(t, w.env, "store@test")
	loan := func(suffix string) string { return fmt.Sprintf("/loans/%v%s", zoe.loan, suffix) }
	api := func(token, suffix string, status int) {
		t.Helper()
		if r := w.env.API(token, "GET", "/api/v1"+loan(suffix), nil); r.Status != status {
			t.Fatalf("GET /api/v1%s: %d, want %d: %.300s", loan(suffix), r.Status, status, r.Body)
		}
	}
	reads := func() int {
		return w.count(t, `SELECT count(*) FROM child_reads WHERE child_id = ?`, zoe.id)
	}
	before := reads()
	steps := []readStep{
		{"the agreement's page", func() { store.get(loan("/agreement.pdf"), 200) }, "agreement"},
		{"the API's agreement", func() { api(w.ot, "/agreement.pdf", 200) }, "agreement"},
		{"the delivery note's page", func() { store.get(loan("/delivery-note.pdf"), 200) }, "delivery_note"},
		{"the API's delivery note", func() { api(w.store, "/delivery-note.pdf", 200) }, "delivery_note"},
		{"the collection receipt's page", func() { store.get(loan("/receipt.pdf"), 200) }, "collection_receipt"},
		{"the API's collection receipt", func() { api(w.store, "/receipt.pdf", 200) }, "collection_receipt"},
		{"the signed copy's page", func() { store.get(loan("/agreement/signed"), 200) }, "signed_copy"},
		{"the API's signed copy", func() { api(w.ot, "/agreement/signed", 200) }, "signed_copy"},
		{"the record-signed-agreement form", func() { store.get(loan("/agreement"), 200) }, "agreement_form"},
	}
	w.wantReadsLogged(t, zoe.id, steps)
	// Another therapist is told the loan does not exist; the delivery note and receipt are
	// the store's papers, refused even to the child's own therapist.
	for _, suffix := range []string{"/agreement.pdf", "/agreement/signed"} {
		api(w.other, suffix, 404)
	}
	for _, suffix := range []string{"/delivery-note.pdf", "/receipt.pdf"} {
		api(w.other, suffix, 403)
		api(w.ot, suffix, 403)
	}
	if n := reads() - before; n != len(steps) {
		t.Fatalf("%d reads logged after the refused ones, want %d", n, len(steps))
	}
	w.env.User("admin", "admin@test", "Ada Admin")
	page := signIn(t, w.env, "admin@test").get(fmt.Sprintf("/children/%v/access", zoe.id), 200)
	wantText(t, page, "Loan agreement (PDF)", "Delivery note (PDF)", "Collection receipt (PDF)", "Signed copy of the agreement", "Record signed agreement form")
}

func TestAnonymisationRemovesPersonalDataAndKeepsTheHistory(t *testing.T) {
	w := newWorld(t, 4)
	w.env.User("admin", "admin@test", "Ada Admin")
	zoe := w.lend(t, w.ot, w.addPerson(t, w.ot, zoeData), w.tags[0], w.tags[1])
	w.sign(t, zoe)
	loanPath := fmt.Sprintf("/api/v1/loans/%v", zoe.loan)
	// Free text that names her and her family, in reasons and notes of the history.
	w.must(t, w.store, "PATCH", loanPath, map[string]any{"review_date": day(30), "reason": zoe.carer + " asked for longer; phone " + zoe.phone}, 200)
	w.must(t, w.store, "PATCH", loanPath, map[string]any{"address": zoe.address + "\nBangor", "reason": "Moved to " + zoe.address}, 200)
	w.must(t, w.store, "POST", loanPath+"/lost", map[string]any{"tag": zoe.tags[1], "note": "lost at " + zoe.address}, 200)
	w.must(t, w.store, "POST", loanPath+"/found", map[string]any{"tag": zoe.tags[1], "note": zoe.carer + " found it"}, 200)
	declined := w.must(t, w.ot, "POST", "/api/v1/requests", map[string]any{"child_id": zoe.id, "product_id": w.chair, "priority": "urgent",
		"deliver_to": "school", "reason": "for " + zoe.name()}, 201)["id"]
	w.must(t, w.store, "POST", fmt.Sprintf("/api/v1/requests/%v/decline", declined), map[string]any{"reason": zoe.name() + " already has one"}, 200)
	w.must(t, w.store, "POST", loanPath+"/return", map[string]any{"items": []map[string]any{{"tag": zoe.tags[0], "condition": "good"}, {"tag": zoe.tags[1], "condition": "fair"}}}, 200)
	w.must(t, w.store, "POST", "/api/v1/items/"+zoe.tags[0]+"/maintenance", map[string]any{"kind": "decontamination", "outcome": "pass",
		"notes": "Collected from " + zoe.name() + ", NHS " + zoe.nhsSpaced}, 201)
	w.must(t, w.ot, "POST", fmt.Sprintf("/api/v1/children/%v/discharge", zoe.id), map[string]any{"discharged_on": "2024-09-01"}, 200)
	w.must(t, w.ot, "GET", fmt.Sprintf("/api/v1/children/%v", zoe.id), nil, 200) // a read, kept

	// Bart is another child, on loan: nothing of his may change.
	bart := w.lend(t, w.other, w.addPerson(t, w.other, bartData), w.tags[2])
	// Ivy is discharged but not yet 25; Rob is past 25 but not discharged; Una is past 25
	// and discharged but still holds a chair.
	ivy := w.addPerson(t, w.ot, person{given: "Ivy", family: "Young", dob: "2012-05-05", nhsSpaced: "987 654 3210", address: "9 Elm Row", carer: "Ann Young", phone: "07700 900111"})
	w.must(t, w.ot, "POST", fmt.Sprintf("/api/v1/children/%v/discharge", ivy.id), map[string]any{"discharged_on": "2024-01-01"}, 200)
	rob := w.addPerson(t, w.ot, person{given: "Rob", family: "Elder", dob: "1996-01-01", address: "4 Oak Row", carer: "Ben Elder", phone: "07700 900222"})
	una := w.lend(t, w.ot, w.addPerson(t, w.ot, person{given: "Una", family: "Held", dob: "1995-03-03", address: "5 Ash Row", carer: "Cal Held", phone: "07700 900333"}), w.tags[3])
	w.must(t, w.ot, "POST", fmt.Sprintf("/api/v1/children/%v/discharge", una.id), map[string]any{"discharged_on": "2024-01-01"}, 200)

	admin := signIn(t, w.env, "admin@test")
	page := admin.get("/children/anonymise", 200)
	wantText(t, page, "Ready to anonymise", zoe.name(), "25th birthday", "Past retention, but not yet", "Una Held", "1 item still on loan")
	for _, not := range []string{"Ivy Young", "Rob Elder", bart.name()} {
		if strings.Contains(mainText(page.Body), not) {
			t.Errorf("the anonymisation list offers %s", not)
		}
	}
	ot := signIn(t, w.env, "ot@test")
	ot.get("/children/anonymise", 403)
	ot.post("/children/anonymise", url.Values{"child_id": {fmt.Sprint(zoe.id)}}, 403)

	// A child not past retention, not discharged, or holding equipment refuses the lot.
	before := dump(t, w.env.DB.Read)
	for _, who := range []person{ivy, rob, una} {
		r := admin.b.Post("/children/anonymise", url.Values{"child_id": {fmt.Sprint(zoe.id), fmt.Sprint(who.id)}})
		if r.Status != http.StatusConflict {
			t.Errorf("anonymising %s with Zoë: %d, want 409: %s", who.name(), r.Status, mainText(r.Body))
		}
	}
	wantText(t, admin.b.Post("/children/anonymise", url.Values{"child_id": {fmt.Sprint(ivy.id)}}), "is kept until 5 May 2037")
	if after := dump(t, w.env.DB.Read); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Fatal("a refused anonymisation changed the database")
	}

	counts := func() [5]int {
		return [5]int{w.count(t, `SELECT count(*) FROM loans`), w.count(t, `SELECT count(*) FROM loan_items`),
			w.count(t, `SELECT count(*) FROM requests`), w.count(t, `SELECT count(*) FROM consumable_issues`),
			w.count(t, `SELECT count(*) FROM events WHERE entity = 'item'`)}
	}
	kept := counts()
	admin.get("/children/anonymise", 200)
	r := admin.post("/children/anonymise", url.Values{"child_id": {fmt.Sprint(zoe.id)}}, 200)
	ref := fmt.Sprintf("ANON-%06d", int(zoe.id))
	wantText(t, r, "1 child’s record anonymised: "+ref)

	// Nothing that identifies her is left anywhere in the database.
	d := dump(t, w.env.DB.Read)
	oldRef := fmt.Sprintf("C-%06d", int(zoe.id))
	for _, f := range findIn(d, append(zoe.identifiers(), oldRef, zoe.town, "Bangor", "2-11")...) {
		t.Error("left after anonymising: " + f)
	}
	if n := w.count(t, `SELECT count(*) FROM agreement_copies`); n != 0 {
		t.Errorf("%d signed copies kept", n)
	}
	if n := w.count(t, `SELECT count(*) FROM loan_agreements WHERE signature_png IS NOT NULL`); n != 0 {
		t.Errorf("%d signatures kept", n)
	}
	// Everyone else's details are all still there.
	for _, p := range []person{bart, ivy, rob, una} {
		for _, s := range []string{p.name(), p.address, p.phone} {
			if len(findIn(d, s)) == 0 {
				t.Errorf("%s's %q went too", p.name(), s)
			}
		}
	}

	// The equipment history stays: loans, their items, requests, consumables, item events.
	if got := counts(); got != kept {
		t.Errorf("counts of loans, loan items, requests, consumables, item events: %v, was %v", got, kept)
	}
	c := w.must(t, w.ot, "GET", fmt.Sprintf("/api/v1/children/%v", zoe.id), nil, 200)
	if c["reference"] != ref || c["given_name"] != "Anonymised" || c["date_of_birth"] != "1998" || c["nhs_number"] != "" || len(c["carers"].([]any)) != 0 || c["discharged_on"] != "2024-09-01" {
		t.Errorf("the anonymised child: %v", c)
	}
	loan := w.must(t, w.store, "GET", loanPath, nil, 200)
	if loan["recipient"] != "Anonymised" || loan["address"] != "" || loan["location"] != "home" || len(loan["items"].([]any)) != 2 || loan["status"] != "closed" {
		t.Errorf("the anonymised loan: %v", loan)
	}
	agreement := w.must(t, w.store, "GET", loanPath+"/agreement", nil, 200)
	if agreement["state"] != "signed" || agreement["signer_name"] != "Anonymised" || agreement["signed_copy"] != nil || agreement["signed_on"] == nil {
		t.Errorf("the anonymised agreement: %v", agreement)
	}
	history := w.must(t, w.store, "GET", "/api/v1/items/"+zoe.tags[0]+"/history", nil, 200)
	var actions []string
	for _, e := range history["results"].([]any) {
		actions = append(actions, e.(map[string]any)["action"].(string))
	}
	if got := strings.Join(actions, " "); !strings.Contains(got, "issue") || !strings.Contains(got, "return") || !strings.Contains(got, "cleaned") {
		t.Errorf("the item's history after anonymising: %s", got)
	}
	if n := w.count(t, `SELECT count(*) FROM events WHERE entity = 'loan' AND entity_id = ? AND action IN ('issued', 'review_extended', 'moved', 'returned', 'agreement_signed')`, zoe.loan); n != 5 {
		t.Errorf("the loan's history has %d of its 5 events", n)
	}
	var details string
	w.env.DB.Read.QueryRow(`SELECT details FROM events WHERE entity = 'child' AND entity_id = ? AND action = 'anonymised'`, zoe.id).Scan(&details)
	if !strings.Contains(details, ref) || !strings.Contains(details, `"retention_years":25`) {
		t.Errorf("the anonymisation's event: %q", details)
	}
	if n := w.count(t, `SELECT count(*) FROM child_reads WHERE child_id = ?`, zoe.id); n < 1 {
		t.Error("the log of who read her record went")
	}
	w.must(t, w.store, "GET", "/api/v1/reports", nil, 200)
	shown := admin.get(fmt.Sprintf("/children/%v", zoe.id), 200)
	wantText(t, shown, "Anonymised child", ref, "Born in 1998", fmt.Sprintf("L-%06d", int(zoe.loan)), zoe.tags[0])
	if strings.Contains(shown.Body, fmt.Sprintf("/children/%v/edit", zoe.id)) {
		t.Error("an anonymised record offers to change its details")
	}
	wantText(t, admin.get("/children?discharged=true", 200), "child, Anonymised", "1998 (anonymised)")
	// She is not offered again, and cannot be anonymised twice.
	if strings.Contains(mainText(admin.get("/children/anonymise", 200).Body), ref) {
		t.Error("an anonymised child is offered again")
	}
	if r := admin.b.Post("/children/anonymise", url.Values{"child_id": {fmt.Sprint(zoe.id)}}); r.Status != http.StatusConflict {
		t.Errorf("anonymising twice: %d", r.Status)
	}
	// Her anonymised record still exports, and says only what is left.
	if r := w.env.API(w.ot, "GET", fmt.Sprintf("/api/v1/children/%v/export.json", zoe.id), nil); r.Status != 200 || strings.Contains(r.Body, zoe.given) {
		t.Errorf("export after anonymising: %d %.200s", r.Status, r.Body)
	}
	_ = webtest.Password
}
